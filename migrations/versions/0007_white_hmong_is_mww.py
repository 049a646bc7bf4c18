"""White Hmong's language code: hnj -> mww

The Hmong text Loa publishes is White Hmong (Hmong Daw) in RPA, ISO 639-3 `mww`; `hnj` is Green
Hmong (Hmong Njua). Stored leaflets and quiz answers move to the new code, so leaflet codes
already printed keep opening the same text, printing again reuses their codes, and the figures
count one language. (Revision 0007, after 0006, written 2026-12-05.)
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD, NEW = "hnj", "mww"


def _move(old: str, new: str) -> None:
    op.execute(f"UPDATE leaflets SET lang = '{new}' WHERE lang = '{old}'")
    # scope is "<topic>/<lang>/<commune or 'all'>": the topic ids never contain '/'
    op.execute(
        f"UPDATE leaflets SET scope = REPLACE(scope, '/{old}/', '/{new}/') WHERE scope LIKE '%/{old}/%'"
    )
    op.execute(f"UPDATE quiz_responses SET lang = '{new}' WHERE lang = '{old}'")


def upgrade():
    _move(OLD, NEW)


def downgrade():
    _move(NEW, OLD)

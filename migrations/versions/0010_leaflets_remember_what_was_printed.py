"""leaflets remember what was printed

A fingerprint of the title and key points each leaflet was last printed with, so the leaflets
page flags those whose key points changed since. (Revision 0010, after 0009, written
2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("leaflets") as batch:
        batch.add_column(sa.Column("printed", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("leaflets") as batch:
        batch.drop_column("printed")

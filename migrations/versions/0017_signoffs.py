"""sign-offs

A province organiser's sign-off of a period's report, frozen as it was, with its revisions and
who unlocked it why. (Revision 0017, after 0016, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("signed_by", sa.String(length=120), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("unlocked_at", sa.DateTime(), nullable=True),
        sa.Column("unlocked_by", sa.String(length=120), nullable=False),
        sa.Column("unlock_reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoffs")),
    )
    with op.batch_alter_table("signoffs", schema=None) as batch_op:
        batch_op.create_index("ux_signoffs_revision", ["province_code", "period", "revision"], unique=True)


def downgrade():
    op.drop_table("signoffs")

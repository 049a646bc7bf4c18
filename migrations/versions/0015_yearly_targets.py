"""yearly targets

The targets organisers set per province (or nationally, province 0) and year: participants,
sessions, participants in border and remote communes, and shares in percent (communes reached,
complaints advised and resolved). (Revision 0015, after 0014, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "targets",
        sa.Column("province_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("province_code", "year", "name", name=op.f("pk_targets")),
    )


def downgrade():
    op.drop_table("targets")

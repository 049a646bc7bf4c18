"""province contact cards

One row per province whose organisers filled in the numbers residents call besides the
national hotline. No row, or empty numbers: residents see only 1800.6838. (Revision 0006,
after 0005, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "province_contacts",
        sa.Column("province_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("doit_phone", sa.String(length=40), nullable=False),
        sa.Column("market_phone", sa.String(length=40), nullable=False),
        sa.Column("association_phone", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("province_code", name=op.f("pk_province_contacts")),
    )


def downgrade():
    op.drop_table("province_contacts")

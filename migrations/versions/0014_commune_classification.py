"""commune classification

Communes a province's organisers class in an area reported on separately (border, remote and
mountain...), each with the official source of the classification, beside the lists of
content/areas.yaml. (Revision 0014, after 0013, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commune_areas",
        sa.Column("commune_code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("commune_code", "area", name=op.f("pk_commune_areas")),
    )
    with op.batch_alter_table("commune_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commune_areas_province_code"), ["province_code"])


def downgrade():
    op.drop_table("commune_areas")

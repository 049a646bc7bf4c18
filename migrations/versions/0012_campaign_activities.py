"""campaign activities

A record type of sync protocol version 1: a campaign activity other than a village session
(leaflets handed out, a banner or poster, a fair or stall, a media item, a training), with its
commune, day, topics and count, and the fields of its kind; covering indexes for a province's
and a commune's activities by kind. Nothing existing changes. (Revision 0012, after 0011,
written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ACTIVITY_FIGURES = ["commune_code", "held_at", "hold", "kind", "count"]


def upgrade():
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("topic_ids", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("leaflet_codes", sa.Text(), nullable=False),
        sa.Column("batch", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("hold", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_province_figures", ["province_code", *ACTIVITY_FIGURES])
        batch_op.create_index("ix_activities_commune_figures", ACTIVITY_FIGURES)


def downgrade():
    op.drop_table("activities")

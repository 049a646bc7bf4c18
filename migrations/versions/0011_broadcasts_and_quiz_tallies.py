"""broadcasts and quiz tallies

Two record types of sync protocol version 1: commune loudspeaker broadcasts (commune, station,
time, topics, language, minutes and repeats), with covering indexes for a province's and a
commune's broadcasts and airtime; and quizzes asked aloud at a session, one question's hands
per option, which wait for their session like attendance. Nothing existing changes. (Revision
0011, after 0010, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BROADCAST_FIGURES = ["commune_code", "started_at", "hold", "lang", "minutes", "repeats"]


def upgrade():
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("topic_ids", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("hold", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index("ix_broadcasts_province_figures", ["province_code", *BROADCAST_FIGURES])
        batch_op.create_index("ix_broadcasts_commune_figures", BROADCAST_FIGURES)

    op.create_table(
        "quiz_tallies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=True),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("hands", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("hold", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_tallies")),
    )
    with op.batch_alter_table("quiz_tallies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_tallies_session_id"), ["session_id"])
        batch_op.create_index(
            "ix_quiz_tallies_province_commune",
            ["province_code", "commune_code", "created_at", "lang", "quiz_id", "hold"],
        )
        batch_op.create_index("ix_quiz_tallies_commune_created", ["commune_code", "created_at"])


def downgrade():
    op.drop_table("quiz_tallies")
    op.drop_table("broadcasts")

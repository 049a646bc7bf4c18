"""elderly and disabled attendees

Two optional parts of an attendance line, like women and ethnic minority: attendees aged 60 or
over and attendees with disabilities (0 where staff do not record them). The covering indexes of
the attendance figures are rebuilt to hold them. (Revision 0013, after 0012, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD = ["commune_code", "session_starts_at", "count", "women", "ethnic_minority", "hold"]
NEW = [
    "commune_code",
    "session_starts_at",
    "count",
    "women",
    "ethnic_minority",
    "elderly",
    "disabled",
    "hold",
]


def _indexes(batch_op, columns):
    batch_op.create_index("ix_attendance_province_figures", ["province_code", *columns])
    batch_op.create_index("ix_attendance_commune_figures", columns)


def upgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("elderly", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("disabled", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index("ix_attendance_province_figures")
        batch_op.drop_index("ix_attendance_commune_figures")
        _indexes(batch_op, NEW)


def downgrade():
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_province_figures")
        batch_op.drop_index("ix_attendance_commune_figures")
        batch_op.drop_column("disabled")
        batch_op.drop_column("elderly")
        _indexes(batch_op, OLD)

"""repair attendance and quiz answers that missed their session's commune

A race before this version let an attendance line or quiz answer be stored while another
request was storing its session: neither saw the other, and the line kept no commune, so it
was never counted. This gives such rows their session's commune, as the sync would have.
Attendance is repaired only when the staff member who sent it may record in that commune (an
organiser, or a staff member with the commune); other lines stay uncounted. (Revision 0003,
after 0002, written 2026-11-29.)
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SESSION_OF = "(SELECT s.{column} FROM sessions s WHERE s.id = {table}.session_id)"

AUTHOR_MAY_RECORD = """EXISTS (
    SELECT 1 FROM sessions s
    JOIN sync_records r ON r.id = attendance.id
    JOIN users u ON u.id = r.user_id
    WHERE s.id = attendance.session_id
      AND (u.role = 'organiser' OR EXISTS (
          SELECT 1 FROM user_communes uc WHERE uc.user_id = u.id AND uc.commune_code = s.commune_code)))"""


def _repair(table: str, columns: dict[str, str], condition: str = "") -> None:
    assignments = ", ".join(
        f"{target} = " + SESSION_OF.format(column=source, table=table) for target, source in columns.items()
    )
    op.execute(
        f"UPDATE {table} SET {assignments} WHERE commune_code IS NULL "
        f"AND session_id IN (SELECT id FROM sessions){condition}"
    )


def upgrade():
    _repair(
        "attendance",
        {"commune_code": "commune_code", "province_code": "province_code", "session_starts_at": "starts_at"},
        f" AND {AUTHOR_MAY_RECORD}",
    )
    _repair("quiz_responses", {"commune_code": "commune_code", "province_code": "province_code"})


def downgrade():
    pass  # a data repair: the rows keep the commune they should always have had

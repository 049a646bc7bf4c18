"""daily figures and complaint deadlines

The daily and monthly figures of every commune (their triggers are made and the table filled from the records
by env.py after every upgrade, from server/daily_figures.py); each complaint's next legal
deadline, filled for the open cases.
(Revision 0018, after 0017, written 2026-12-05.)
"""

import sqlalchemy as sa
from alembic import op

from server.complaint_deadlines import deadline
from server.models import DAILY_FIGURES, MONEY_FIGURES

RECORD_TABLES = (
    "sessions",
    "attendance",
    "quiz_responses",
    "leaflet_scans",
    "broadcasts",
    "activities",
    "complaints",
)

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    for table, period in (("daily_figures", "day"), ("monthly_figures", "month")):
        op.create_table(
            table,
            sa.Column("province_code", sa.Integer(), nullable=False),
            sa.Column("commune_code", sa.Integer(), nullable=False),
            sa.Column(period, sa.Date(), nullable=False),
            *(
                sa.Column(
                    name,
                    sa.BigInteger() if name in MONEY_FIGURES else sa.Integer(),
                    server_default="0",
                    nullable=False,
                )
                for name in DAILY_FIGURES
            ),
            sa.PrimaryKeyConstraint("province_code", "commune_code", period, name=op.f(f"pk_{table}")),
            sqlite_with_rowid=False,
        )
        op.create_index(f"ix_{table}_{period}", table, [period])
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.drop_index("ix_complaints_province_figures")
        batch_op.create_index(
            "ix_complaints_province_figures",
            ["province_code", "taken_at", "hold", "status", "money_recovered", "due_at"],
        )
    bind = op.get_bind()
    cases = sa.table(
        "complaints",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("status_at", sa.DateTime),
        sa.column("taken_at", sa.DateTime),
        sa.column("due_at", sa.DateTime),
    )
    open_cases = bind.execute(
        sa.select(cases.c.id, cases.c.status, cases.c.status_at, cases.c.taken_at).where(
            cases.c.status.not_in(("resolved", "closed"))
        )
    ).all()
    for case_id, status, status_at, taken_at in open_cases:
        due = deadline(status, status_at, taken_at)
        bind.execute(sa.update(cases).where(cases.c.id == case_id).values(due_at=due))


def downgrade():
    bind = op.get_bind()
    for table in RECORD_TABLES:
        if bind.dialect.name == "sqlite":
            for event in ("insert", "update", "delete"):
                bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS daily_figures_{table}_{event}")
        else:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS daily_figures_{table} ON {table}")
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS daily_figures_{table}()")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_province_figures")
        batch_op.create_index(
            "ix_complaints_province_figures",
            ["province_code", "taken_at", "hold", "status", "money_recovered"],
        )
        batch_op.drop_column("due_at")
    for table, period in (("daily_figures", "day"), ("monthly_figures", "month")):
        op.drop_index(f"ix_{table}_{period}", table_name=table)
        op.drop_table(table)

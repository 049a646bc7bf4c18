"""The legal time limits of a consumer's case (Law 19/2023, Art. 57): a request for help is
forwarded to the business within 7 working days of being received; once it is forwarded, the
business negotiates within 7 working days and reports the result within 5 more. Working days are
Monday to Friday (public holidays are not counted out). Each case stores when its next step is
due (`due_at`), set when it is received and when it moves, so overdue cases are counted by the
database."""

from __future__ import annotations

import datetime as dt

FINAL = ("resolved", "closed")
FORWARD_DAYS = 7  # working days to advise or forward a request for help (Art. 57)
RESULT_DAYS = 7 + 5  # working days for the business to negotiate and report, once forwarded


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days (Monday to Friday) after `start`."""
    moment = start
    while days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def deadline(status: str, status_at: dt.datetime, taken_at: dt.datetime) -> dt.datetime | None:
    """When the case's next step is due by law (None once it is resolved or closed)."""
    if status in FINAL:
        return None
    if status == "transferred":
        return add_working_days(status_at, RESULT_DAYS)
    return add_working_days(taken_at, FORWARD_DAYS)

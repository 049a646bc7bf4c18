"""Reports to send up: the filtered figures as CSV and XLSX, and the underlying records as a
portable SQLite file (sqlite-utils) that opens in any SQLite tool."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import tempfile
from pathlib import Path

import sqlite_utils
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from . import activities, broadcasts, communes, complaint_names, complaints, reports
from .content import SOURCE_LANG, Content
from .extensions import db
from .models import (
    HOLD_NOT_ALLOWED,
    HOLD_QUARANTINED,
    HOLD_SESSION_VOIDED,
    HOLD_VOIDED,
    Activity,
    Amendment,
    Attendance,
    Broadcast,
    Complaint,
    Leaflet,
    LeafletScan,
    QuizResponse,
    QuizTally,
    VillageSession,
)
from .quiz_results import quiz_results

COMMUNE_COLUMNS = ("province_code", "province", "commune_code", "commune", *reports.FIGURES)


def _headings() -> dict[str, str]:
    return {
        "province_code": _("Province code"),
        "province": _("Province"),
        "commune_code": _("Commune code"),
        "commune": _("Commune"),
        "sessions": _("Sessions"),
        "attendees": _("Attendees"),
        "women": _("Women"),
        "ethnic_minority": _("Ethnic minority"),
        "elderly": _("Elderly (60 or over)"),
        "disabled": _("People with disabilities"),
        "quiz_responses": _("Quiz answers"),
        "leaflet_scans": _("Leaflet scans"),
        "broadcasts": _("Broadcasts"),
        "broadcast_minutes": _("Minutes on air"),
    }


def commune_rows(flt: reports.ReportFilter) -> list[dict]:
    return reports.by_commune(flt)


def to_csv(flt: reports.ReportFilter) -> bytes:
    """Figures by commune, then a total row. UTF-8 with BOM so spreadsheets read Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    headings = _headings()
    writer.writerow([headings[c] for c in COMMUNE_COLUMNS])
    for row in commune_rows(flt):
        writer.writerow([row.get(c, "") for c in COMMUNE_COLUMNS])
    total = reports.totals(flt)
    writer.writerow(["", _("Total"), "", "", *[total[f] for f in reports.FIGURES]])
    return out.getvalue().encode("utf-8-sig")


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    sheet.freeze_panes = "A2"
    return sheet


def to_xlsx(flt: reports.ReportFilter, content: Content) -> bytes:
    headings = _headings()
    book = Workbook()
    total = reports.totals(flt)
    _sheet(
        book,
        _("Totals"),
        [_("Figure"), _("Value")],
        [[_("Filter"), flt.describe() or _("everything")]]
        + [[headings[f], total[f]] for f in reports.FIGURES],
        first=True,
    )
    _sheet(
        book,
        _("By commune"),
        [headings[c] for c in COMMUNE_COLUMNS],
        [[row.get(c, "") for c in COMMUNE_COLUMNS] for row in commune_rows(flt)],
    )
    _sheet(
        book,
        _("By month"),
        [_("Month"), headings["sessions"], headings["attendees"]],
        [[m["month"], m["sessions"], m["attendees"]] for m in reports.by_month(flt)],
    )
    quiz_rows = []
    quizzes = quiz_results(flt, content)
    for quiz in quizzes:
        if not quiz["responses"]:
            continue
        for q in quiz["questions"]:
            wrong = q["most_common_wrong"]
            quiz_rows.append(
                [
                    quiz["quiz_id"],
                    q["id"],
                    q["text"],
                    q["answered"],
                    q["correct_share"],
                    q["by_phase"].get("pre"),
                    q["by_phase"].get("post"),
                    wrong["text"] if wrong else "",
                    wrong["share"] if wrong else None,
                ]
            )
    _broadcasts_sheet(book, flt, content)
    _activities_sheet(book, flt)
    _complaints_sheet(book, flt)
    _sheet(
        book,
        _("Quiz results"),
        [
            _("Quiz"),
            _("Question"),
            _("Text"),
            _("Answers"),
            _("Share correct"),
            _("Before the talk"),
            _("After the talk"),
            _("Most common wrong answer"),
            _("Share"),
        ],
        quiz_rows,
    )
    _show_of_hands_sheet(book, quizzes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _broadcasts_sheet(book: Workbook, flt: reports.ReportFilter, content: Content) -> None:
    """Broadcasts and minutes on air (minutes × repeats) by commune, by language and by topic,
    one block under the other."""
    found = broadcasts.breakdown(flt)
    topics = {t.id: t.title for t in content.topics_in_order(SOURCE_LANG)}
    languages = {code: lang.name for code, lang in content.languages.items()}
    rows: list[list] = []
    for title, key, name in (
        (_("By commune"), "by_commune", lambda r: f"{r['commune']}, {r['province']}"),
        (_("By language"), "by_language", lambda r: languages.get(r["lang"], r["lang"])),
        (_("By topic"), "by_topic", lambda r: topics.get(r["topic"], r["topic"]) or _("no topic")),
    ):
        if rows:
            rows.append([])
        rows.append([title])
        rows.extend([name(r), r["broadcasts"], r["minutes"]] for r in found[key])
    _sheet(book, _("Broadcasts"), ["", _("Broadcasts"), _("Minutes on air")], rows)


def _activities_sheet(book: Workbook, flt: reports.ReportFilter) -> None:
    """Campaign activities by kind (how many, and what they count), then by commune."""
    found = activities.breakdown(flt)
    names = activities.kind_names()
    rows: list[list] = [
        [names[kind][0], v["activities"], v["count"], names[kind][1]] for kind, v in found["by_kind"].items()
    ]
    for place in found["by_commune"]:
        if place is found["by_commune"][0]:
            rows.extend([[], [_("By commune")]])
        rows.extend(
            [f"{place['commune']}, {place['province']}", v["activities"], v["count"], names[kind][1]]
            for kind, v in place["kinds"].items()
            if v["activities"]
        )
    _sheet(book, _("Activities"), ["", _("Activities"), _("Count"), _("What is counted")], rows)


def _complaints_sheet(book: Workbook, flt: reports.ReportFilter) -> None:
    """Complaints by status, the shares and the money recovered: never anyone's contact."""
    found = complaints.figures(flt)
    names = complaint_names.step_names()
    rows: list[list] = [[names[status], count] for status, count in found["by_status"].items()]
    rows += [
        [_("Received in all"), found["received"]],
        [_("Advised or further (percent)"), found["advised_share"]],
        [_("Resolved (percent)"), found["resolved_share"]],
        [_("Success rate (percent)"), found["success_rate"]],
        [_("Money recovered (VND)"), found["money_recovered"]],
    ]
    _sheet(book, _("Complaints"), ["", _("Cases")], rows)


def _show_of_hands_sheet(book: Workbook, quizzes: list[dict]) -> None:
    """Quizzes asked aloud: hands per question and option, apart from individual answers."""
    rows = []
    for quiz in quizzes:
        hands = quiz["show_of_hands"]
        if not hands:
            continue
        for q in hands["questions"]:
            rows.append(
                [
                    quiz["quiz_id"],
                    q["id"],
                    q["text"],
                    q["hands"],
                    q["correct_share"],
                    q["by_phase"].get("pre"),
                    q["by_phase"].get("post"),
                    "; ".join(f"{o['text'].rstrip('.')}: {o['hands']}" for o in q["options"]),
                ]
            )
        gain = hands["gain"]
        if gain["points"] is not None:
            rows.append(
                [
                    quiz["quiz_id"],
                    "",
                    _("Knowledge gain (points)"),
                    None,
                    gain["pre"],
                    None,
                    gain["post"],
                    gain["points"],
                ]
            )
    _sheet(
        book,
        _("Show of hands"),
        [
            _("Quiz"),
            _("Question"),
            _("Text"),
            _("Hands"),
            _("Share correct"),
            _("Before the talk"),
            _("After the talk"),
            _("Hands per answer"),
        ],
        rows,
    )


def _records(model, statement) -> list[dict]:
    names = [c.name for c in model.__table__.columns]
    return [dict(zip(names, row, strict=False)) for row in db.session.execute(statement)]


def _commune_row(code: int) -> dict:
    """The communes table's row for a code found in the records; a code no longer in the
    official list still gets a row (its name "#code"), so the export never fails on old data."""
    info = communes.commune(code)
    return {
        "code": code,
        "name": communes.commune_name(code),
        "province_code": info.province_code if info else None,
        "province": info.province.name if info else "",
    }


HOLD_REASONS = (
    (HOLD_VOIDED, "voided"),
    (HOLD_SESSION_VOIDED, "session voided"),
    (HOLD_QUARANTINED, "device quarantined"),
    (HOLD_NOT_ALLOWED, "commune not the sender's"),
)


def _held_and_amended(flt: reports.ReportFilter) -> tuple[list[dict], list[dict]]:
    """The records of the filter held out of the figures (with why), and every correction and
    void of the filter's records: the trail behind the figures. Counted records keep their
    values before any correction in their `original` column."""
    every = dataclasses.replace(flt, include_held=True)
    held, ids = [], []
    for kind, model, apply in (
        ("session", VillageSession, every.sessions),
        ("attendance", Attendance, every.attendance),
        ("quiz_response", QuizResponse, every.quiz_responses),
        ("leaflet_scan", LeafletScan, every.scans),
        ("broadcast", Broadcast, every.broadcasts),
        ("quiz_tally", QuizTally, every.quiz_tallies),
        ("activity", Activity, every.activities),
    ):
        for record_id, hold in db.session.execute(apply(select(model.id, model.hold))):
            ids.append(record_id)
            if hold:
                reasons = [name for bit, name in HOLD_REASONS if hold & bit]
                held.append({"id": record_id, "type": kind, "reasons": ", ".join(reasons)})
    trail = []
    for start in range(0, len(ids), 500):
        trail.extend(
            _records(
                Amendment,
                select(*Amendment.__table__.columns).where(Amendment.target_id.in_(ids[start : start + 500])),
            )
        )
    for row in trail:
        row["changes"] = json.loads(row["changes"])
    return held, trail


def to_sqlite(flt: reports.ReportFilter) -> bytes:
    """The filtered records themselves, with commune names, in a portable SQLite file."""

    def rows_of(model, apply):
        return _records(model, apply(select(*model.__table__.columns)))

    sessions = rows_of(VillageSession, flt.sessions)
    for row in sessions:
        row["topic_ids"] = json.loads(row["topic_ids"])
    attendance = rows_of(Attendance, lambda q: flt.attendance(q).where(Attendance.commune_code.is_not(None)))
    quiz = rows_of(QuizResponse, flt.quiz_responses)
    for row in quiz:
        row["answers"] = json.loads(row["answers"])
    scans = _records(LeafletScan, flt.scans(select(*LeafletScan.__table__.columns)))
    aired = rows_of(Broadcast, flt.broadcasts)
    for row in aired:
        row["topic_ids"] = json.loads(row["topic_ids"])
    # Every stored tally of the filter: which ones count is for quiz_tallies.counted to say.
    tallies = rows_of(QuizTally, lambda q: flt.quiz_tallies(q).where(QuizTally.commune_code.is_not(None)))
    for row in tallies:
        row["counts"] = json.loads(row["counts"])
    # Complaints without anyone's contact, photos or the account that took them.
    private = {"contact_name", "contact_phone", "photo_ids", "user_id", "consent"}
    cases = [
        {k: v for k, v in row.items() if k not in private}
        for row in _records(Complaint, complaints.filtered(flt, select(*Complaint.__table__.columns)))
    ]
    done = rows_of(Activity, flt.activities)
    for row in done:
        row["topic_ids"] = json.loads(row["topic_ids"])
        row["leaflet_codes"] = json.loads(row["leaflet_codes"])
    codes = {
        r["commune_code"]
        for r in sessions + attendance + quiz + scans + aired + tallies + done
        if r.get("commune_code")
    }
    held, trail = _held_and_amended(flt)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "loa-export.sqlite3"
        database = sqlite_utils.Database(path)
        for name, rows, pk in (
            ("sessions", sessions, "id"),
            ("attendance", attendance, "id"),
            ("quiz_responses", quiz, "id"),
            ("leaflet_scans", scans, "id"),
            ("broadcasts", aired, "id"),
            ("quiz_tallies", tallies, "id"),
            ("activities", done, "id"),
            ("complaints", cases, "id"),
            ("held_out", held, "id"),
            ("amendments", trail, "id"),
        ):
            if rows:
                database.table(name).insert_all(rows, pk=pk, alter=True)
        database.table("communes").insert_all([_commune_row(c) for c in sorted(codes)], pk="code")
        database.table("leaflets").insert_all(
            _records(
                Leaflet,
                select(*Leaflet.__table__.columns).where(Leaflet.code.in_({r["code"] for r in scans})),
            ),
            pk="code",
        )
        database.table("export").insert(
            {"filter": json.dumps(flt.as_dict()), "format": "loa-export", "version": 1}
        )
        for name in ("attendance", "quiz_responses", "quiz_tallies"):
            table = database.table(name)
            if table.exists():
                table.create_index(["session_id"], if_not_exists=True)
        database.close()
        return path.read_bytes()

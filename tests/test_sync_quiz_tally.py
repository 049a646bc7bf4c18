"""`quiz_tally` records: a quiz question read aloud at a session, with the hands raised for
each option. Stored once, waiting for its session like attendance, never more hands than
people, a re-count replacing the count before it, and reported apart from individual answers."""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook

from server import quiz_tallies, reports
from server.extensions import db
from server.models import HOLD_SESSION_VOIDED, QuizTally
from server.quiz_results import quiz_results
from server.state import state
from tests.conftest import (
    MUONG_KIM,
    RESIDENT,
    STAFF,
    attendance_record,
    create_account,
    log_in,
    post_sync,
    quiz_record,
    rid,
    session_record,
    stored_row,
    token_for,
    when,
)

# The complaints quiz: question "acknowledge" (options a, b, c; c is right), "negotiate" (a-d, b).
RIGHT = "c"


def tally_record(session, counts=None, question="acknowledge", phase="pre", created=15, **data):
    payload = {
        "session_id": session,
        "quiz_id": "complaints",
        "lang": "vi",
        "phase": phase,
        "question_id": question,
        "counts": counts if counts is not None else {"a": 10, "b": 4, "c": 26},
    }
    payload.update(data)
    return {"id": rid(), "type": "quiz_tally", "created_at": when(created), "data": payload}


@pytest.fixture
def session(ingest):
    """A session in Mường Kim with 46 people."""
    s = session_record()
    assert len(ingest([s, attendance_record(s["id"], 46, 27, 31)]).accepted) == 2
    return s


def hands(app, **filters) -> dict:
    """The show-of-hands results of the complaints quiz ({} when none counts)."""
    with app.app_context():
        found = quiz_tallies.results(reports.ReportFilter(**filters), state(app).content)
    return found.get("complaints", {})


def question(results: dict, question_id: str = "acknowledge") -> dict:
    return next(q for q in results["questions"] if q["id"] == question_id)


def option_hands(results: dict, question_id: str = "acknowledge") -> dict:
    return {o["id"]: o["hands"] for o in question(results, question_id)["options"]}


# -- stored once ---------------------------------------------------------------------------------


def test_a_tally_joins_its_session_and_counts(app, ingest, session):
    record = tally_record(session["id"])
    assert ingest([record]).accepted == [record["id"]]
    with app.app_context():
        row = stored_row(QuizTally, record["id"])
        assert (row.commune_code, row.province_code, row.hands, row.phase) == (MUONG_KIM, 12, 40, "pre")
    results = hands(app)
    assert results["tallies"] == 1 and results["hands"] == 40
    assert option_hands(results) == {"a": 10, "b": 4, "c": 26}
    assert question(results)["correct_share"] == round(26 / 40, 4)


def test_the_same_tally_again_is_a_duplicate_and_counts_once(app, ingest, session):
    record = tally_record(session["id"])
    ingest([record])
    again = ingest([record])
    assert again.accepted == [] and again.duplicates == [record["id"]]
    assert hands(app)["hands"] == 40


def test_the_same_id_with_other_counts_is_a_conflict_and_the_first_is_kept(app, ingest, session):
    record = tally_record(session["id"])
    ingest([record])
    changed = dict(record, data=dict(record["data"], counts={"a": 1, "b": 1, "c": 1}))
    assert [c["code"] for c in ingest([changed]).conflicts] == ["conflict"]
    assert option_hands(hands(app)) == {"a": 10, "b": 4, "c": 26}


@pytest.mark.parametrize(
    "change, code, params",
    [
        ({"counts": {"a": -1, "c": 3}}, "out_of_range", {"option": "a", "value": -1, "low": 0}),
        ({"counts": {"a": 2, "c": 2.5}}, "not_whole_number", {"option": "c"}),
        ({"counts": {"a": "7"}}, "not_whole_number", {"option": "a"}),
        ({"counts": {"a": 2, "z": 3}}, "unknown_option", {"option": "z", "question": "acknowledge"}),
        ({"counts": {"d": 3}}, "unknown_option", {"option": "d"}),  # an option of another question
        ({"counts": {}}, "no_counts", {}),
        ({"counts": [1, 2]}, "no_counts", {}),
        ({"question_id": "no-such-question"}, "unknown_question", {"question": "no-such-question"}),
        ({"question_id": "barcode-893"}, "unknown_question", {"quiz": "complaints"}),  # of another quiz
        ({"quiz_id": "astrology"}, "unknown_quiz", {}),
        ({"lang": "fr"}, "unknown_language", {}),
        ({"phase": "during"}, "bad_phase", {}),
        ({"session_id": None}, "not_uuid", {"field": "session_id"}),
    ],
)
def test_a_wrong_field_is_rejected_naming_it(app, ingest, session, change, code, params):
    record = tally_record(session["id"], **change)
    good = tally_record(session["id"], question="negotiate", counts={"b": 30})
    result = ingest([record, good])
    assert result.accepted == [good["id"]], "the valid record beside it is stored"
    assert [r["id"] for r in result.rejected] == [record["id"]]
    rejected = result.rejected[0]
    assert rejected["code"] == code and params.items() <= rejected["params"].items(), rejected
    with app.app_context():
        assert db.session.query(QuizTally).count() == 1


def test_barcode_893_is_a_question_of_another_quiz(app):
    """(The case above relies on it.)"""
    quizzes = state(app).content.quizzes["vi"]
    assert "barcode-893" not in quizzes["complaints"].option_ids()
    assert "barcode-893" in quizzes["counterfeit"].option_ids()


def test_a_residents_phone_cannot_send_tallies(ingest, session):
    result = ingest([tally_record(session["id"])], actor=RESIDENT)
    assert [r["code"] for r in result.rejected] == ["resident_cannot"]


def test_a_tally_for_another_communes_session_is_rejected(app, ingest):
    other = dataclasses.replace(STAFF, token_id=3, user_id=3, username="other", commune_codes=frozenset({4}))
    s = session_record(commune=4)
    assert ingest([s], actor=other).accepted
    result = ingest([tally_record(s["id"])])
    assert [r["code"] for r in result.rejected] == ["commune_not_yours"]


# -- no more hands than people -----------------------------------------------------------------------


def test_more_hands_than_the_sessions_attendance_is_rejected(app, ingest, session):
    record = tally_record(session["id"], counts={"a": 20, "b": 20, "c": 7})  # 47 hands, 46 people
    result = ingest([record])
    assert [
        (r["id"], r["code"], r["params"]["hands"], r["params"]["attendance"]) for r in result.rejected
    ] == [(record["id"], "tally_over_attendance", 47, 46)]
    assert hands(app) == {}
    exactly = tally_record(session["id"], counts={"a": 20, "b": 20, "c": 6})
    assert ingest([exactly]).accepted == [exactly["id"]]


def test_attendance_in_the_same_batch_counts_for_the_check(app, ingest):
    s = session_record()
    lines = [attendance_record(s["id"], 20, 10, 10), attendance_record(s["id"], 20, 10, 10)]
    over = tally_record(s["id"], counts={"c": 41})
    fits = tally_record(s["id"], question="negotiate", counts={"b": 40})
    result = ingest([s, *lines, over, fits])
    assert [r["code"] for r in result.rejected] == ["tally_over_attendance"]
    assert result.rejected[0]["params"]["attendance"] == 40
    assert fits["id"] in result.accepted


def test_a_tally_before_its_session_waits_and_joins_it(app, ingest):
    s = session_record()
    record = tally_record(s["id"])
    assert ingest([record]).accepted == [record["id"]]
    with app.app_context():
        assert stored_row(QuizTally, record["id"]).commune_code is None
        assert reports.waiting_for_session()["quiz_tallies"] == 1
    assert hands(app) == {}, "not counted before its session"
    ingest([s, attendance_record(s["id"], 46, 27, 31)])
    with app.app_context():
        assert stored_row(QuizTally, record["id"]).commune_code == MUONG_KIM
        assert reports.waiting_for_session()["quiz_tallies"] == 0
    assert hands(app)["hands"] == 40


def test_a_tally_that_cannot_be_checked_on_arrival_is_checked_when_counted(app, ingest):
    """The tally arrives before its session; the session counted fewer people than hands: it
    is kept, not counted, and listed on the data quality page. More attendance brings it in."""
    s = session_record()
    record = tally_record(s["id"])  # 40 hands
    assert ingest([record]).accepted == [record["id"]]
    ingest([s, attendance_record(s["id"], 30, 15, 15)])
    assert hands(app) == {}
    with app.app_context():
        listed = quiz_tallies.over_attendance()
    assert [(t["id"], t["hands"], t["attendance"]) for t in listed] == [(record["id"], 40, 30)]
    with app.app_context():
        assert quiz_tallies.over_attendance(province=1) == [], "another province's page"
    ingest([attendance_record(s["id"], 10, 5, 5)])
    assert hands(app)["hands"] == 40
    with app.app_context():
        assert quiz_tallies.over_attendance() == []


def test_a_tally_of_a_session_with_no_attendance_yet_is_accepted_but_not_counted(app, ingest):
    s = session_record()
    ingest([s])
    record = tally_record(s["id"])
    assert ingest([record]).accepted == [record["id"]]
    assert hands(app) == {}
    ingest([attendance_record(s["id"], 46, 27, 31)])
    assert hands(app)["hands"] == 40


def test_the_data_quality_page_lists_tallies_over_attendance(app, ingest):
    s = session_record()
    record = tally_record(s["id"])
    ingest([record])
    ingest([s, attendance_record(s["id"], 12, 6, 6)])
    create_account(app, "boss", role="organiser")
    client = app.test_client()
    log_in(client, "boss")
    page = client.get("/organiser/data-quality").get_data(as_text=True)
    assert "Giơ tay: số tay giơ nhiều hơn số người" in page
    row = page[page.index("acknowledge") - 400 : page.index("acknowledge") + 200]
    assert '<td class="num">40</td><td class="num">12</td>' in row and "Xã Mường Kim" in row


# -- re-counts, voids -----------------------------------------------------------------------------


def test_a_recount_replaces_the_earlier_count_whatever_the_order(app, ingest, session):
    first = tally_record(session["id"], counts={"a": 10, "b": 4, "c": 26}, created=15)
    recount = tally_record(session["id"], counts={"a": 5, "b": 5, "c": 30}, created=18)
    other_phase = tally_record(session["id"], counts={"c": 44}, phase="post", created=60)
    assert len(ingest([recount]).accepted) == 1
    assert len(ingest([first, other_phase]).accepted) == 2  # the earlier count arrives later
    results = hands(app)
    assert results["tallies"] == 2 and option_hands(results) == {"a": 5, "b": 5, "c": 30 + 44}
    with app.app_context():
        assert db.session.query(QuizTally).count() == 3, "every count is kept"


def test_voiding_a_recount_brings_back_the_count_before_it(app, ingest, session):
    first = tally_record(session["id"], counts={"c": 20}, created=15)
    recount = tally_record(session["id"], counts={"c": 30}, created=18)
    ingest([first, recount])
    assert hands(app)["hands"] == 30
    void = {
        "id": rid(),
        "type": "void",
        "created_at": when(40),
        "data": {"target_id": recount["id"], "reason": "miscounted"},
    }
    assert ingest([void]).accepted == [void["id"]]
    assert hands(app)["hands"] == 20


def test_voiding_the_session_takes_its_tallies_out(app, ingest, session):
    before = tally_record(session["id"])
    ingest([before])
    void = {
        "id": rid(),
        "type": "void",
        "created_at": when(40),
        "data": {"target_id": session["id"], "reason": "a test"},
    }
    ingest([void])
    late = tally_record(session["id"], question="negotiate", counts={"b": 3})
    ingest([late])  # a tally of the voided session that arrives after the void
    assert hands(app) == {}
    with app.app_context():
        for record in (before, late):
            assert stored_row(QuizTally, record["id"]).hold & HOLD_SESSION_VOIDED
        # Held out with its session: not "more hands than people" for the data quality page.
        assert quiz_tallies.over_attendance() == []


# -- results, apart from individual answers ------------------------------------------------------


@pytest.fixture
def asked(app, ingest, session):
    """The session: 4 individual answers (2 before: 1 right; 2 after: both right), and the two
    questions counted by show of hands before and after the talk."""
    answers = [
        quiz_record(app, session["id"], "pre", right=False),
        quiz_record(app, session["id"], "pre", right=True),
        quiz_record(app, session["id"], "post", right=True),
        quiz_record(app, session["id"], "post", right=True),
    ]
    tallies = [
        tally_record(session["id"], {"a": 10, "b": 10, "c": 20}, "acknowledge", "pre", 20),
        tally_record(session["id"], {"a": 5, "b": 10, "c": 5, "d": 20}, "negotiate", "pre", 21),
        tally_record(session["id"], {"a": 2, "b": 2, "c": 36}, "acknowledge", "post", 60),
        tally_record(session["id"], {"a": 2, "b": 30, "c": 4, "d": 4}, "negotiate", "post", 61),
    ]
    assert len(ingest(answers + tallies).accepted) == 8
    return session


def test_quiz_results_keep_hands_apart_from_individual_answers(app, asked):
    with app.app_context():
        (quiz,) = [
            q
            for q in quiz_results(reports.ReportFilter(), state(app).content)
            if q["quiz_id"] == "complaints"
        ]
    # The individual answers are what they were: 4 people, nothing from the hands.
    assert quiz["responses"] == 4
    assert all(q["answered"] == 4 for q in quiz["questions"])
    assert quiz["gain"]["sessions"] == 1 and quiz["gain"]["points"] == round((1.0 - 0.5) * 100, 1)
    shown = quiz["show_of_hands"]
    assert shown["tallies"] == 4 and shown["hands"] == 160
    acknowledge = question(shown)
    assert acknowledge["hands"] == 80 and acknowledge["correct_share"] == round(56 / 80, 4)
    assert acknowledge["by_phase"] == {"pre": 0.5, "post": 0.9}
    assert option_hands(shown) == {"a": 12, "b": 12, "c": 56}
    assert [o["id"] for o in acknowledge["options"] if o["correct"]] == [RIGHT]
    # Gain from hands: both questions, pooled: before 30/80 right, after 66/80.
    assert shown["gain"] == {
        "sessions": 1,
        "questions": 2,
        "pre": round(30 / 80, 4),
        "post": round(66 / 80, 4),
        "points": round((66 / 80 - 30 / 80) * 100, 1),
    }


def test_filters_apply_to_tallies(app, asked):
    assert hands(app, province=12)["hands"] == 160
    assert hands(app, province=1) == {}
    assert hands(app, lang="en") == {}
    assert hands(app, topic="counterfeit") == {}
    assert hands(app, topic="complaints")["tallies"] == 4


def test_a_quiz_asked_only_aloud_is_in_the_results(app, ingest, session):
    ingest([tally_record(session["id"])])
    with app.app_context():
        (quiz,) = quiz_results(reports.ReportFilter(), state(app).content)
    assert quiz["quiz_id"] == "complaints" and quiz["responses"] == 0
    assert quiz["show_of_hands"]["hands"] == 40


def test_dashboard_xlsx_and_yearly_report_show_the_hands_beside_the_answers(app, asked):
    create_account(app, "boss", role="organiser")
    client = app.test_client()
    log_in(client, "boss")
    page = client.get("/organiser/").get_data(as_text=True)
    quiz = page[page.index("Kết quả trắc nghiệm") :]
    assert "Giơ tay" in quiz and "4 lần đếm, 160 lượt giơ tay" in quiz
    assert "tỷ lệ giơ tay chọn đáp án đúng đổi từ 38% thành 82% (+45 điểm phần trăm)" in quiz
    assert "Trong 1 buổi có trắc nghiệm trước và sau buổi nói chuyện" in quiz, "the individual gain stays"

    book = load_workbook(io.BytesIO(client.get("/organiser/export.xlsx").data))
    individual = list(book["Kết quả trắc nghiệm"].iter_rows(values_only=True))[1:]
    assert {r[1]: r[3] for r in individual if r[0] == "complaints"}["acknowledge"] == 4
    shown = list(book["Giơ tay"].iter_rows(values_only=True))
    acknowledge = next(r for r in shown if r[1] == "acknowledge")
    assert acknowledge[3] == 80 and acknowledge[5] == 0.5 and acknowledge[6] == 0.9

    year = __import__("tests.conftest", fromlist=["TEST_DAY"]).TEST_DAY.year
    report = client.get(f"/organiser/report?year={year}").get_data(as_text=True)
    assert "Giơ tay: 4 lần đếm, 160 lượt giơ tay." in report


def test_sync_over_http_accepts_tallies_and_the_openapi_document_describes_them(app, client):
    token = token_for(app)
    s = session_record()
    records = [s, attendance_record(s["id"]), tally_record(s["id"])]
    assert len(post_sync(client, token, records).get_json()["accepted"]) == 3
    over = tally_record(s["id"], counts={"c": 47})
    rejected = post_sync(client, token, [over]).get_json()["rejected"]
    assert [(r["code"], r["params"]["hands"], r["params"]["attendance"]) for r in rejected] == [
        ("tally_over_attendance", 47, 46)
    ]
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "quiz_tally" in schemas["Record"]["properties"]["type"]["enum"]
    assert set(schemas["QuizTallyData"]["required"]) >= {"session_id", "question_id", "counts"}
    strings = client.get("/vi/strings.json").get_json()
    assert "%(hands)s" in strings["problem_tally_over_attendance"]
    assert strings["record_quiz_tally"] == "Trắc nghiệm bằng giơ tay"

"""Consumer complaints: a case taken in the commune (by staff offline, or by the consumer from
their own phone) and its steps, stored once whatever the retries, the order or the concurrency;
steps out of order refused with the reason; photos uploaded in pieces and resumed; personal
data kept only with consent and deleted after the retention period."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from server import complaint_deadlines, complaints, reports
from server.extensions import db
from server.models import Complaint, ComplaintPhoto, ComplaintStep
from tests.conftest import (
    KHOEN_ON,
    MUONG_KIM,
    at_once,
    create_account,
    post_sync,
    rid,
    stored_row,
    token_for,
    when,
)


def complaint_record(record_id=None, **data):
    payload = {
        "commune_code": MUONG_KIM,
        "taken_at": when(),
        "goods": "Nồi cơm điện",
        "seller": "Cửa hàng điện máy Hòa",
        "place": "Chợ trung tâm xã",
        "what_happened": "Dùng hai ngày thì hỏng, người bán không đổi.",
        "amount": 650_000,
        "wanted": "exchange",
        "lang": "vi",
        "consent": True,
        "contact_name": "Lò Thị Mai",
        "contact_phone": "0912 345 678",
    }
    payload.update(data)
    return {"id": record_id or rid(), "type": "complaint", "created_at": when(), "data": payload}


def step_record(case_id, step, minutes=10, **data):
    payload = {"complaint_id": case_id, "step": step, "taken_at": when(minutes), **data}
    return {"id": rid(), "type": "complaint_step", "created_at": when(minutes), "data": payload}


def case(app, case_id) -> Complaint:
    with app.app_context():
        found = stored_row(Complaint, case_id)
        db.session.expunge_all()
        return found


def test_a_case_and_its_steps_are_stored_once_in_order(app, ingest):
    record = complaint_record()
    advised = step_record(record["id"], "advised", 5, note="Đã hướng dẫn giữ hóa đơn")
    transferred = step_record(record["id"], "transferred", 10, transferred_to="market_board")
    result = ingest([record, advised, transferred])
    assert result.accepted == [record["id"], advised["id"], transferred["id"]]
    again = ingest([record, advised, transferred])
    assert again.accepted == [] and len(again.duplicates) == 3
    stored = case(app, record["id"])
    assert (stored.status, stored.transferred_to, stored.province_code) == ("transferred", "market_board", 12)
    assert stored.contact_phone == "0912 345 678" and stored.amount == 650_000
    resolved = step_record(record["id"], "resolved", 20, money_recovered=650_000)
    assert ingest([resolved]).accepted == [resolved["id"]]
    stored = case(app, record["id"])
    assert (stored.status, stored.money_recovered) == ("resolved", 650_000)
    with app.app_context():
        assert [s.step for s in complaints.steps_of(record["id"])] == ["advised", "transferred", "resolved"]
        assert {s.by for s in complaints.steps_of(record["id"])} == {"staff1"}, "signed by who took each step"


@pytest.mark.parametrize(
    "steps, code",
    [
        ([("resolved", 10), ("advised", 20)], "case_finished"),
        ([("transferred", 10), ("advised", 20)], "step_out_of_order"),
        ([("advised", 10), ("advised", 20)], "step_out_of_order"),
        ([("advised", 20), ("transferred", 10)], "step_before_previous"),
    ],
)
def test_a_step_out_of_order_is_refused_with_the_reason(app, ingest, steps, code):
    record = complaint_record()
    ingest([record])
    first = step_record(record["id"], steps[0][0], steps[0][1], transferred_to="business")
    ingest([first])
    second = step_record(record["id"], steps[1][0], steps[1][1], transferred_to="business")
    result = ingest([second])
    assert [r["code"] for r in result.rejected] == [code]
    assert case(app, record["id"]).status == steps[0][0]


def test_a_resolved_step_before_its_case_is_refused_and_the_case_stands(app, ingest):
    case_id = rid()
    early = step_record(case_id, "resolved", money_recovered=5)
    assert [r["code"] for r in ingest([early]).rejected] == ["unknown_case"]
    record = complaint_record(case_id)
    assert ingest([record]).accepted == [case_id]
    assert case(app, case_id).status == "received"


@pytest.mark.parametrize(
    "change, code, field",
    [
        ({"goods": " "}, "text_needed", "goods"),
        ({"what_happened": "x" * 2001}, "text_too_long", "what_happened"),
        ({"amount": -1}, "out_of_range", "amount"),
        ({"wanted": "revenge"}, "bad_choice", "wanted"),
        ({"consent": False}, "consent_needed", "consent"),
        ({"contact_phone": "gọi tôi"}, "bad_phone", "contact_phone"),
        ({"commune_code": 4}, "commune_not_yours", None),
        ({"photo_ids": ["not-a-uuid"]}, "not_uuid", "photo_ids"),
    ],
)
def test_a_wrong_case_is_rejected_with_its_field_and_the_batch_goes_on(app, ingest, change, code, field):
    bad, good = complaint_record(**change), complaint_record()
    result = ingest([bad, good])
    assert result.accepted == [good["id"]]
    assert [r["code"] for r in result.rejected] == [code]
    if field:
        assert result.rejected[0]["params"]["field"] == field


def test_without_consent_no_contact_is_kept(app, ingest):
    record = complaint_record(consent=False, contact_name="", contact_phone="")
    assert ingest([record]).accepted == [record["id"]]
    assert (case(app, record["id"]).contact_name, case(app, record["id"]).consent) == ("", False)


def test_a_resident_sends_a_complaint_but_no_steps_and_within_a_tight_quota(app, client):
    token = client.post("/api/v1/devices/anonymous", json={"device_id": rid()}).get_json()["token"]
    record = complaint_record(commune_code=None)
    body = post_sync(client, token, [record]).get_json()
    assert body["accepted"] == [record["id"]]
    assert case(app, record["id"]).source == "resident"
    step = step_record(record["id"], "resolved")
    assert [r["code"] for r in post_sync(client, token, [step]).get_json()["rejected"]] == ["resident_cannot"]
    more = [complaint_record(commune_code=None) for _ in range(3)]
    answer = post_sync(client, token, more)
    assert answer.status_code == 429, "3 complaints a day from one phone"
    with app.app_context():
        assert db.session.query(Complaint).count() == 1, "nothing of the refused batch is stored"


def test_two_requests_stepping_the_same_case_at_once_leave_one_consistent_case(app, ingest):
    record = complaint_record()
    ingest([record])
    steps = [
        step_record(record["id"], "resolved", 10, money_recovered=100),
        step_record(record["id"], "closed", 10),
    ]
    results = at_once(app, [[step] for step in steps])
    assert sum(len(r.accepted) for r in results) == 1 and sum(len(r.rejected) for r in results) == 1
    with app.app_context():
        assert db.session.query(ComplaintStep).count() == 1
    assert case(app, record["id"]).status in ("resolved", "closed")


def test_figures_shares_success_rate_and_money_recovered(app, ingest):
    cases = [complaint_record() for _ in range(5)]
    ingest(cases)
    ingest(
        [
            step_record(cases[0]["id"], "resolved", money_recovered=650_000),
            step_record(cases[1]["id"], "advised"),
            step_record(cases[2]["id"], "transferred", transferred_to="association"),
            step_record(cases[3]["id"], "closed", note="Người bán đã bỏ đi"),
        ]
    )
    with app.app_context():
        found = complaints.figures(reports.ReportFilter(province=12))
    assert found["received"] == 5
    assert found["by_status"] == {"received": 1, "advised": 1, "transferred": 1, "resolved": 1, "closed": 1}
    assert (found["advised_share"], found["resolved_share"], found["success_rate"]) == (80, 20, 50)
    assert found["money_recovered"] == 650_000


def test_deadlines_count_working_days():
    friday = dt.datetime(2027, 3, 12, 9)
    assert complaint_deadlines.add_working_days(friday, 1) == dt.datetime(2027, 3, 15, 9)
    assert complaint_deadlines.deadline("received", friday, friday) == dt.datetime(2027, 3, 23, 9)
    assert complaint_deadlines.deadline("transferred", friday, friday) == dt.datetime(2027, 3, 30, 9)
    assert complaint_deadlines.deadline("resolved", friday, friday) is None


def test_personal_data_is_deleted_after_the_retention_period(app, ingest):
    old, open_case = complaint_record(), complaint_record()
    ingest([old, open_case, step_record(old["id"], "resolved", money_recovered=1)])
    with app.app_context():
        assert complaints.purge_personal_data(365) == 0
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=366)
        assert complaints.purge_personal_data(365, now=later) == 1
        purged, kept = stored_row(Complaint, old["id"]), stored_row(Complaint, open_case["id"])
        assert (purged.contact_name, purged.contact_phone) == ("", "") and purged.personal_deleted_at
        assert purged.goods == "Nồi cơm điện" and purged.money_recovered == 1, "the anonymous case stays"
        assert kept.contact_name == "Lò Thị Mai", "an open case keeps its contact"


# -- photos --------------------------------------------------------------------------------


def jpeg(size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def put(client, token, photo_id, data, start, total):
    end = start + len(data) - 1
    return client.put(
        f"/api/v1/photos/{photo_id}",
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Range": f"bytes {start}-{end}/{total}"},
    )


def test_a_photo_upload_interrupted_and_resumed_arrives_whole_once(app, client):
    token = token_for(app)
    photo_id, photo = rid(), jpeg()
    record = complaint_record(photo_ids=[photo_id])
    post_sync(client, token, [record])
    total, piece = len(photo), 40_000
    assert put(client, token, photo_id, photo[:piece], 0, total).get_json()["received"] == piece
    # the network drops; the phone asks where to resume, and a piece is sent twice
    status = client.get(f"/api/v1/photos/{photo_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (status["received"], status["complete"]) == (piece, False)
    assert put(client, token, photo_id, photo[:piece], 0, total).get_json()["received"] == piece
    gap = put(client, token, photo_id, photo[piece * 2 : piece * 3], piece * 2, total)
    assert gap.status_code == 409 and gap.get_json()["params"]["received"] == piece
    start = piece
    while start < total:
        answer = put(client, token, photo_id, photo[start : start + piece], start, total)
        assert answer.status_code == 200, answer.get_json()
        start += piece
    assert answer.get_json()["complete"] is True
    with app.app_context():
        stored = stored_row(ComplaintPhoto, photo_id)
        assert stored.data == photo and stored.mimetype == "image/jpeg"


def test_a_photo_that_is_not_an_image_too_large_or_of_another_phone_is_refused(app, client):
    token = token_for(app)
    photo_id = rid()
    post_sync(client, token, [complaint_record(photo_ids=[photo_id])])
    text = b"this is not a photo at all" * 10
    refused = put(client, token, photo_id, text, 0, len(text))
    assert refused.status_code == 415 and refused.get_json()["code"] == "not_an_image"
    assert (
        client.get(f"/api/v1/photos/{photo_id}", headers={"Authorization": f"Bearer {token}"}).get_json()[
            "received"
        ]
        == 0
    )
    big = app.config["PHOTO_MAX_BYTES"] + 1
    assert put(client, token, photo_id, b"x", 0, big).status_code == 413
    create_account(app, "staff2", communes=(KHOEN_ON,))
    other = token_for(app, "staff2")
    photo = jpeg((64, 64))
    assert put(client, other, photo_id, photo, 0, len(photo)).status_code == 404
    assert put(client, token, rid(), photo, 0, len(photo)).status_code == 404, "a photo no complaint names"
    last = put(client, token, photo_id, photo, 0, len(photo))
    assert last.get_json().get("complete") is True, last.get_json()


def test_the_purge_command_says_how_many_cases_it_purged(app, ingest):
    record = complaint_record()
    ingest([record, step_record(record["id"], "closed")])
    from server.cli import cli

    runner = app.test_cli_runner()
    assert "0 finished cases" in runner.invoke(cli, ["complaints", "purge"]).output
    assert "1 finished cases" in runner.invoke(cli, ["complaints", "purge", "--days", "0"]).output
    assert case(app, record["id"]).contact_name == ""
    assert runner.invoke(cli, ["complaints", "purge", "--days", "-1"]).exit_code != 0

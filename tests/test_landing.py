"""The page a leaflet's QR code opens, scans counted once per phone and day, and what scans show."""

import datetime as dt

import pytest

from server import leaflets, reports
from server.extensions import db
from server.models import Leaflet, LeafletScan
from server.state import state
from tests.conftest import KHOEN_ON, MUONG_KIM, now_stamp, post_sync, rid, stored_row, when


@pytest.fixture
def made(app):
    with app.app_context():
        content = state(app).content
        vi = leaflets.get_or_create_leaflets("complaints", "vi", [MUONG_KIM, KHOEN_ON], content)
        km = leaflets.get_or_create_leaflets("counterfeit", "km", [MUONG_KIM], content)
        return {"vi": [leaflet.code for leaflet in vi], "km": [leaflet.code for leaflet in km]}


def scan_count(app, code=None):
    with app.app_context():
        query = db.session.query(LeafletScan)
        return (query.filter_by(code=code) if code else query).count()


def test_landing_page_shows_the_topic_in_the_leaflets_language(app, client, made):
    code = made["km"][0]
    response = client.get(f"/l/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="km"' in html
    topic = state(app).content.topics["km"]["counterfeit"]
    assert topic.title in html
    for point in topic.key_points:
        assert point in html.replace("&#34;", '"').replace("&#39;", "'")
    assert 'href="tel:18006838"' in html and 'href="/km/quiz/counterfeit"' in html
    assert "<script" not in html.split("</head>")[1], "readable with no script in the body"


def test_a_visit_counts_one_scan_and_a_reload_does_not(app, client, made):
    code = made["vi"][0]
    client.get(f"/l/{code}")
    client.get(f"/l/{code}")
    assert scan_count(app, code) == 1
    other = app.test_client()  # another phone, on another network
    other.get(f"/l/{code}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert scan_count(app, code) == 2


def test_phones_sharing_an_address_count_once_on_a_first_visit_and_again_with_their_cookie(app, made):
    """The price of counting a client that drops its cookie once: a second phone's first visit
    from the same address (a family's Wi-Fi, a carrier's shared address) looks the same, so it
    counts only when the phone comes back with the cookie it was given."""
    code = made["vi"][0]
    first, second = app.test_client(), app.test_client()
    first.get(f"/l/{code}")
    second.get(f"/l/{code}")
    assert scan_count(app, code) == 1
    second.get(f"/l/{code}")
    first.get(f"/l/{code}")
    assert scan_count(app, code) == 2


def test_no_personal_data_in_a_scan(app, client, made):
    client.get(
        f"/l/{made['vi'][0]}",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        headers={"User-Agent": "Phone/1.0"},
    )
    with app.app_context():
        scan = db.session.query(LeafletScan).one()
        values = [str(getattr(scan, c.name)) for c in LeafletScan.__table__.columns]
    assert not any("203.0.113.9" in v or "Phone" in v for v in values)
    assert {c.name for c in LeafletScan.__table__.columns} == {
        "id",
        "code",
        "scanned_at",
        "received_at",
        "source",
        "commune_code",
        "province_code",
        "hold",
        "client_hash",  # salted with a salt deleted after the day: no way back to the phone
        "client_day",
    }


def test_code_typed_by_hand_in_lower_case(client, made):
    code = made["vi"][1]
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    response = client.get("/l/", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"] == f"/l/{code}"
    assert client.get(f"/l/{code.lower()}").headers["Location"] == f"/l/{code}"


def test_unknown_code_gets_a_friendly_page_with_a_box(client, made):
    code = made["vi"][0]
    mistyped = code[:-1] + ("2" if code[-1] != "2" else "3")
    response = client.get(f"/l/{mistyped}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<input id="code" name="code"' in html and mistyped in html
    assert "0, O, 1, I" in html or "0, O, 1, I hoặc L" in html


def test_a_leaflet_whose_topic_left_the_content_gets_a_friendly_404(app, client):
    """A printed leaflet outlives its topic: its QR code opens a page saying so, in the
    leaflet's language, and no scan is counted."""
    with app.app_context():
        code = leaflets.new_code()
        scope = Leaflet.scope_of("retired-topic", "km", MUONG_KIM)
        db.session.add(
            Leaflet(code=code, scope=scope, topic_id="retired-topic", lang="km", commune_code=MUONG_KIM)
        )
        db.session.commit()
    response = client.get(f"/l/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and '<html lang="km"' in html
    assert "retired-topic" in html and 'href="/km/"' in html
    assert scan_count(app) == 0


def test_scan_made_offline_arrives_by_sync(app, client, made):
    token = client.post("/api/v1/devices/anonymous", json={"device_id": rid()}).get_json()["token"]
    code = made["vi"][0]
    record = {
        "id": rid(),
        "type": "leaflet_scan",
        "created_at": when(),
        "data": {"code": code.lower(), "scanned_at": now_stamp()},  # after the leaflet was printed
    }
    assert post_sync(client, token, [record]).get_json()["accepted"] == [record["id"]]
    assert post_sync(client, token, [record]).get_json()["duplicates"] == [record["id"]]
    with app.app_context():
        scan = db.session.query(LeafletScan).one()
        assert (scan.code, scan.source, scan.commune_code) == (code, "offline", MUONG_KIM)


def test_the_decoded_url_opens_the_right_topic_and_language(app, client, made, tmp_path):
    import io

    import zxingcpp
    from PIL import Image

    code = made["km"][0]
    with app.app_context():
        content = state(app).content
        leaflet = stored_row(Leaflet, code)
        png = leaflets.render_png(leaflet, content, "http://localhost")
    [decoded] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == f"http://localhost/l/{code}"
    html = client.get(decoded.removeprefix("http://localhost")).get_data(as_text=True)
    assert '<html lang="km"' in html
    assert state(app).content.topics["km"]["counterfeit"].title in html


def test_scan_reports(app, client, made):
    for n, code in enumerate((made["vi"][0], made["vi"][0], made["km"][0])):  # three phones
        app.test_client().get(f"/l/{code}", environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
    with app.app_context():
        flt = reports.ReportFilter(province=12)
        by_leaflet = {r["code"]: r["scans"] for r in reports.scans_by_leaflet(flt)}
        assert by_leaflet == {made["vi"][0]: 2, made["vi"][1]: 0, made["km"][0]: 1}
        assert {r["lang"]: r["scans"] for r in reports.scans_by_language(flt)} == {"vi": 2, "km": 1}
        assert {r["commune_code"]: r["scans"] for r in reports.scans_by_commune(flt)} == {MUONG_KIM: 3}
        assert [r["commune_code"] for r in reports.communes_never_scanned(flt)] == [KHOEN_ON]
        week = dt.date.today().isocalendar()
        assert reports.scans_by_week(flt) == [{"week": f"{week[0]}-W{week[1]:02d}", "scans": 3}]
        assert reports.scans_by_leaflet(reports.ReportFilter(province=1)) == []


def test_organiser_leaflet_page_downloads_and_reports(tmp_path):
    from tests.conftest import create_account, log_in, make_app, post_form

    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    create_account(app, "organiser", role="organiser")
    client = app.test_client()
    log_in(client, "organiser")

    def post_leaflets(**fields):
        return post_form(client, "/organiser/leaflets", topic="complaints", lang="vi", **fields)

    response = post_leaflets(province="", communes=f"{MUONG_KIM} {KHOEN_ON}", output="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    zipped = post_leaflets(communes=str(MUONG_KIM), output="zip")
    assert zipped.mimetype == "application/zip" and zipped.data[:2] == b"PK"
    bad = post_leaflets(communes="99999999", output="pdf")
    assert bad.status_code == 400 and "99999999" in bad.get_data(as_text=True)
    assert "Communes whose leaflets were never scanned" in client.get("/organiser/leaflets").get_data(
        as_text=True
    ) or "chưa được quét" in client.get("/organiser/leaflets").get_data(as_text=True)
    inverted = client.get("/organiser/leaflets?from=2027-03-20&to=2027-03-01")
    assert inverted.status_code == 400 and "trước ngày bắt đầu" in inverted.get_data(as_text=True)
    assert client.get("/organiser/leaflets?province=999").status_code == 400

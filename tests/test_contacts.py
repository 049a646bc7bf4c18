"""A province's contact card: organisers fill it in, residents of that province see it beside the
national hotline (leaflet pages, topic pages, the letter), and nothing is ever invented."""

from __future__ import annotations

import re
from html import unescape

from server import leaflets, pwa
from server.extensions import db
from server.models import AuditEntry
from server.state import state
from server.web import get_content
from tests.conftest import LAI_CHAU, MUONG_KIM, create_account, csrf, first_match, log_in

KHANH_HOA = 56
NHA_TRANG = 22366  # Phường Nha Trang, Khánh Hòa


def organiser_of(app, province, name="lc"):
    create_account(app, name, role="organiser", province=province)
    client = app.test_client()
    assert log_in(client, name).status_code == 302
    return client


def save(client, province=None, **phones):
    url = "/organiser/contacts" + (f"?province={province}" if province else "")
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf(page), **phones})


def leaflet_page(app, client, commune):
    with app.app_context():
        [leaflet] = leaflets.get_or_create_leaflets("complaints", "vi", [commune], get_content())
    return client.get(f"/l/{leaflet.code}", headers={"X-Loa-No-Scan": "1"}).get_data(as_text=True)


def test_an_empty_card_shows_only_the_national_hotline(csrf_app):
    client = csrf_app.test_client()
    for url in ("/vi/topics/complaints", "/vi/letter", "/vi/contacts"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="tel:18006838"' in html and "contact-card" not in html, url
    assert "Chưa tỉnh nào cho số điện thoại" in client.get("/vi/contacts").get_data(as_text=True)
    assert "contact-card" not in leaflet_page(csrf_app, client, MUONG_KIM)


def test_a_province_card_reaches_that_provinces_residents_only(csrf_app):
    client = organiser_of(csrf_app, LAI_CHAU)
    response = save(client, doit="0213 3876 543", market="", association="0213.3877.000")
    assert response.status_code == 302
    resident = csrf_app.test_client()
    html = leaflet_page(csrf_app, resident, MUONG_KIM)
    card = first_match(r'(<section class="contact-card" id="p-12".*?</section>)', html, re.S)
    assert "Sở Công Thương" in card and 'href="tel:02133876543"' in card and ">0213 3876 543<" in card
    assert (
        "Hội bảo vệ quyền lợi người tiêu dùng" in card and "Quản lý thị trường" not in card
    )  # empty: not shown
    assert 'href="tel:18006838"' in html
    assert "contact-card" not in leaflet_page(csrf_app, resident, NHA_TRANG)
    contacts_page = resident.get("/vi/contacts").get_data(as_text=True)
    assert 'id="p-12"' in contacts_page and 'data-choose-province="12"' in contacts_page
    with csrf_app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="contacts.saved").one()
        assert entry.province_code == LAI_CHAU and entry.actor_name == "lc"


def test_a_bad_number_is_refused_in_the_readers_language_and_nothing_changes(csrf_app):
    client = organiser_of(csrf_app, LAI_CHAU)
    assert save(client, doit="0213 3876 543").status_code == 302
    response = save(client, doit="0213 1111 222", market="gọi Sở")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "'gọi Sở' không phải số điện thoại" in html
    assert 'value="0213 1111 222"' in html, "what was typed is kept"
    card = csrf_app.test_client().get("/vi/contacts").get_data(as_text=True)
    assert "0213 3876 543" in card and "0213 1111 222" not in card


def test_a_province_organiser_cannot_fill_another_provinces_card(csrf_app):
    client = organiser_of(csrf_app, LAI_CHAU)
    response = save(client, province=KHANH_HOA, doit="0258 000 111")
    assert response.status_code == 403
    assert "0258 000 111" not in csrf_app.test_client().get("/vi/contacts").get_data(as_text=True)
    national = organiser_of(csrf_app, None, name="nat")
    assert save(national, province=KHANH_HOA, doit="0258 000 111").status_code == 302
    assert 'id="p-56"' in csrf_app.test_client().get("/vi/contacts").get_data(as_text=True)


def test_phones_download_the_contacts_again_when_a_card_changes(csrf_app):
    client = organiser_of(csrf_app, LAI_CHAU)
    with csrf_app.test_request_context():
        before = pwa.precache_manifest()["version"]
        urls = pwa.precache_urls("vi")
    assert "/vi/contacts" in urls and "/vi/letter" in urls
    assert save(client, doit="0213 3876 543").status_code == 302
    with csrf_app.test_request_context():
        assert pwa.precache_manifest()["version"] != before
    assert state(csrf_app).precache is not None


def test_two_organisers_saving_a_first_card_at_once_do_not_fail(app, monkeypatch):
    """The second save of a province's first card finds the row the first one just inserted:
    it becomes an update, never an error page."""
    from server import contacts
    from server.models import ProvinceContact

    with app.app_context():
        contacts.save(LAI_CHAU, {"doit": "0213 111 111"}, by="first")
        real_get = db.session.get
        reads: list[int] = []  # the second organiser's first read happened before the first one's insert

        def get(model, key, *args, **kwargs):
            if model is ProvinceContact and not reads:
                reads.append(key)
                return None
            return real_get(model, key, *args, **kwargs)

        monkeypatch.setattr(db.session, "get", get)
        contacts.save(LAI_CHAU, {"doit": "0213 222 222"}, by="second")
        monkeypatch.undo()
        card = contacts.card(LAI_CHAU)
        assert card is not None and card.phones == {"doit": "0213 222 222"}
        assert db.session.query(AuditEntry).filter_by(action="contacts.saved").count() == 2

"""Organiser pages that keep the organiser (issue 13, point 8): errors within the organiser's
pages with the way back, readable device names, a report fit to sign, and a logout button
that is all in the page's language."""

import re

import pytest

from server.devices import describe_user_agent
from tests.conftest import create_account, log_in, token_for

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 13; SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.144 Mobile Safari/537.36"
)
# What a phone sends as its label: its user agent, cut at 100 characters (staff.js).
PHONE_LABEL = ANDROID_CHROME[:100]
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture
def boss(app, client):
    create_account(app, "boss", role="organiser")
    log_in(client, "boss")
    return client


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (ANDROID_CHROME, ("Chrome", "Android 13")),
        (IPHONE_SAFARI, ("Safari", "iPhone")),
        (WINDOWS_FIREFOX, ("Firefox", "Windows")),
        # phones send their user agent cut at 100 characters: the iPhone's browser is cut off
        (IPHONE_SAFARI[:100], (None, "iPhone")),
        (ANDROID_CHROME[:100], ("Chrome", "Android 13")),
        # Android's reduced user agent always says "Android 10; K": no version then
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
            ("Chrome", "Android"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 12; SM-A115F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
            ("Samsung Internet", "Android 12"),
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/120.0.0 Chrome/114.0.0.0 Safari/537.36",
            ("Cốc Cốc", "Windows"),
        ),
        (
            "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i;Android; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5",
            ("Firefox", "KaiOS"),
        ),
        ("Điện thoại của Mai", (None, None)),  # a name given at `loa devices enroll`
        ("", (None, None)),
    ],
)
def test_describe_user_agent(label, expected):
    assert describe_user_agent(label) == expected


def test_devices_page_names_the_phone_and_keeps_the_full_label(app, boss):
    from server.extensions import db
    from server.models import DeviceToken

    token_for(app, "mai", role="staff")
    with app.app_context():
        db.session.execute(db.update(DeviceToken).values(label=PHONE_LABEL))
        db.session.commit()
    html = boss.get("/organiser/devices", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'<span title="{PHONE_LABEL}">Chrome on Android 13</span>' in html
    assert f">{PHONE_LABEL}<" not in html


def test_an_empty_export_stays_in_the_organiser_pages_with_a_way_back(boss):
    response = boss.get(
        "/organiser/export.csv?province=12&from=2030-01-01&to=2030-12-31", headers={"Accept-Language": "en"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert re.search(r"<h1>No records for .*: there is nothing to export\.</h1>", html)
    assert 'class="subnav"' in html, "the organiser's menu"
    assert "Choose a language to start again" not in html, "not the residents' page"
    back = re.search(r'<a class="button" href="([^"]+)">Back to the figures</a>', html)
    assert back is not None
    assert back.group(1).replace("&amp;", "&") == "/organiser/?province=12&from=2030-01-01&to=2030-12-31"


def test_organiser_errors_keep_the_organiser_and_api_errors_stay_json(boss):
    bad_year = boss.get("/organiser/report?year=abc&province=12", headers={"Accept-Language": "en"})
    html = bad_year.get_data(as_text=True)
    assert bad_year.status_code == 400 and 'class="subnav"' in html
    assert "is not a year" in html and 'href="/organiser/?province=12"' in html
    api = boss.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.is_json
    resident = boss.get("/vi/no-such-page")
    assert resident.status_code == 404 and 'class="subnav"' not in resident.get_data(as_text=True)


def test_staff_who_stray_here_get_the_site_error_page(app, client):
    create_account(app, "mai", role="staff")
    log_in(client, "mai")
    html = client.get("/organiser/devices").get_data(as_text=True)
    assert 'class="subnav"' not in html


def test_report_has_a_letterhead_and_a_signature_block(boss):
    html = boss.get("/organiser/report?year=2027&province=12", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<p class="org">Department of Industry and Trade of Lai Châu</p>' in html
    assert html.index('class="letterhead"') < html.index("<h1>") < html.index('class="signatures"')
    national = boss.get("/organiser/report?year=2027", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<p class="org">Loa</p>' in national
    assert "Prepared by" in national and "Head of unit" in national


def test_logout_button_keeps_the_username_out_of_the_translation(boss):
    html = boss.get("/organiser/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    button = re.search(r'<button class="linkish" type="submit">(.*?)</button>', html)
    assert button is not None
    assert button.group(1) == 'Đăng xuất <span class="who" translate="no">· boss</span>'
    assert "(boss)" not in html


def test_organiser_pages_load_the_confirm_script(boss):
    html = boss.get("/organiser/").get_data(as_text=True)
    assert re.search(
        r'<main id="main" tabindex="-1">\s*<script type="module" src="/static/js/confirm\.', html
    )
    assert "onclick" not in html

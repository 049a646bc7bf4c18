"""Campaign-wide values are written once (server/campaign.py, server/models.py) and every page,
script, stylesheet and icon takes them from there."""

import re

from server import campaign
from server.config import PROJECT_ROOT
from server.models import ROLES

CODE = [
    p
    for folder in ("server", "pwa/templates", "pwa/static/js", "pwa/static/css", "tools")
    for p in (PROJECT_ROOT / folder).rglob("*")
    if p.suffix in {".py", ".html", ".js", ".css"} and "vendor" not in p.parts
]
HOME = PROJECT_ROOT / "server" / "campaign.py"


def files_containing(text: str) -> list[str]:
    return sorted(
        str(p.relative_to(PROJECT_ROOT)) for p in CODE if p != HOME and text in p.read_text(encoding="utf-8")
    )


def test_the_hotline_is_written_once():
    assert files_containing(campaign.HOTLINE) == []
    assert files_containing(campaign.HOTLINE_TEL) == []


def test_pages_and_the_service_worker_show_the_hotline(client):
    home = client.get("/vi/").get_data(as_text=True)
    assert (
        f'href="tel:{campaign.HOTLINE_TEL}"' in home and f"Gọi tổng đài miễn phí {campaign.HOTLINE}" in home
    )
    sw = client.get("/sw.js").get_data(as_text=True)
    assert f'"hotline": {{"display": "{campaign.HOTLINE}", "tel": "{campaign.HOTLINE_TEL}"}}' in sw


def test_the_brand_colour_is_written_once_and_the_stylesheet_and_icon_agree():
    assert files_containing(campaign.BRAND_COLOUR) == ["pwa/static/css/app.css"]
    css = (PROJECT_ROOT / "pwa/static/css/app.css").read_text()
    assert re.search(r"--brand:\s*([#0-9a-fA-F]+);", css).group(1) == campaign.BRAND_COLOUR  # type: ignore[union-attr]
    svg = (PROJECT_ROOT / "pwa/static/icons/icon.svg").read_text()
    assert f'fill="{campaign.BRAND_COLOUR}"' in svg


def test_the_manifest_and_pages_use_the_brand_colour(client):
    assert client.get("/manifest.webmanifest").get_json()["theme_color"] == campaign.BRAND_COLOUR
    assert f'<meta name="theme-color" content="{campaign.BRAND_COLOUR}">' in client.get("/vi/").get_data(
        as_text=True
    )


def test_role_names_are_written_once():
    """No comparison or choice spells a role out: they use ORGANISER, STAFF and ROLES."""
    names = "|".join(ROLES)
    spelled = re.compile(r"role\w*[^\n]{0,16}[\"'](" + names + r")[\"']")
    found = [
        f"{p.relative_to(PROJECT_ROOT)}: {m.group(0)}"
        for p in CODE
        if p.suffix == ".py" and p.name != "models.py"
        for m in spelled.finditer(p.read_text(encoding="utf-8"))
    ]
    assert found == []

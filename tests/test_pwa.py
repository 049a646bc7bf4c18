"""The installable PWA: manifest, service worker, hashed immutable assets, content index."""

import json
import re

from server.content import REQUIRED_TOPICS
from server.state import state
from tests.conftest import first_match


def test_healthz(app, client):
    data = client.get("/healthz").get_json()
    assert data == {"status": "ok", "content_version": state(app).content.version}


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert ("192x192", "any") in sizes and ("512x512", "any") in sizes and ("512x512", "maskable") in sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_static_assets_are_hashed_and_immutable(client):
    html = client.get("/vi/").get_data(as_text=True)
    css = first_match(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', html)
    response = client.get(css)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    # the unhashed name works but is revalidated
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/app.0000000000.css").status_code == 404


def test_js_imports_point_to_hashed_modules(client):
    html = client.get("/vi/").get_data(as_text=True)
    app_js = first_match(r'src="(/static/js/app\.[0-9a-f]{10}\.js)"', html)
    body = client.get(app_js).get_data(as_text=True)
    imports = re.findall(r"""(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]""", body)
    assert imports and all(re.search(r"\.[0-9a-f]{10}\.js$", i) for i in imports)
    for spec in imports:
        assert client.get("/static/js/" + spec.removeprefix("./")).status_code == 200


def test_service_worker_at_root_with_precache_list(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    manifest = json.loads(first_match(r"start\((\{.*\})\);", body, re.S))
    urls = [u for u, _ in manifest["pages"]["vi"]]
    for tid in REQUIRED_TOPICS:
        assert f"/vi/topics/{tid}" in urls and f"/vi/quiz/{tid}" in urls
    assert "/vi/offline" in urls and "/vi/" in urls
    assert all(
        re.fullmatch(r"[0-9a-f]{10,12}", rev) for _, rev in manifest["pages"]["vi"] + manifest["shell"]
    )
    sw_core = first_match(r'import \{ start \} from "([^"]+)"', body)
    assert client.get(sw_core).status_code == 200


def test_revision_changes_only_for_changed_pages(tmp_path, content_copy):
    from tests.conftest import make_app

    def revisions(app):
        body = app.test_client().get("/sw.js").get_data(as_text=True)
        manifest = json.loads(first_match(r"start\((\{.*\})\);", body, re.S))
        return manifest["version"], dict(manifest["pages"]["en"])

    v1, before = revisions(make_app(tmp_path / "a", CONTENT_DIR=str(content_copy)))
    path = content_copy / "en" / "topics" / "complaints.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    v2, after = revisions(make_app(tmp_path / "b", CONTENT_DIR=str(content_copy)))
    assert v1 != v2
    assert before["/en/topics/complaints"] != after["/en/topics/complaints"]
    assert before["/en/topics/counterfeit"] == after["/en/topics/counterfeit"]


def test_khmer_font_only_for_khmer(client):
    sw = client.get("/sw.js").get_data(as_text=True)
    manifest = json.loads(first_match(r"start\((\{.*\})\);", sw, re.S))

    def font(lang):
        return [u for u, _ in manifest["pages"][lang] if "/fonts/" in u]

    assert font("km") and not font("vi") and not font("en")
    assert not [u for u, _ in manifest["shell"] if "/fonts/" in u]
    assert "font-khmer" in client.get("/km/").get_data(as_text=True)
    assert "font-khmer" not in client.get("/vi/").get_data(as_text=True)


def test_content_index(client):
    data = client.get("/api/v1/content/en").get_json()
    assert {t["id"] for t in data["topics"]} >= set(REQUIRED_TOPICS)
    for topic in data["topics"]:
        assert topic["url"] == f"/en/topics/{topic['id']}" and topic["title"]
    quiz = data["quizzes"][0]
    assert quiz["questions"][0]["id"] and quiz["questions"][0]["options"][0]["id"]
    assert "answer" not in quiz["questions"][0]
    assert "/en/" in data["precache"] and any(u.startswith("/static/js/") for u in data["precache"])
    assert data["events"] == [], "the shipped events are examples: residents' phones do not get them"


def test_content_index_for_every_language_has_the_topic_ids(client):
    for lang in ("vi", "en", "km", "mww"):
        ids = {t["id"] for t in client.get(f"/api/v1/content/{lang}").get_json()["topics"]}
        assert ids >= set(REQUIRED_TOPICS), lang


def test_content_index_unknown_language_is_json_404(client):
    response = client.get("/api/v1/content/fr")
    assert response.status_code == 404 and response.is_json
    assert "fr" in response.get_json()["message"]


def test_the_organiser_pages_scripts_are_not_precached_on_phones(client):
    sw = client.get("/sw.js").get_data(as_text=True)
    assert "/static/js/app." in sw, "the residents' scripts are"
    assert "/static/js/studio." not in sw and "/static/js/confirm." not in sw

"""The content studio: editors write topics in the browser, saved as drafts that residents do not
see; publishing shows what changed and what phones download; history and rollback; field errors
with the rules of `loa content check`; two editors on one topic lose nothing; roles checked."""

from __future__ import annotations

import re

import pytest

from server.cli import cli
from server.extensions import db
from server.models import AuditEntry
from tests.conftest import LAI_CHAU, create_account, csrf, first_match, log_in, make_app

KEY_POINTS = [
    "Người bán livestream phải cho biết tên, địa chỉ và số điện thoại của mình.",
    "Quay lại video lúc mở hàng. Đó là bằng chứng khi hàng không đúng.",
    "Không chuyển tiền cọc cho tài khoản cá nhân lạ.",
    "Gọi 1800.6838 (miễn phí) để được hướng dẫn.",
]
BODY = "## Trước khi đặt hàng\n\nHỏi rõ giá, phí giao hàng và cách đổi trả.\n"


@pytest.fixture
def studio_app(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    create_account(app, "boss", role="organiser")
    return app


def client_for(app, username: str):
    client = app.test_client()
    log_in(client, username)
    return client


def topic_form(page: str, **fields) -> dict[str, str]:
    """What the topic page's form sends: its hidden fields, the fields as shown, then `fields`."""
    data = {"csrf_token": csrf(page), "base": first_match(r'name="base" type="hidden" value="([^"]*)"', page)}
    for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name in ("summary", "body", "sources"):
        found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S)
        data.setdefault(name, found.group(1) if found else "")
    data.update(fields)
    return {k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") for k, v in data.items()}


def new_topic(client, topic_id: str = "livestream-scams", **fields):
    page = client.get("/organiser/studio/topics/new").get_data(as_text=True)
    data = topic_form(
        page,
        topic_id=topic_id,
        title="Mua hàng qua livestream",
        summary="Mua qua livestream vẫn được pháp luật bảo vệ.",
        order="8",
        body=BODY,
        **{f"key_point_{i + 1}": point for i, point in enumerate(KEY_POINTS)},
    )
    data.update(fields)
    return client.post("/organiser/studio/topics/new", data=data)


def publish(client, note: str = "Chủ đề mới: livestream"):
    page = client.get("/organiser/studio/publish").get_data(as_text=True)
    return client.post("/organiser/studio/publish", data={"csrf_token": csrf(page), "note": note})


def test_a_new_topic_is_a_draft_until_it_is_published(studio_app):
    boss = client_for(studio_app, "boss")
    resident = studio_app.test_client()
    saved = new_topic(boss)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert resident.get("/vi/topics/livestream-scams").status_code == 404, "a draft is not published"
    assert "livestream-scams" in boss.get("/organiser/studio").get_data(as_text=True)

    page = boss.get("/organiser/studio/publish").get_data(as_text=True)
    assert "vi/topics/livestream-scams.md" in page and "+title: Mua hàng qua livestream" in page
    sizes = dict(re.findall(r'<th scope="row" lang="(\w+)">[^<]*</th><td class="num">([\d.]+) KB', page))
    assert set(sizes) == {"vi", "en", "km", "mww"}
    assert all(float(kb) > 0.3 for kb in sizes.values()), (
        "every language falls back to the new Vietnamese topic"
    )

    done = publish(boss)
    assert done.status_code == 302 and done.headers["Location"].endswith("/organiser/studio/history")
    html = resident.get("/vi/topics/livestream-scams").get_data(as_text=True)
    assert "Mua hàng qua livestream" in html and "Trước khi đặt hàng" in html
    assert "Mua hàng qua livestream" in resident.get("/vi/").get_data(as_text=True)
    history = boss.get("/organiser/studio/history").get_data(as_text=True)
    assert "Chủ đề mới: livestream" in history
    with studio_app.app_context():
        actions = [a for (a,) in db.session.execute(db.select(AuditEntry.action))]
    assert "content.saved" in actions and "content.published" in actions
    again = publish(boss, "nothing")
    assert again.status_code == 302 and again.headers["Location"].endswith("/organiser/studio/publish")


def test_field_errors_follow_the_content_check_and_keep_what_was_typed(studio_app):
    boss = client_for(studio_app, "boss")
    long_point = "Một ý rất dài " * 12
    response = new_topic(
        boss,
        key_point_2=long_point,
        body="Xin chào <script>alert(1)</script>\n\n[bấm vào đây](javascript:alert(1))\n",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    point_error = first_match(r'id="key_point_2-err">([^<]*)<', html)
    assert f"có {len(long_point.strip())} ký tự; tờ rơi chỉ chứa được tối đa 140" in point_error
    body_error = first_match(r'id="body-err">([^<]*)<', html)
    assert "Không được dùng HTML" in body_error and "javascript:alert(1)" in body_error
    assert "Một ý rất dài" in first_match(r'name="key_point_2"[^>]*value="([^"]*)"', html)
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        assert releases.draft_file(conn, "vi/topics/livestream-scams.md") is None, "nothing stored"
    bad_id = new_topic(boss, topic_id="Livestream Scams!")
    assert bad_id.status_code == 400 and "Chỉ dùng chữ thường không dấu" in bad_id.get_data(as_text=True)


def test_two_editors_saving_one_topic_the_second_sees_what_changed_and_loses_nothing(studio_app):
    create_account(studio_app, "colleague", role="organiser")
    first, second = client_for(studio_app, "boss"), client_for(studio_app, "colleague")
    url = "/organiser/studio/topics/markets"
    page_first = first.get(url).get_data(as_text=True)
    page_second = second.get(url).get_data(as_text=True)
    assert first.post(url, data=topic_form(page_first, title="Mua hàng ở chợ phiên")).status_code == 302

    typed = topic_form(page_second, summary="Tóm tắt mới của người thứ hai.")
    refused = second.post(url, data=typed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved this topic" in html or "Người khác đã lưu" in html
    assert "+title: Mua hàng ở chợ phiên" in html, "the diff shows what the first editor changed"
    assert "Tóm tắt mới của người thứ hai." in html, "what the second typed is kept"
    again = second.post(url, data=topic_form(html))
    assert again.status_code == 302
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        saved = (releases.draft_file(conn, "vi/topics/markets.md") or b"").decode()
    assert "summary: Tóm tắt mới của người thứ hai." in saved


def test_roles_decide_who_writes_and_who_publishes(studio_app, tmp_path):
    create_account(studio_app, "laichau", role="organiser", province=LAI_CHAU)
    create_account(studio_app, "mai")  # commune staff, no content role
    create_account(studio_app, "translator")
    runner = studio_app.test_cli_runner()
    result = runner.invoke(cli, ["users", "roles", "translator", "--translator", "km", "--reviewer", "mww"])
    assert result.exit_code == 0 and "translator: reviewer (mww), translator (km)" in result.output
    refused = runner.invoke(cli, ["users", "roles", "translator", "--translator", "xx"])
    assert refused.exit_code != 0 and "unknown language xx" in refused.output

    assert client_for(studio_app, "mai").get("/organiser/studio").status_code == 403
    translator = client_for(studio_app, "translator")
    assert translator.get("/organiser/studio").status_code == 200
    assert translator.get("/organiser/studio/topics/markets").status_code == 403
    assert translator.get("/organiser/studio/publish").status_code == 403

    province = client_for(studio_app, "laichau")
    assert province.get("/organiser/studio/topics/markets").status_code == 403, "a national topic"
    assert new_topic(province, topic_id="lai-chau-market-day").status_code == 302
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        text = (releases.draft_file(conn, "vi/topics/lai-chau-market-day.md") or b"").decode()
    assert f"province: {LAI_CHAU}" in text, "a province's editor writes its province's topics"
    boss = client_for(studio_app, "boss")
    page = boss.get("/organiser/studio/topics/consumer-day").get_data(as_text=True)
    assert (
        boss.post("/organiser/studio/topics/consumer-day", data=topic_form(page, order="9")).status_code
        == 302
    )

    publish_page = province.get("/organiser/studio/publish").get_data(as_text=True)
    mine, _sep, waiting = publish_page.partition("Waiting for a national organiser")
    if not waiting:
        mine, _sep, waiting = publish_page.partition("Chờ cán bộ tổ chức cấp quốc gia")
    assert "lai-chau-market-day.md" in mine and "consumer-day.md" in waiting
    assert publish(province, "Chợ phiên Lai Châu").status_code == 302
    resident = studio_app.test_client()
    assert resident.get("/vi/topics/lai-chau-market-day").status_code == 200
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        head = releases.head(conn)
        assert head is not None
        published = releases.tree_of(conn, head.manifest).read("vi/topics/consumer-day.md") or b""
    assert b"order: 9" not in published, "the national change waits for a national organiser"

    history = province.get("/organiser/studio/history").get_data(as_text=True)
    assert "/rollback" not in history
    token = csrf(boss.get("/organiser/studio/history").get_data(as_text=True))
    assert province.post("/organiser/studio/releases/1/rollback", data={"csrf_token": token}).status_code in (
        400,
        403,
    )
    rolled = boss.post("/organiser/studio/releases/1/rollback", data={"csrf_token": token})
    assert rolled.status_code == 302
    assert resident.get("/vi/topics/lai-chau-market-day").status_code == 404, "back to release 1"


def test_the_preview_renders_like_the_residents_page_and_names_what_is_refused(studio_app):
    boss = client_for(studio_app, "boss")
    token = csrf(boss.get("/organiser/studio/topics/new").get_data(as_text=True))
    answer = boss.post(
        "/organiser/studio/preview",
        json={"body": "## Tiêu đề\n\n**đậm** <b>x</b>"},
        headers={"X-CSRFToken": token},
    ).get_json()
    assert "<h2>Tiêu đề</h2>" in answer["html"] and "<strong>đậm</strong>" in answer["html"]
    assert "&lt;b&gt;" in answer["html"], "raw HTML is shown as text, never as markup"
    assert any("Không được dùng HTML" in p for p in answer["problems"]), "in the editor's language"
    assert boss.post("/organiser/studio/preview", json={"body": "x"}).status_code == 400, "CSRF checked"


def test_leaflets_whose_key_points_changed_are_outdated_and_rebuilt_in_one_click(studio_app):
    from server import leaflets
    from server.models import Leaflet
    from server.state import state
    from tests.conftest import KHOEN_ON, MUONG_KIM

    with studio_app.app_context():
        leaflets.get_or_create_leaflets("markets", "vi", [MUONG_KIM, KHOEN_ON], state(studio_app).content)
        leaflets.get_or_create_leaflets("markets", "km", [MUONG_KIM], state(studio_app).content)
        leaflets.get_or_create_leaflets("complaints", "vi", [MUONG_KIM], state(studio_app).content)
    boss = client_for(studio_app, "boss")
    assert "Tờ rơi đã cũ" not in boss.get("/organiser/leaflets").get_data(as_text=True)

    page = boss.get("/organiser/studio/topics/markets").get_data(as_text=True)
    changed = topic_form(page, key_point_1="Nghi bị cân thiếu? Cân lại ở cân đối chứng của chợ.")
    assert boss.post("/organiser/studio/topics/markets", data=changed).status_code == 302
    assert "Tờ rơi đã cũ" not in boss.get("/organiser/leaflets").get_data(as_text=True), (
        "a draft prints nothing"
    )
    assert publish(boss, "key point").status_code == 302

    page = boss.get("/organiser/leaflets").get_data(as_text=True)
    outdated = first_match(r'(<section aria-labelledby="outdated-h">.*?</section>)', page, re.S)
    assert "Mua hàng ở chợ" in outdated and "2 tờ rơi (Xã Mường Kim, Xã Khoen On)" in outdated
    assert "Cách khiếu nại" not in outdated, "other topics are not outdated"
    assert outdated.count("<form") == 1, "the Khmer leaflet has its own translation, unchanged"
    form = first_match(r"(<form.*?</form>)", outdated, re.S)
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form))
    rebuilt = boss.post("/organiser/leaflets", data=fields)
    assert rebuilt.status_code == 200 and rebuilt.mimetype == "application/pdf"
    assert "outdated-h" not in boss.get("/organiser/leaflets").get_data(as_text=True)
    with studio_app.app_context():
        codes = {row.code for row in db.session.execute(db.select(Leaflet)).scalars()}
    assert len(codes) == 4, "rebuilding keeps the printed codes"


def quiz_form(page: str, **changes) -> dict[str, str]:
    """The quiz editor's form as shown (inputs, textareas, the checked answers), then `changes`."""
    import html as htmllib

    data = dict(
        re.findall(r'<input[^>]*type="(?:hidden|text)"[^>]*name="([\w-]+)"[^>]*value="([^"]*)"', page)
    )
    data.update(re.findall(r'<input[^>]*name="([\w-]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', page))
    data.update(re.findall(r'<textarea[^>]*name="([\w-]+)"[^>]*>(.*?)</textarea>', page, re.S))
    data.update(re.findall(r'<input type="radio"[^>]*name="([\w-]+)" value="(\w)" checked', page))
    data = {k: htmllib.unescape(v) for k, v in data.items()}
    data.update(changes)
    return data


def test_the_quiz_editor_adds_a_question_and_refuses_an_answer_that_is_not_an_option(studio_app):
    boss = client_for(studio_app, "boss")
    url = "/organiser/studio/quizzes/markets"
    page = boss.get(url).get_data(as_text=True)
    count = int(first_match(r'name="count" value="(\d+)"', page))
    new = count - 1  # the blank question at the end
    bad = quiz_form(
        page,
        **{
            f"q{new}-text": "Cân đối chứng ở đâu?",
            f"q{new}-opt-a": "Ở ban quản lý chợ.",
            f"q{new}-opt-b": "Ở nhà.",
            f"q{new}-answer": "c",
            f"q{new}-explanation": "Ban quản lý chợ giữ cân đối chứng.",
        },
    )
    refused = boss.post(url, data=bad)
    assert refused.status_code == 400
    assert "đáp án đúng &#39;c&#39; không nằm trong các lựa chọn (a, b)" in refused.get_data(as_text=True)
    assert "Cân đối chứng ở đâu?" in refused.get_data(as_text=True), "what was typed is kept"
    assert boss.post(url, data={**bad, f"q{new}-answer": "a"}).status_code == 302
    assert publish(boss, "one more question").status_code == 302
    resident = studio_app.test_client()
    vi = resident.get("/vi/quiz/markets").get_data(as_text=True)
    assert "Cân đối chứng ở đâu?" in vi and vi.count('class="question"') == count
    km = resident.get("/km/quiz/markets").get_data(as_text=True)
    assert "Cân đối chứng ở đâu?" in km, "the Khmer quiz is behind: residents get the Vietnamese one"


def test_a_new_topic_gets_its_quiz(studio_app):
    boss = client_for(studio_app, "boss")
    assert new_topic(boss).status_code == 302
    url = "/organiser/studio/quizzes/livestream-scams?topic=livestream-scams"
    page = boss.get(url).get_data(as_text=True)
    one = {
        "q0-text": "Người bán livestream phải cho biết gì?",
        "q0-opt-a": "Tên và địa chỉ.",
        "q0-opt-b": "Không gì cả.",
        "q0-answer": "a",
        "q0-explanation": "Luật 19/2023 buộc người bán cho biết thông tin.",
    }
    few = boss.post(url, data=quiz_form(page, title="Trắc nghiệm: livestream", **one))
    assert few.status_code == 400 and "cần ít nhất 5 câu hỏi; hiện có 1" in few.get_data(as_text=True)
    five = {"count": "5", "title": "Trắc nghiệm: livestream"}
    for n in range(5):
        five.update({key.replace("q0", f"q{n}"): value for key, value in one.items()})
        five[f"q{n}-text"] = f"Câu hỏi số {n + 1}: người bán livestream phải cho biết gì?"
    answer = boss.post(url, data={**quiz_form(page), **five})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', page)
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        topic = (releases.draft_file(conn, "vi/topics/livestream-scams.md") or b"").decode()
    assert "quiz: livestream-scams" in topic, "the topic links its new quiz"
    assert publish(boss, "livestream with quiz").status_code == 302
    assert studio_app.test_client().get("/vi/quiz/livestream-scams").status_code == 200


def photo(width: int = 2400, height: int = 1800, kind: str = "JPEG") -> bytes:
    """A phone-sized photo: noise is what compresses worst, like a real label."""
    import io
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (width // 8, height // 8), os.urandom(width // 8 * height // 8 * 3))
    out = io.BytesIO()
    image.resize((width, height)).save(out, kind, quality=92)
    return out.getvalue()


def upload(client, topic_id: str, data: bytes, alt: str = "Nhãn thật và nhãn giả", name: str = "label.jpg"):
    import io

    page = client.get(f"/organiser/studio/topics/{topic_id}").get_data(as_text=True)
    return client.post(
        f"/organiser/studio/topics/{topic_id}/pictures",
        data={"csrf_token": csrf(page), "alt": alt, "picture": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_picture_is_stored_small_described_lazy_and_precached(studio_app):
    from server.content.pictures import MIN_WIDTH, PICTURE_BUDGET, size_of

    boss = client_for(studio_app, "boss")
    original = photo()
    assert len(original) > 1_000_000, "bigger than the sync body limit, like a phone's photo"
    added = upload(boss, "counterfeit", original)
    assert added.status_code == 302, added.get_data(as_text=True)[-2000:]
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        topic = (releases.draft_file(conn, "vi/topics/counterfeit.md") or b"").decode()
        name = first_match(r"!\[Nhãn thật và nhãn giả\]\(/media/([^)]+)\)", topic)
        stored = releases.draft_file(conn, f"media/{name}") or b""
    assert stored[:4] == b"RIFF" and stored[8:12] == b"WEBP"
    size = size_of(name)
    assert size is not None and len(stored) <= PICTURE_BUDGET
    width, height = size
    assert MIN_WIDTH <= width <= 720 and abs(height - width * 3 / 4) <= 1, "made smaller, shape kept"
    resident = studio_app.test_client()
    assert resident.get(f"/media/{name}").status_code == 404, "not published yet"
    assert boss.get(f"/media/{name}").status_code == 200, "the studio previews its drafts"
    assert publish(boss, "picture").status_code == 302
    page = resident.get("/vi/topics/counterfeit").get_data(as_text=True)
    img = first_match(r"(<img src=\"/media/[^>]*>)", page)
    assert (
        f'src="/media/{name}"' in img
        and f'width="{width}" height="{height}"' in img
        and 'loading="lazy"' in img
    )
    assert 'alt="Nhãn thật và nhãn giả"' in img
    served = resident.get(f"/media/{name}")
    assert served.mimetype == "image/webp" and "immutable" in served.headers["Cache-Control"]
    sw = resident.get("/sw.js").get_data(as_text=True)
    assert f"/media/{name}" in sw, "precached with the language's pages"


def test_pictures_that_cannot_be_are_refused_with_the_reason(studio_app):
    boss = client_for(studio_app, "boss")
    not_image = upload(boss, "counterfeit", b"%PDF-1.4 not a picture", name="x.jpg")
    assert not_image.status_code == 400 and "không phải ảnh" in not_image.get_data(as_text=True)
    no_alt = upload(boss, "counterfeit", photo(800, 600), alt="  ")
    assert no_alt.status_code == 400 and "Mô tả bức ảnh" in no_alt.get_data(as_text=True)
    studio_app.config["PICTURE_MAX_BYTES"] = 200_000
    too_big = upload(boss, "counterfeit", photo())
    assert too_big.status_code == 413 and "tối đa" in too_big.get_data(as_text=True)
    with studio_app.app_context(), db.engine.connect() as conn:
        from server.content import releases

        assert not [p for p in releases.draft_manifest(conn) if p.startswith("media/")], "nothing half stored"
    written = "![](/media/0123456789abcdef-720x540.webp)\n"
    page = boss.get("/organiser/studio/topics/counterfeit").get_data(as_text=True)
    refused = boss.post("/organiser/studio/topics/counterfeit", data=topic_form(page, body=written))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "cần lời mô tả" in html and "không có trong nội dung" in html


def test_the_studio_shows_the_interface_catalogues_and_where_their_workflow_is(studio_app):
    home = client_for(studio_app, "boss").get("/organiser/studio").get_data(as_text=True)
    section = first_match(r'(<section aria-labelledby="strings-h".*?</section>)', home, re.S)
    assert "Poedit" in section and "Weblate" in section and "Translations (interface strings)" in section
    assert len(re.findall(r"đã dịch \d+/\d+", section)) == 4, "one line per language"


def test_organisers_give_content_roles_on_the_accounts_page(studio_app):
    create_account(studio_app, "lan")
    create_account(studio_app, "laichau", role="organiser", province=LAI_CHAU)
    boss = client_for(studio_app, "boss")
    with studio_app.app_context():
        from server.accounts import get

        lan_id = get("lan").id
    url = f"/organiser/users/{lan_id}/roles"
    page = boss.get(url).get_data(as_text=True)
    assert (
        boss.post(url, data={"csrf_token": csrf(page), "translator-km": "1", "reviewer-mww": "1"}).status_code
        == 302
    )
    result = studio_app.test_cli_runner().invoke(cli, ["users", "roles", "lan"])
    assert "lan: reviewer (mww), translator (km)" in result.output
    lan = client_for(studio_app, "lan")
    assert lan.get("/organiser/studio/translate/km/topics/markets").status_code == 200
    page = boss.get(url).get_data(as_text=True)
    assert boss.post(url, data={"csrf_token": csrf(page)}).status_code == 302, "every box unticked"
    assert lan.get("/organiser/studio/translate/km/topics/markets").status_code == 403
    with studio_app.app_context():
        actions = [a for (a,) in db.session.execute(db.select(AuditEntry.action))]
    assert actions.count("user.content_roles") == 2


def test_two_editors_on_one_quiz_the_second_sees_what_changed(studio_app):
    create_account(studio_app, "colleague", role="organiser")
    first, second = client_for(studio_app, "boss"), client_for(studio_app, "colleague")
    url = "/organiser/studio/quizzes/markets"
    page_first, page_second = first.get(url).get_data(as_text=True), second.get(url).get_data(as_text=True)
    assert first.post(url, data=quiz_form(page_first, title="Trắc nghiệm: chợ phiên")).status_code == 302
    refused = second.post(
        url, data=quiz_form(page_second, **{"q0-text": "Câu hỏi đã sửa của người thứ hai?"})
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Người khác đã lưu" in html
    diff = first_match(r"<pre class=\"diff\">(.*?)</pre>", html, re.S)
    assert "+title: &#39;Trắc nghiệm: chợ phiên&#39;" in diff and "Câu hỏi đã sửa của người thứ hai?" in html


def test_pictures_beyond_the_precache_share_load_online_and_the_publish_page_says_so(studio_app, monkeypatch):
    from server.content import pictures

    boss = client_for(studio_app, "boss")
    assert upload(boss, "counterfeit", photo(1600, 1200)).status_code == 302
    monkeypatch.setattr(pictures, "PRECACHE_PICTURES", 10)
    page = boss.get("/organiser/studio/publish").get_data(as_text=True)
    assert "Tiếng Việt: 1 ảnh không vừa phần điện thoại lưu" in page
    assert publish(boss, "picture").status_code == 302
    sw = studio_app.test_client().get("/sw.js").get_data(as_text=True)
    assert "/media/" not in sw, "not precached: it loads when the reader is online"
    html = studio_app.test_client().get("/vi/topics/counterfeit").get_data(as_text=True)
    assert '<img src="/media/' in html


def test_a_province_editor_publishes_its_topic_with_its_picture(studio_app):
    create_account(studio_app, "laichau", role="organiser", province=LAI_CHAU)
    province = client_for(studio_app, "laichau")
    assert new_topic(province, topic_id="lai-chau-market-day").status_code == 302
    assert upload(province, "lai-chau-market-day", photo(1200, 900)).status_code == 302
    assert publish(province, "Chợ phiên Lai Châu, với ảnh").status_code == 302
    html = studio_app.test_client().get("/vi/topics/lai-chau-market-day").get_data(as_text=True)
    src = first_match(r'<img src="(/media/[^"]+)"', html)
    assert studio_app.test_client().get(src).status_code == 200

"""Languages: catalogues checked and compiled, placeholders caught, dates per locale,
fallbacks shown, coverage reported."""

import shutil

import pytest

from server.catalogues import compile_catalogues
from server.cli import cli
from server.config import PROJECT_ROOT
from server.state import state
from tests.conftest import confirm_all_events, make_app

TRANSLATIONS = PROJECT_ROOT / "translations"
LANGS = ("vi", "en", "km", "mww")


@pytest.fixture
def translations_copy(tmp_path):
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def break_placeholder(po_path, msgid_start="You answered", bad="%(right)s"):
    """Rename a placeholder in one translated entry; return that entry's line number."""
    lines = po_path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f'msgid "{msgid_start}'):
            j = next(k for k in range(i, len(lines)) if lines[k].startswith("msgstr"))
            lines[j] = lines[j].replace("%(correct)s", bad)
            po_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return i + 1
    raise AssertionError("entry not found")


def test_every_catalogue_compiles_without_problems(translations_copy):
    assert compile_catalogues(translations_copy, force=True) == []
    for lang in LANGS:
        assert (translations_copy / lang / "LC_MESSAGES" / "messages.mo").exists()


@pytest.mark.parametrize("lang", LANGS)
def test_every_interface_string_is_translated(lang):
    from server.catalogues import report

    result = report(lang, TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    assert result.problems == []
    assert result.translated == result.total, f"{lang}: {result.total - result.translated} untranslated"


def test_wrong_placeholder_is_caught_with_file_and_line(translations_copy):
    po = translations_copy / "vi" / "LC_MESSAGES" / "messages.po"
    line = break_placeholder(po)
    problems = compile_catalogues(translations_copy, force=True)
    assert len(problems) == 1
    assert str(problems[0]).startswith("translations/vi/LC_MESSAGES/messages.po:")
    assert abs(problems[0].line - line) <= 3 and "%(right)s" in str(problems[0])


def test_wrong_placeholder_never_crashes_a_page(tmp_path, translations_copy):
    break_placeholder(translations_copy / "vi" / "LC_MESSAGES" / "messages.po")
    app = make_app(
        tmp_path,
        TRANSLATIONS_DIR=str(translations_copy),
        BABEL_TRANSLATION_DIRECTORIES=str(translations_copy),
    )
    quiz = state(app).content.quizzes["vi"]["complaints"]
    response = app.test_client().get("/vi/quiz/complaints/result", query_string=quiz.answer_key())
    assert response.status_code == 200
    # the broken entry is left out, so the original text shows instead
    assert f"You answered {len(quiz.questions)} of {len(quiz.questions)}" in response.get_data(as_text=True)


def test_compile_command_exits_1_on_a_bad_placeholder(translations_copy, monkeypatch):
    from click.testing import CliRunner

    break_placeholder(translations_copy / "en" / "LC_MESSAGES" / "messages.po")
    monkeypatch.setenv("LOA_TRANSLATIONS_DIR", str(translations_copy))
    result = CliRunner().invoke(cli, ["i18n", "compile"])
    assert result.exit_code == 1 and "translations/en/LC_MESSAGES/messages.po:" in result.output


def test_coverage_command(monkeypatch, translations_copy):
    from click.testing import CliRunner

    monkeypatch.setenv("LOA_TRANSLATIONS_DIR", str(translations_copy))
    result = CliRunner().invoke(cli, ["i18n", "coverage"])
    assert result.exit_code == 0, result.output
    for lang in LANGS:
        assert f"\n{lang} " in "\n" + result.output
    (translations_copy / "mww" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid "x"\nmsgstr "unterminated\n'
    )
    broken = CliRunner().invoke(cli, ["i18n", "coverage"])
    assert broken.exit_code == 1 and "mww" in broken.output and "not a valid PO file" in broken.output


@pytest.mark.parametrize("lang", LANGS)
def test_pages_have_the_right_lang_attribute(client, lang):
    for url in (f"/{lang}/", f"/{lang}/topics/complaints", f"/{lang}/quiz/counterfeit", f"/{lang}/events"):
        html = client.get(url).get_data(as_text=True)
        assert f'<html lang="{lang}"' in html, url


def test_language_switcher_names_each_language_in_itself(client):
    html = client.get("/en/").get_data(as_text=True)
    for name in ("Tiếng Việt", "English", "ភាសាខ្មែរ", "Hmoob"):
        assert f">{name}</a>" in html


def test_missing_page_shows_vietnamese_with_a_notice_in_the_readers_language(tmp_path, content_copy):
    (content_copy / "en" / "topics" / "consumer-day.md").unlink()
    app = make_app(tmp_path, CONTENT_DIR=str(content_copy))
    html = app.test_client().get("/en/topics/consumer-day").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "This page is not yet translated into English. It is shown in Vietnamese." in html
    assert '<article lang="vi">' in html and "Ngày Quyền của người tiêu dùng" in html


def test_fallback_notice_in_khmer(tmp_path, content_copy):
    (content_copy / "km" / "topics" / "counterfeit.md").unlink(missing_ok=True)
    app = make_app(tmp_path, CONTENT_DIR=str(content_copy))
    html = app.test_client().get("/km/topics/counterfeit").get_data(as_text=True)
    assert '<p class="notice" role="note">' in html and '<article lang="vi">' in html
    notice = html.split('<p class="notice" role="note">')[1].split("</p>")[0]
    assert any("\u1780" <= ch <= "\u17ff" for ch in notice), "the notice is in Khmer"


def test_dates_per_locale_and_numeric_for_hmong(tmp_path, content_copy):
    client = make_app(tmp_path, CONTENT_DIR=str(confirm_all_events(content_copy))).test_client()
    vi = client.get("/vi/events").get_data(as_text=True)
    en = client.get("/en/events").get_data(as_text=True)
    mww = client.get("/mww/events").get_data(as_text=True)
    assert "15 tháng 3, 2027" in vi
    assert "March 15, 2027" in en
    assert "15/03/2027" in mww and "𞄀" not in mww  # no Nyiakeng Puachue script from CLDR


def test_js_strings_come_from_the_catalogues(client):
    vi = client.get("/vi/strings.json").get_json()
    km = client.get("/km/strings.json").get_json()
    en = client.get("/en/strings.json").get_json()
    assert vi.keys() == km.keys() == en.keys()
    assert vi["update_reload"] == "Tải lại" and en["update_reload"] == "Reload"
    assert km["update_reload"] != en["update_reload"]


def test_strings_json_is_precached_per_language(client):
    urls = client.get("/api/v1/content/km").get_json()["precache"]
    assert "/km/strings.json" in urls and "/vi/strings.json" not in urls


def test_organiser_translations_page(tmp_path):
    from tests.conftest import create_account, log_in

    app = make_app(tmp_path)
    create_account(app, "organiser", role="organiser")
    create_account(app, "mai")
    staff = app.test_client()
    log_in(staff, "mai")
    assert staff.get("/organiser/translations").status_code == 403
    client = app.test_client()
    log_in(client, "organiser")
    html = client.get("/organiser/translations").get_data(as_text=True)
    for name in ("Tiếng Việt", "English", "ភាសាខ្មែរ", "Hmoob"):
        assert name in html

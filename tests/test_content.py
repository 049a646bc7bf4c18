"""Content loading and validation: a broken file is caught, with its name and field."""

import re

import pytest
import yaml

from server.content import REQUIRED_TOPICS, ContentInvalid, load_content, render_markdown, score
from server.state import state
from tests.conftest import CONTENT


def errors_for(root):
    with pytest.raises(ContentInvalid) as info:
        load_content(root)
    return [str(e) for e in info.value.errors]


def test_real_content_loads_in_vietnamese_and_english():
    content = load_content(CONTENT)
    for lang in ("vi", "en"):
        for tid in REQUIRED_TOPICS:
            topic = content.topics[lang][tid]
            assert topic.title and 4 <= len(topic.key_points) <= 6
            assert topic.quiz in content.quizzes[lang]
            assert len(content.quizzes[lang][topic.quiz].questions) >= 5
    assert content.events, "the events file lists Consumer Rights Day events"
    assert content.theme and content.theme.title["vi"]


def test_content_facts_that_must_be_right():
    content = load_content(CONTENT)
    complaints = content.topics["vi"]["complaints"].body_html
    assert "1800.6838" in complaints and "tel:18006838" in complaints
    assert "3 ngày làm việc" in complaints and "7 ngày làm việc" in complaints
    counterfeit = content.topics["vi"]["counterfeit"].body_html
    assert "893" in counterfeit and "nhãn phụ" in counterfeit.lower()
    assert (
        "15" in content.topics["vi"]["consumer-day"].title
        or "15/3" in content.topics["vi"]["consumer-day"].body_html
    )


def test_no_translation_is_marked_reviewed_without_a_reviewer():
    content = load_content(CONTENT)
    for topics in content.topics.values():
        for topic in topics.values():
            assert topic.status in ("draft", "reviewed")
            if topic.status == "reviewed":
                assert topic.reviewed_by


def test_missing_field_names_file_and_field(content_copy):
    path = content_copy / "vi" / "topics" / "counterfeit.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle:", "\nuntitled:", 1), encoding="utf-8")
    errors = errors_for(content_copy)
    assert any("content/vi/topics/counterfeit.md: field 'title'" in e for e in errors), errors


def test_bad_yaml_names_file_and_line(content_copy):
    path = content_copy / "en" / "quizzes" / "complaints.yaml"
    path.write_text("id: complaints\nquestions: [unclosed\n", encoding="utf-8")
    errors = errors_for(content_copy)
    assert any(e.startswith("content/en/quizzes/complaints.yaml") and "line" in e for e in errors), errors


def test_an_impossible_date_is_an_error_not_a_crash(content_copy):
    events = content_copy / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("date: 2026-03-27", "date: 2026-13-27", 1))
    topic = content_copy / "vi" / "topics" / "complaints.md"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(re.sub(r"\nupdated: [0-9-]+", "\nupdated: 2026-02-30", text, count=1), encoding="utf-8")
    errors = errors_for(content_copy)
    assert any(e.startswith("content/events.yaml") and "impossible value" in e for e in errors), errors
    assert any(e.startswith("content/vi/topics/complaints.md") and "impossible value" in e for e in errors)


def test_quiz_answer_must_be_an_option(content_copy):
    path = content_copy / "vi" / "quizzes" / "counterfeit.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(\n\s+answer:\s*)\w+", r"\1zz", text, count=1)
    path.write_text(text, encoding="utf-8")
    errors = errors_for(content_copy)
    assert any("counterfeit.yaml" in e and ".answer'" in e and "'zz'" in e for e in errors), errors


def test_a_translated_quiz_behind_the_vietnamese_is_not_served_and_is_named(content_copy):
    vi = load_content(CONTENT).quizzes["vi"]["complaints"]
    first = vi.questions[0]
    other = next(o.id for o in first.options if o.id != first.answer)
    path = content_copy / "en" / "quizzes" / "complaints.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(\n\s+answer:\s*)\w+", rf"\g<1>{other}", text, count=1)
    path.write_text(text, encoding="utf-8")
    content = load_content(content_copy)
    assert any(
        "content/en/quizzes/complaints.yaml" in w and "differs from the Vietnamese answer" in w
        for w in content.warnings
    ), content.warnings
    served = content.quiz("en", "complaints")
    assert served is not None and served.fallback, "residents get the Vietnamese quiz meanwhile"
    assert served.value.questions[0].answer == first.answer


def test_too_few_key_points(content_copy):
    path = content_copy / "vi" / "topics" / "complaints.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"key_points:\n(\s+- .*\n)+", "key_points:\n  - only one\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    errors = errors_for(content_copy)
    assert any("complaints.md: field 'key_points'" in e and "4 to 6" in e for e in errors), errors


def test_reviewed_needs_reviewer(content_copy):
    path = content_copy / "en" / "topics" / "counterfeit.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: draft", "status: reviewed", 1), encoding="utf-8"
    )
    errors = errors_for(content_copy)
    assert any("en/topics/counterfeit.md: field 'reviewed_by'" in e for e in errors), errors


def test_event_with_unknown_commune(content_copy):
    path = content_copy / "events.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(\n\s+commune:\s*)\d+", r"\g<1>999999", text, count=1)
    path.write_text(text, encoding="utf-8")
    errors = errors_for(content_copy)
    assert any(
        "content/events.yaml: field 'events[" in e and "commune'" in e and "999999" in e for e in errors
    ), errors


def test_missing_vietnamese_topic(content_copy):
    (content_copy / "vi" / "topics" / "consumer-day.md").unlink()
    errors = errors_for(content_copy)
    assert any("consumer-day" in e for e in errors), errors


def test_every_problem_is_reported_at_once(content_copy):
    for name in ("counterfeit", "complaints"):
        (content_copy / "vi" / "topics" / f"{name}.md").write_text("no front matter", encoding="utf-8")
    errors = errors_for(content_copy)
    assert sum("must start with YAML front matter" in e for e in errors) == 2


def test_raw_html_in_markdown_is_escaped():
    html = render_markdown('Hello <script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x">b</b>')
    assert "<script>" not in html and "<b " not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;" in html


def test_fallback_to_vietnamese_is_flagged(content_copy):
    (content_copy / "en" / "topics" / "consumer-day.md").unlink()
    content = load_content(content_copy)
    found = content.topic("en", "consumer-day")
    assert found is not None and found.fallback and found.lang == "vi"
    translated = content.topic("en", "complaints")
    assert translated is not None and not translated.fallback


def test_version_changes_with_any_file(content_copy):
    before = load_content(content_copy).version
    path = content_copy / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_content(content_copy).version != before


def test_score_uses_the_answer_key():
    quiz = load_content(CONTENT).quizzes["vi"]["counterfeit"]
    key = quiz.answer_key()
    assert score(quiz, key) == (len(key), len(key))
    wrong = {
        q: next(o.id for o in quiz.questions[i].options if o.id != a) for i, (q, a) in enumerate(key.items())
    }
    assert score(quiz, wrong) == (0, len(key))


def test_running_server_serves_what_is_imported_and_refuses_broken_imports(tmp_path, content_copy):
    """The database is the source: editing the folder changes nothing until it is imported;
    a broken folder is refused and the server keeps what it had."""
    from server.cli import cli
    from tests.conftest import make_app

    app = make_app(tmp_path, CONTENT_DIR=str(content_copy))
    client = app.test_client()
    runner = app.test_cli_runner()
    store = state(app).content_store
    assert "How to complain when you lose out" in client.get("/en/topics/complaints").get_data(as_text=True)
    path = content_copy / "en" / "topics" / "complaints.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: How to complain when you lose out", "title: How to complain, edited"
        ),
        encoding="utf-8",
    )
    with app.app_context():
        from server.web import get_content

        assert get_content(force=True).topics["en"]["complaints"].title == "How to complain when you lose out"
    assert runner.invoke(cli, ["content", "import", str(content_copy)]).exit_code == 0
    with app.app_context():
        assert get_content(force=True).topics["en"]["complaints"].title == "How to complain, edited"
    assert "How to complain, edited" in client.get("/en/topics/complaints").get_data(as_text=True)
    path.write_text("---\nbroken: [\n---\n", encoding="utf-8")
    refused = runner.invoke(cli, ["content", "import", str(content_copy)])
    assert refused.exit_code != 0 and "content/en/topics/complaints.md" in refused.output
    with app.app_context():
        still = get_content(force=True)
    assert still.topics["en"]["complaints"].title == "How to complain, edited"
    assert store.content is still


def test_a_quiz_whose_right_answers_are_the_longest_gets_a_warning(runner, content_copy):
    from server.cli import cli
    from server.content.fairness import longest_is_right
    from server.content.model import Option, Question, Quiz

    def question(right: str, wrong: str) -> Question:
        return Question("q", "?", [Option("a", right), Option("b", wrong)], "a", "")

    giveaway = Quiz("x", "vi", "x", "X", [question("a long right answer", "no")] * 3, "draft", "", "x.yaml")
    fair = Quiz("x", "vi", "x", "X", [question("yes", "a long wrong answer")] * 3, "draft", "", "x.yaml")
    assert (longest_is_right(giveaway), longest_is_right(fair)) == (3, 0)
    # A copy of a shipped quiz made to give its answers away, with an "all of the above" too.
    path = content_copy / "vi" / "quizzes" / "complaints.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for q in data["questions"]:
        for o in q["options"]:
            if o["id"] == q["answer"]:
                o["text"] = o["text"] + " (đúng theo quy định của Luật, có đầy đủ điều kiện)"
    data["questions"][0]["options"][-1]["text"] = "Tất cả các ý trên."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = runner.invoke(cli, ["content", "check", "--dir", str(content_copy)])
    assert result.exit_code == 0, "a warning, not an error"
    warnings = [line for line in result.output.splitlines() if "quiz 'complaints' (vi)" in line]
    assert any(
        "is the longest option in" in w and w.startswith("warning: content/vi/quizzes/complaints.yaml")
        for w in warnings
    ), result.output
    assert any("like 'all of the above'" in w and data["questions"][0]["id"] in w for w in warnings), (
        result.output
    )


def test_the_shipped_quizzes_are_fair(runner):
    """No shipped quiz, in any language, gives its answers away by length or points at others."""
    from server.cli import cli

    result = runner.invoke(cli, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output, result.output

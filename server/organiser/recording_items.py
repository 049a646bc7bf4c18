"""What can be heard of a topic in a language (the whole topic, each key point, the spot, each
quiz question), with its text and recording: the studio's Recordings page and its table."""

from __future__ import annotations

from flask_babel import gettext as _

from ..content import audio_draft, recordings
from ..content.model import Content


def pieces_of(content: Content, lang: str, topic_id: str) -> list[dict]:
    """Every piece of the topic that can be heard in `lang`, with its text and recording."""
    topic = content.topics.get(lang, {}).get(topic_id)
    if topic is None:
        return []
    pieces = [
        (recordings.narration_key(topic_id), _("The whole topic"), "narration"),
        *(
            (recordings.key_point_key(topic_id, n), _("Key point %(n)s", n=n), "point")
            for n in range(1, len(topic.key_points) + 1)
        ),
        (recordings.spot_key(topic_id), _("Spot for the commune loudspeaker (optional)"), "spot"),
    ]
    quiz = content.quizzes.get(lang, {}).get(topic.quiz or "")
    if quiz is not None:
        pieces += [
            (
                recordings.question_key(quiz.id, q.id),
                _("Quiz question %(n)s with its answers", n=i),
                "question",
            )
            for i, q in enumerate(quiz.questions, 1)
        ]
    items = []
    for key, label, kind in pieces:
        text = audio_draft.text_of(content, lang, key)
        clip = content.clip(lang, key)
        items.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                # the whole topic is long: its page shows the title and the summary
                "text": text if kind != "narration" else f"{topic.title}\n{topic.summary}",
                "clip": clip,
                "state": clip.state if clip else recordings.MISSING,
            }
        )
    return items


def recording_counts(content: Content | None, lang: str, topic_id: str) -> dict[str, int] | None:
    """{"total": pieces that can be heard, and how many are in each state} for the studio's table;
    None when the draft cannot be read or the topic has no text in `lang`."""
    if content is None or topic_id not in content.topics.get(lang, {}):
        return None
    found = pieces_of(content, lang, topic_id)
    counts = {state: sum(1 for i in found if i["state"] == state) for state in recordings.STATES}
    return {"total": len(found), **counts}

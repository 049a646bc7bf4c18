"""What the residents' pages offer to listen to: the recordings of the text each page shows (in
the language shown, so a Vietnamese fallback plays Vietnamese), and what a language's "download
audio for offline use" fetches."""

from __future__ import annotations

from dataclasses import dataclass

from .content import recordings
from .content.model import Content, Quiz, Topic
from .content.recordings import Clip


@dataclass(frozen=True)
class TopicAudio:
    narration: Clip | None
    points: list[Clip | None]  # one per key point, in order

    @property
    def any(self) -> bool:
        return self.narration is not None or any(self.points)


def topic_audio(content: Content, topic: Topic) -> TopicAudio:
    return TopicAudio(
        narration=content.clip(topic.lang, recordings.narration_key(topic.id)),
        points=[
            content.clip(topic.lang, recordings.key_point_key(topic.id, n))
            for n in range(1, len(topic.key_points) + 1)
        ],
    )


def quiz_audio(content: Content, quiz: Quiz) -> dict[str, Clip]:
    """{question id: its recording} for the questions that have one."""
    found = {q.id: content.clip(quiz.lang, recordings.question_key(quiz.id, q.id)) for q in quiz.questions}
    return {qid: clip for qid, clip in found.items() if clip is not None}


def offline_clips(content: Content, lang: str) -> list[Clip]:
    """Every recording the pages of `lang` play, in reading order, once each."""
    clips: list[Clip] = []
    for topic_id in content.topic_ids():
        topic = content.topic(lang, topic_id)
        if topic is None:
            continue
        heard = topic_audio(content, topic.value)
        clips += [c for c in (heard.narration, *heard.points) if c]
        quiz = content.quiz(lang, topic.value.quiz) if topic.value.quiz else None
        if quiz is not None:
            clips += quiz_audio(content, quiz.value).values()
    return list({c.stem: c for c in clips}.values())


def offline_lists(content: Content, lang: str) -> dict:
    """{"opus": {"urls": [...], "bytes": n}, "mp3": {...}}: what "download audio" fetches."""
    tree = _tree()
    clips = offline_clips(content, lang)
    out = {}
    for ext in ("opus", "mp3"):
        urls = [f"/{recordings.AUDIO_DIR}/{c.stem}.{ext}" for c in clips]
        out[ext] = {"urls": urls, "bytes": sum(len(tree.read(u[1:]) or b"") for u in urls)}
    return out


def offline_summary(content: Content, lang: str) -> dict:
    """How many recordings a language has and their megabytes per format, for the home page."""
    lists = offline_lists(content, lang)
    return {
        "count": len(lists["opus"]["urls"]),
        "opus_mb": _mb(lists["opus"]["bytes"]),
        "mp3_mb": _mb(lists["mp3"]["bytes"]),
    }


def _mb(size: int) -> str:
    from .web import format_number

    return format_number(max(round(size / 1e6, 1), 0.1))


def _tree():
    from .state import state

    return state().content_store.tree

"""The JSON API under /api/v1. Errors are JSON too (see server/errors.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request, url_for

from .. import pwa
from ..config import sync_limits
from ..errors import error_response
from ..web import get_content

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(Exception)
def api_error(error):
    """Every API error is JSON. A database that is down or busy is 503, never a bare 500."""
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        extra = {"limits": sync_limits(current_app.config)} if error.code == 413 else {}
        return error_response(error.code or 500, error.description, **extra)
    current_app.logger.exception("API error")
    if isinstance(error, OperationalError):
        response = error_response(503, "the database is busy or unreachable; nothing was stored, try again")
        response.headers["Retry-After"] = "30"
        return response
    return error_response(500, "unexpected server error; nothing was stored, try again later")


@bp.get("/content/<lang>")
def content_index(lang):
    """The content index of a language: topics, quizzes, events and the precache list."""
    content = get_content()
    if lang not in content.languages:
        abort(404, description=f"unknown language '{lang}'; known: {', '.join(content.languages)}")
    topics = []
    for tid in content.topic_ids():
        found = content.topic(lang, tid)
        if found is None:  # never: topic_ids() are the Vietnamese topics, every language's fallback
            continue
        topics.append(
            {
                "id": tid,
                "title": found.value.title,
                "summary": found.value.summary,
                "lang": found.lang,
                "fallback": found.fallback,
                "status": found.value.status,
                "url": url_for("public.topic", lang=lang, topic_id=tid),
                "quiz": found.value.quiz,
            }
        )
    quizzes = []
    for qid in content.quiz_ids():
        found_quiz = content.quiz(lang, qid)
        if found_quiz is None:  # never: quiz_ids() are the Vietnamese quizzes, every language's fallback
            continue
        quiz = found_quiz.value
        quizzes.append(
            {
                "id": qid,
                "topic": quiz.topic,
                "title": quiz.title,
                "lang": found_quiz.lang,
                "fallback": found_quiz.fallback,
                "url": url_for("public.quiz", lang=lang, quiz_id=qid),
                "questions": [
                    {"id": q.id, "text": q.text, "options": [{"id": o.id, "text": o.text} for o in q.options]}
                    for q in quiz.questions
                ],
            }
        )
    events = [
        {
            "id": e.id,
            "date": e.date.isoformat(),
            "end_date": e.end_date.isoformat() if e.end_date else None,
            "province": e.province,
            "commune": e.commune,
            "title": content.text(e.title, lang).value,
            "place": content.text(e.place, lang).value,
            "description": content.text(e.description, lang).value if e.description else "",
            "national": e.national,
        }
        for e in content.public_events()
    ]
    return {
        "lang": lang,
        "content_version": content.version,
        "topics": topics,
        "quizzes": quizzes,
        "events": events,
        "precache": pwa.precache_urls(lang),
    }


# Tokens, who is logged in, what was stored, the organisers' figures: never kept by a cache.
PRIVATE_ENDPOINTS = {
    "api.login",
    "api.anonymous_device",
    "api.me",
    "api.logout",
    "api.sync_records",
    "api.stats",
    "api.photo_status",
    "api.photo_chunk",
}


@bp.after_request
def no_store_for_private_answers(response):
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


from . import auth_views, openapi, photo_views, stats_views, sync_views  # noqa: E402,F401  (routes register on bp)

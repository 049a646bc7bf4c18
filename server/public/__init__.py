"""Public pages: home, topics, quizzes, events, offline page; and the root-level PWA files."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import i18n, listening, pwa
from ..content import score
from ..web import IMMUTABLE, get_content, saved_language

bp = Blueprint("public", __name__, url_prefix="/<lang>")
root_bp = Blueprint("root", __name__)


# -- root-level ------------------------------------------------------------------------------


@root_bp.get("/")
def index():
    content = get_content()
    lang = i18n.pick_language(
        saved_language(),
        request.accept_languages,
        list(content.languages),
        current_app.config["DEFAULT_LANG"],
    )
    response = redirect(url_for("public.home", lang=lang))
    response.headers["Vary"] = "Cookie, Accept-Language"
    response.headers["Cache-Control"] = "no-cache"
    return response


@root_bp.get("/healthz")
def healthz():
    return {"status": "ok", "content_version": get_content().version}


@root_bp.get("/manifest.webmanifest")
def manifest():
    response = current_app.response_class(
        current_app.json.dumps(pwa.manifest()), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@root_bp.get("/sw.js")
def service_worker():
    body = render_template("sw.js", manifest=pwa.precache_manifest())
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def _media_file(path: str) -> bytes | None:
    """A media file of the published content; the studio's people also get the draft's, for
    the preview."""
    from .. import auth, content_roles
    from ..content import releases
    from ..extensions import db
    from ..state import state

    data = state().content_store.tree.read(path)
    if data is None:
        user = auth.session_user()
        if user is not None and content_roles.may_use_studio(user):
            with db.engine.connect() as conn:
                data = releases.draft_file(conn, path)
    return data


@root_bp.get("/media/<name>")
def media(name: str):
    """A picture of the content, immutable (the name is the fingerprint of the bytes)."""
    from ..content.pictures import MEDIA, size_of

    data = _media_file(f"{MEDIA}/{name}") if size_of(name) is not None else None
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="image/webp")
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@root_bp.get("/media/audio/<name>")
def media_audio(name: str):
    """A recording (Opus or MP3), immutable, with byte ranges: players seek with Range requests."""
    from ..content.audio import FORMATS, NAME
    from ..content.recordings import AUDIO_DIR

    found = NAME.match(name)
    data = _media_file(f"{AUDIO_DIR}/{name}") if found else None
    if data is None or found is None:
        abort(404)
    response = current_app.response_class(data, mimetype=FORMATS[found["ext"]])
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["Accept-Ranges"] = "bytes"
    return response.make_conditional(request, accept_ranges=True, complete_length=len(data))


@root_bp.get("/favicon.ico")
def favicon():
    from ..web import asset_url

    return redirect(asset_url("icons/icon-192.png"))


# -- pages of one language -------------------------------------------------------------------


@bp.url_value_preprocessor
def pick_lang(_endpoint, values):
    lang = values.pop("lang")
    g.lang = lang
    if lang not in get_content().languages:
        moved = old_language_address()
        if moved is not None:
            abort(moved)
        abort(404, description=f"unknown language '{lang}'")


@root_bp.before_app_request
def old_language_address():
    """Addresses under a language's old code (White Hmong's /hnj/...) move, permanently, to
    its code now (/mww/...), keeping the rest of the address and the query."""
    first, sep, rest = request.path.lstrip("/").partition("/")
    if not first or first in ("static", "api", "organiser", "l"):
        return None
    new = get_content().canonical_lang(first)
    if new == first:
        return None
    query = request.query_string.decode("latin-1")
    return redirect(f"/{new}{sep}{rest}" + (f"?{query}" if query else ""), code=301)


@bp.url_defaults
def keep_lang(_endpoint, values):
    values.setdefault("lang", g.get("lang"))


@bp.after_request
def remember_language(response):
    """A person who navigates to a language has chosen it: remember it for `/`.
    (Background fetches, like the service worker's precaching, do not count.)"""
    if (
        request.headers.get("Sec-Fetch-Mode") == "navigate"
        and request.cookies.get(i18n.LANG_COOKIE) != g.lang
    ):
        response.set_cookie(
            i18n.LANG_COOKIE,
            g.lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.get("/")
def home():
    content = get_content()
    topics = [content.topic(g.lang, tid) for tid in content.topic_ids()]
    return render_template(
        "home.html", topics=topics, offline_audio=listening.offline_summary(content, g.lang)
    )


@bp.get("/audio.json")
def audio_list():
    """The recordings of this language's pages, per format, for "download audio for offline use"."""
    content = get_content()
    return listening.offline_lists(content, g.lang), 200, {"Cache-Control": "no-cache"}


@bp.get("/topics/<topic_id>")
def topic(topic_id):
    found = get_content().topic(g.lang, topic_id)
    if found is None:
        abort(404, description=_("There is no topic '%(id)s'.", id=topic_id))
    return render_template(
        "topic.html",
        topic=found.value,
        fallback=found.fallback,
        audio=listening.topic_audio(get_content(), found.value),
    )


def _quiz(quiz_id: str):
    found = get_content().quiz(g.lang, quiz_id)
    if found is None:
        abort(404, description=_("There is no quiz '%(id)s'.", id=quiz_id))
    return found


@bp.get("/quiz/<quiz_id>")
def quiz(quiz_id):
    found = _quiz(quiz_id)
    return render_template(
        "quiz.html",
        quiz=found.value,
        fallback=found.fallback,
        result=None,
        audio=listening.quiz_audio(get_content(), found.value),
    )


@bp.get("/quiz/<quiz_id>/result")
def quiz_result(quiz_id):
    """The quiz scored on the server, for phones without JavaScript. Nothing is stored."""
    found = _quiz(quiz_id)
    answers = {q.id: answer for q in found.value.questions if (answer := request.args.get(q.id))}
    correct, total = score(found.value, answers)
    return render_template(
        "quiz.html",
        quiz=found.value,
        fallback=found.fallback,
        result={"answers": answers, "correct": correct, "total": total},
        audio=listening.quiz_audio(get_content(), found.value),
    )


@bp.get("/events")
def events():
    return render_template("events.html")


@bp.get("/contacts")
def contacts_page():
    """Every province's contact card beside the national hotline; the topic pages and the
    letter take the reader's province card from this page (saved offline with the language)."""
    from .. import contacts

    return render_template("contacts.html", cards=contacts.all_cards())


@bp.get("/letter")
def letter():
    """A printable request to negotiate and the evidence checklist (A4 or A5, fill in by hand)."""
    return render_template("letter.html")


@bp.get("/complaint")
def complaint_form():
    """A consumer's own complaint to the commune, queued offline like quiz answers."""
    from ..complaint_names import outcome_names

    return render_template("complaint_form.html", outcome_names=outcome_names())


@bp.get("/offline")
def offline():
    return render_template("offline.html")


@bp.get("/strings.json")
def strings():
    """Interface strings for the page's JavaScript, from the same catalogues as the pages."""
    from ..strings import js_strings

    response = make_response(js_strings())
    response.headers["Cache-Control"] = "no-cache"
    return response


from . import leaflet_views  # noqa: E402,F401  (routes register on root_bp)

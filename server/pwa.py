"""The installable, offline-first side: web app manifest and the service worker's precache list.

Every URL the service worker caches has a revision: static assets their content hash,
pages the hash of their rendered bytes. A new revision anywhere gives a new service worker
version, which phones download in the background and offer as "new content: reload". On
update a phone re-downloads only the entries whose revision changed.
"""

from __future__ import annotations

import hashlib
import json

from flask import Flask, url_for

from . import campaign, contacts
from .config import sync_limits
from .state import current_flask_app, state
from .web import get_assets, get_content

BACKGROUND_COLOUR = "#ffffff"

# Static files every language needs offline. Fonts are per language (see language_assets).
SHELL_ASSETS = (
    "css/app.css",
    "js/app.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)


# Scripts of the organiser pages only (which make no offline promise): never precached on phones.
ORGANISER_SCRIPTS = frozenset({"js/confirm.js", "js/studio.js", "js/recorder.js"})


def shell_asset_names() -> list[str]:
    """Shell assets plus every JavaScript module of the residents' and staff screens, so any of
    them works offline."""
    js = sorted(
        a.logical
        for a in get_assets().all()
        if a.logical.startswith("js/") and a.logical not in ORGANISER_SCRIPTS
    )
    return list(dict.fromkeys([*SHELL_ASSETS, *js]))


def language_assets(lang: str) -> list[str]:
    """Extra static files for one language, e.g. the Khmer font only on Khmer pages."""
    language = get_content().languages[lang]
    if not language.font:
        return []
    prefix = f"fonts/{language.font}"
    return sorted(
        a.logical
        for a in get_assets().all()
        if a.logical.startswith(prefix) or a.logical == f"css/font-{language.font}.css"
    )


def language_pages(lang: str) -> list[str]:
    """Every page of a language that must work offline."""
    content = get_content()
    urls = [
        url_for("public.home", lang=lang),
        url_for("public.events", lang=lang),
        url_for("public.offline", lang=lang),
        url_for("public.contacts_page", lang=lang),
        url_for("public.letter", lang=lang),
        url_for("public.complaint_form", lang=lang),
        url_for("public.strings", lang=lang),
    ]
    urls += [url_for("public.topic", lang=lang, topic_id=t) for t in content.topic_ids()]
    urls += [url_for("public.quiz", lang=lang, quiz_id=q) for q in content.quiz_ids()]
    urls.append(url_for("staff.app_shell", lang=lang))
    return urls


def language_pictures(lang: str) -> list[list[str]]:
    """[url, revision] of the pictures the language's topic pages show, as many as fit the
    precache's share for pictures (their names are the fingerprints of their bytes)."""
    from .content.pictures import offline_split

    offline, _online = offline_split(get_content(), state().content_store.tree, lang)
    return [[url, url.rsplit("/", 1)[1][:16]] for url in offline]


def _render_revision(app: Flask, url: str) -> str:
    # A fresh app context, so the inner request gets its own `g` and leaves the caller's alone.
    with app.app_context(), app.test_client() as client:
        response = client.get(url, headers={"Accept-Language": ""})
        if response.status_code != 200:
            raise RuntimeError(f"precache page {url} answered {response.status_code}")
        return hashlib.sha256(response.get_data()).hexdigest()[:12]


def precache_manifest() -> dict:
    """{"version", "shell": [[url, rev]], "pages": {lang: [[url, rev]]}}, computed once per
    process (content, templates and assets do not change while it runs)."""
    app = current_flask_app()  # passed on to _render_revision's fresh contexts
    cached = state(app).precache
    cards = contacts.version()  # organisers edit the cards without a new content version
    if cached and cached["content_version"] == get_content().version and cached["contacts"] == cards:
        return cached
    assets = get_assets()

    def asset_entry(logical: str) -> list[str]:
        url = assets.url(logical)  # AssetError when there is no such file
        asset = assets.by_logical(logical)
        assert asset is not None, logical
        return [url, asset.digest]

    shell = [asset_entry(a) for a in shell_asset_names()]
    shell.append(
        [
            url_for("root.manifest"),
            hashlib.sha256(json.dumps(manifest(), sort_keys=True).encode()).hexdigest()[:12],
        ]
    )
    pages = {}
    for lang in get_content().languages:
        entries = [[u, _render_revision(app, u)] for u in language_pages(lang)]
        entries += [asset_entry(a) for a in language_assets(lang)]
        entries += language_pictures(lang)
        pages[lang] = entries
    limits = sync_limits(app.config)
    digest = hashlib.sha256(json.dumps([shell, pages, limits], sort_keys=True).encode()).hexdigest()[:12]
    result = {
        "version": digest,
        "shell": shell,
        "pages": pages,
        "sync": limits,
        "hotline": {"display": campaign.HOTLINE, "tel": campaign.HOTLINE_TEL},
        "content_version": get_content().version,
        "contacts": cards,
    }
    state(app).precache = result
    return result


def precache_urls(lang: str) -> list[str]:
    m = precache_manifest()
    return [u for u, _ in m["shell"]] + [u for u, _ in m["pages"][lang]]


def manifest() -> dict:
    assets = get_assets()
    return {
        "name": "Loa – Quyền lợi người tiêu dùng",
        "short_name": "Loa",
        "description": "Nhận biết hàng giả, cách khiếu nại, Ngày Quyền của người tiêu dùng Việt Nam 15/3.",
        "lang": "vi",
        "start_url": "/?source=pwa",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": campaign.BRAND_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": assets.url("icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": assets.url("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": assets.url("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": assets.url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }

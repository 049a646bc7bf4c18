"""What a leaflet says: the topic in the leaflet's language and the interface words printed
around it, whatever it is drawn on."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, gettext

from ..campaign import HOTLINE
from ..content import Content
from ..models import Leaflet
from .codes import leaflet_url, short_address
from .errors import LeafletError
from .store import place_of


# Interface words printed on leaflets. They are in the Babel catalogues like every other
# interface string, so a translator adds them for a new language; an untranslated word is
# printed in Vietnamese. %(address)s is the public host where a code is typed by hand.
def N_(message: str) -> str:
    """Marks a message for `loa i18n extract`; translated later, in the leaflet's language."""
    return message


WORDS = {
    "header": N_("Protecting consumer rights"),
    "hotline": N_("Free hotline"),
    "scan": N_("Scan the code to read more and take the quiz"),
    "type_code": N_("Can't scan? Type this code at %(address)s"),
}


def leaflet_word(lang: str, key: str, **values) -> str:
    """An interface word in the leaflet's language, else in Vietnamese."""
    original = WORDS[key]
    with force_locale(lang):
        text = gettext(original, **values)
    if lang != "en" and text == (original % values if values else original):
        with force_locale("vi"):
            text = gettext(original, **values)
    return text


@dataclass(frozen=True)
class LeafletText:
    """Everything printed on one leaflet, whatever it is drawn on."""

    code: str
    url: str
    lang: str
    header: str
    title: str
    place: str
    points: tuple[str, ...]
    hotline_label: str
    scan_hint: str
    type_hint: str
    hotline: str = HOTLINE


def leaflet_text(leaflet: Leaflet, content: Content, public_url: str) -> LeafletText:
    """The words of a leaflet: the topic in its language (Vietnamese when not translated) and
    interface words in the leaflet's language."""
    found = content.topic(leaflet.lang, leaflet.topic_id)
    if found is None:
        raise LeafletError(f"leaflet {leaflet.code}: topic '{leaflet.topic_id}' is no longer in the content")
    topic = found.value
    commune_name, province_name = place_of(leaflet.commune_code)
    return LeafletText(
        code=leaflet.code,
        url=leaflet_url(public_url, leaflet.code),
        lang=leaflet.lang,
        header=leaflet_word(leaflet.lang, "header"),
        title=topic.title,
        place=f"{commune_name} · {province_name}" if commune_name else "",
        points=tuple(topic.key_points),
        hotline_label=leaflet_word(leaflet.lang, "hotline"),
        scan_hint=leaflet_word(leaflet.lang, "scan"),
        type_hint=leaflet_word(leaflet.lang, "type_code", address=short_address(public_url)),
    )

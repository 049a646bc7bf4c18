"""The problems `loa content check` finds, said to the studio's and events page's readers in their
language. The check speaks English to translators' terminals and CI logs; the pages match each
message to its catalogue sentence (the values it names kept), and show any message without one
as it is."""

from __future__ import annotations

import re

from flask_babel import gettext as _

# (the check's English message, its catalogue sentence with the same named values)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^is required and must be non-empty text$"), "required"),
    (re.compile(r"^must be non-empty text$"), "required"),
    (re.compile(r"^is (?P<n>\d+) characters; at most (?P<max>\d+) fit on a leaflet$"), "leaflet_length"),
    (re.compile(r"^is (?P<n>\d+) characters; at most (?P<max>\d+) fit$"), "length"),
    (re.compile(r"^needs 4 to 6 items \(they go on leaflets\), found (?P<n>\w+)$"), "key_points"),
    (re.compile(r"^is empty: write the topic below the front matter$"), "empty_body"),
    (re.compile(r"^uses a '# ' heading"), "heading"),
    (re.compile(r"^raw HTML is not allowed \('(?P<html>.*)'\): write Markdown instead$"), "raw_html"),
    (re.compile(r"^the link '(?P<link>.*)' is not allowed"), "unsafe_link"),
    (re.compile(r"^the picture '(?P<src>.*)' needs a description"), "no_alt"),
    (re.compile(r"^the picture '(?P<src>.*)' is not one uploaded in the studio"), "foreign_picture"),
    (re.compile(r"^the picture '(?P<src>.*)' is not in the content"), "missing_picture"),
    (re.compile(r"^needs at least 5 questions, found (?P<n>\w+)$"), "questions"),
    (re.compile(r"^needs 2 to 6 options$"), "options"),
    (re.compile(r"^'(?P<answer>.*)' is not one of the option ids: (?P<ids>.*)$"), "answer"),
    (re.compile(r"^is used twice in this quiz$"), "twice"),
    (re.compile(r"^(?P<end>\S+) is before the start date (?P<start>\S+)$"), "dates"),
    (
        re.compile(r"^(?P<commune>.+) \((?P<code>\d+)\) is not in province (?P<province>\d+)$"),
        "commune_province",
    ),
    (re.compile(r"^'(?P<value>.*)' is not an official (?P<what>province|commune) code$"), "not_official"),
]


def _sentence(key: str, **values: str) -> str:
    sentences = {
        "required": lambda: _("is required: write a text"),
        "leaflet_length": lambda: _("has %(n)s characters; at most %(max)s fit on a leaflet", **values),
        "length": lambda: _("has %(n)s characters; at most %(max)s fit", **values),
        "key_points": lambda: _("needs 4 to 6 key points (they go on leaflets); there are %(n)s", **values),
        "empty_body": lambda: _("is empty: write the topic's text"),
        "heading": lambda: _(
            "starts a section with '# ': the title is written above, start sections with '## '"
        ),
        "raw_html": lambda: _("HTML is not allowed ('%(html)s'): write Markdown", **values),
        "unsafe_link": lambda: _(
            "the link '%(link)s' is not allowed: links start with https://, tel: or ../", **values
        ),
        "no_alt": lambda: _(
            "the picture %(src)s needs a description for readers who cannot see it", **values
        ),
        "foreign_picture": lambda: _("the picture %(src)s was not uploaded in the studio", **values),
        "missing_picture": lambda: _("the picture %(src)s is not in the content: upload it again", **values),
        "questions": lambda: _("needs at least 5 questions; there are %(n)s", **values),
        "options": lambda: _("needs 2 to 6 options"),
        "answer": lambda: _("the right answer '%(answer)s' is not one of the options (%(ids)s)", **values),
        "twice": lambda: _("is used twice in this quiz"),
        "dates": lambda: _("%(end)s is before the first day %(start)s", **values),
        "commune_province": lambda: _("%(commune)s (%(code)s) is not in province %(province)s", **values),
        "not_official": lambda: _("'%(value)s' is not an official code", **values),
    }
    return sentences[key]()


def say(message: str) -> str:
    """`message` of the content check in the reader's language (as it is when there is no
    catalogue sentence for it)."""
    for pattern, key in _PATTERNS:
        found = pattern.match(message)
        if found:
            return _sentence(key, **found.groupdict())
    return message


def say_error(error) -> str:
    """A ContentError as a page shows it: its field, then the problem in the reader's language."""
    return f"{error.field}: {say(error.message)}" if error.field else say(error.message)

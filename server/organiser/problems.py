"""What went wrong, said to an organiser in their language: errors that carry a `code` and
`params` (report filters, accounts, province scope, picked communes) become one sentence from
the catalogues. The English message stays for the command line and the JSON API."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import strings


def _sentences() -> dict[str, str]:
    return {
        "unknown_province": _("There is no province with the code %(value)s."),
        "unknown_commune": _("There is no commune with the code %(value)s."),
        "not_a_date": _("“%(value)s” is not a date: write it as year-month-day, e.g. 2027-03-15."),
        "commune_not_in_province": _("%(commune)s is not in %(province)s."),
        "unknown_topic": _("There is no topic “%(value)s”."),
        "unknown_language": _("There is no language “%(value)s”."),
        "dates_inverted": _("The end date (%(end)s) is before the start date (%(start)s)."),
        "bad_username": _(
            "The username “%(value)s” does not fit: use 2 to 64 lower-case letters, digits, '.', '_' or '-'."
        ),
        "username_taken": _("The username “%(value)s” is already taken."),
        "staff_need_a_province": _("Commune staff need a province or communes."),
        "no_account": _("There is no account “%(value)s”."),
        "out_of_scope": _("Your account works with %(province)s only."),
        "bad_year": _("“%(value)s” is not a year between 2015 and 2100."),
    }


def say(exc: Exception) -> str:
    """The sentence for an error with a known `code`, else its own message (already translated
    where it was made, as pickers' are)."""
    sentence = _sentences().get(getattr(exc, "code", ""))
    return sentence % getattr(exc, "params", {}) if sentence else str(exc)


def rejection(item: dict, sentences: dict[str, str] | None = None) -> str:
    """A record the sync rules rejected ({code, params}), said in the organiser's language: the
    page's own sentence for its code, else the phone's, else which field to check."""
    params = item.get("params", {})
    code = item.get("code", "")
    sentence = (sentences or {}).get(code) or strings.js_strings().get(f"problem_{code}")
    if sentence and code != "other":
        try:
            return sentence % params
        except (KeyError, TypeError, ValueError):
            pass
    if params.get("field"):
        return _("Not saved: “%(field)s” is not right. Check it and save again.", field=params["field"])
    return _("Not saved: check the fields and save again.")

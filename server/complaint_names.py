"""The words for a complaint's steps, transfers and wanted outcomes, in the reader's language:
one place for the organiser pages and the staff phone."""

from __future__ import annotations

from flask_babel import gettext as _

from . import campaign


def step_names() -> dict[str, str]:
    return {
        "received": _("Received"),
        "advised": _("Advised"),
        "transferred": _("Transferred"),
        "resolved": _("Resolved"),
        "closed": _("Closed"),
    }


def transfer_names() -> dict[str, str]:
    return {
        "business": _("the business"),
        "market_board": _("the market management board"),
        "market_surveillance": _("Market Surveillance"),
        "association": _("the consumer association"),
        "hotline": _("the %(hotline)s hotline", hotline=campaign.HOTLINE),
    }


def outcome_names() -> dict[str, str]:
    return {
        "refund": _("a refund"),
        "exchange": _("an exchange"),
        "repair": _("a repair"),
        "compensation": _("compensation"),
        "other": _("something else"),
    }

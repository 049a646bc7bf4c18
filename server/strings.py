"""Interface strings used by JavaScript, translated from the same Babel catalogues as the
pages and sent to the phone as JSON for its language (precached with the language)."""
from __future__ import annotations

from flask_babel import gettext as _


def js_strings() -> dict[str, str]:
    # Placeholders use the catalogues' %(name)s form; strings.js fills them in.
    return {
        "offline_ready": _("Ready to work offline. These pages now open without a network."),
        "offline_available": _("Saved on this phone for offline use"),
        "offline_saving": _("Saving pages for offline use: %(done)s of %(total)s"),
        "offline_failed": _("Could not save the pages for offline use. Loa will try again when there is a network."),
        "update_ready": _("New content is available."),
        "update_reload": _("Reload"),
        "storage_persistent": _("Storage: kept by the browser"),
        "storage_not_persistent": _("Storage: the browser may clear it when space runs low"),
        "storage_unknown": _("Storage: unknown"),
        "you_are_offline": _("You are offline."),
        "quiz_correct": _("Correct."),
        "quiz_wrong": _("Not quite. The right answer: %(answer)s"),
        "quiz_score": _("You answered %(correct)s of %(total)s questions correctly."),
        "quiz_unanswered": _("Please answer every question first: %(count)s left."),
        "quiz_again": _("Try again"),
        "lang_not_cached": _("%(language)s is not saved on this phone yet. Connect to the internet to download it."),
        "lang_download": _("Download when online"),
        "lang_download_pending": _("%(language)s will be downloaded as soon as there is a network."),
    }

"""Organisers keep their province's commune classification: which communes are border
communes, remote and mountain communes (the areas of content/areas.yaml), each list with the
official decision it comes from. The dashboard and the reports count reach and participants
in these communes."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import commune_areas, communes, scope
from ..web import get_content
from . import bp, organiser_required
from .forms import ConfirmForm
from .pickers import PickError, chosen_province, resolve_communes


def _sentence(exc: commune_areas.ClassificationError) -> str:
    sentence = {
        "source_needed": _("Name the decision the list comes from (its number and date)."),
        "source_too_long": _("The source is too long: at most %(limit)s characters."),
        "commune_not_in_province": _("%(commune)s is not in %(province)s."),
    }.get(exc.code)
    return sentence % exc.params if sentence else str(exc)


@bp.route("/areas", methods=["GET", "POST"])
@organiser_required
def areas_page():
    content = get_content()
    province = chosen_province()
    confirm = ConfirmForm()
    errors: dict[str, str] = {}
    typed: dict[str, dict[str, str]] = {}
    if province is not None and request.method == "POST":
        area = request.form.get("area", "")
        typed[area] = {"communes": request.form.get("communes", ""), "source": request.form.get("source", "")}
        if not confirm.validate_on_submit():
            errors[area] = _("The form expired. Save again.")
        else:
            try:
                codes = resolve_communes(typed[area]["communes"], province)
                commune_areas.save(area, province, codes, typed[area]["source"], g.user.username, content)
            except PickError as exc:
                errors[area] = str(exc)
            except commune_areas.ClassificationError as exc:
                errors[area] = _sentence(exc)
            else:
                flash(_("The list is saved: the figures count these communes now."))
                return redirect(url_for("organiser.areas_page", province=province))
    saved = commune_areas.of_province(province) if province is not None else {}
    for entry in saved.values():
        entry["names"] = [communes.commune_name(code) for code in entry["communes"]]
    return (
        render_template(
            "organiser/areas.html",
            province=province,
            provinces=scope.provinces_for(g.user),
            areas=content.areas,
            saved=saved,
            typed=typed,
            errors=errors,
            confirm=confirm,
        ),
        400 if errors else 200,
    )

"""`loa leaflets ...`: print-ready leaflets with QR codes, per topic, language and commune."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..state import state

leaflets = AppGroup("leaflets", help="Printed leaflets with QR codes: build the files, list the codes.")


def _communes_for(commune_codes: tuple[int, ...], province_code: int | None) -> list[int | None]:
    """The communes asked for: those given, every commune of a province, or none (one leaflet
    for every commune)."""
    from .. import communes

    if commune_codes and province_code is not None:
        raise click.UsageError("give --commune or --province, not both")
    if province_code is None:
        return list(commune_codes) or [None]
    if communes.province(province_code) is None:
        valid = ", ".join(f"{p.code} {p.name}" for p in communes.provinces().values())
        raise click.UsageError(f"unknown province code {province_code}; valid: {valid}")
    return [c.code for c in communes.communes_of(province_code)]


@leaflets.command("build")
@click.option("--topic", "topic_id", required=True, help="topic id, e.g. counterfeit")
@click.option("--lang", required=True, help="language code, e.g. vi, km, mww")
@click.option(
    "--commune", "commune_codes", type=int, multiple=True, help="official commune code; repeat for several"
)
@click.option("--province", "province_code", type=int, help="every commune of this official province code")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="folder for the files (created when missing)",
)
@click.option(
    "--layout",
    "layouts",
    type=click.Choice(["a5", "a4-2up"]),
    multiple=True,
    help="combined PDF(s) to write; repeat for both  [default: both]",
)
@click.option("--public-url", help="address the QR codes open  [default: LOA_PUBLIC_URL]")
def build_command(topic_id, lang, commune_codes, province_code, out_dir, layouts, public_url):
    """Write a leaflet PDF and PNG per commune, the combined PDFs for the print shop and
    leaflets.csv. Without --commune or --province: one leaflet for every commune. Safe to
    interrupt and run again: the codes are kept, the files are rewritten."""
    from .batch import build, build_steps
    from .errors import LeafletError
    from .pdf import LAYOUTS
    from .store import validate_request

    content = state().content
    public_url = (public_url or current_app.config["PUBLIC_URL"]).rstrip("/")
    try:
        targets = validate_request(topic_id, lang, _communes_for(commune_codes, province_code), content)
        with click.progressbar(
            length=build_steps(len(targets)), label=f"building {len(targets)} leaflet(s)", file=sys.stderr
        ) as bar:
            result = build(
                topic_id,
                lang,
                targets,
                out_dir,
                content,
                public_url,
                progress=bar.update,
                layouts=layouts or LAYOUTS,
            )
    except LeafletError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(result.leaflets)} leaflets ({topic_id}, {lang}) in {out_dir}")
    for layout, path in result.combined.items():
        click.echo(f"  for the print shop ({layout}): {path}")
    click.echo(f"  list of codes: {Path(out_dir) / 'leaflets.csv'}")


@leaflets.command("list")
@click.option("--province", "province_code", type=int, help="only the leaflets of this province's communes")
def list_command(province_code):
    """Print the stored leaflet codes: code, topic, language, commune and its address."""
    from .codes import leaflet_url
    from .store import place_of, stored_leaflets

    public_url = current_app.config["PUBLIC_URL"]
    for leaflet in stored_leaflets(province_code):
        commune_name, province_name = place_of(leaflet.commune_code)
        place = f"{commune_name}, {province_name}" if commune_name else "every commune"
        click.echo(
            f"{leaflet.code}  {leaflet.topic_id:<14} {leaflet.lang:<4} {place:<50} "
            f"{leaflet_url(public_url, leaflet.code)}"
        )

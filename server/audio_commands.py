"""`loa audio add|list` (recordings of the content, as the studio's audio page makes them) and
`loa broadcast export` (the commune loudspeaker spots of a province, as one ZIP)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app

from .cli import cli


def _who() -> str:
    return f"cli:{getpass.getuser()}"


@cli.group("audio")
def audio_group():
    """Recordings of the content: add them from files, list them."""


def key_for(
    topic: str | None, quiz: str | None, key_point: int | None, question: str | None, spot: bool
) -> str:
    """The audio.yaml key the options name; click.UsageError when they do not name one piece."""
    from .content import recordings

    if quiz or question:
        if not (quiz and question) or key_point or spot:
            raise click.UsageError("a question is named with --quiz Q --question ID (and nothing else)")
        return recordings.question_key(quiz, question)
    if not topic:
        raise click.UsageError("name a --topic (or a --quiz and --question)")
    if key_point and spot:
        raise click.UsageError("--key-point and --spot cannot go together")
    if key_point:
        return recordings.key_point_key(topic, key_point)
    return recordings.spot_key(topic) if spot else recordings.narration_key(topic)


@audio_group.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", required=True, help="the language spoken (vi, en, km, mww)")
@click.option("--topic", help="the topic: its narration, or with --key-point/--spot that part")
@click.option("--key-point", type=click.IntRange(1, 6), help="key point number N (1 to 6) of the topic")
@click.option("--spot", is_flag=True, help="a dedicated recording for the commune loudspeaker")
@click.option("--quiz", help="the quiz of --question")
@click.option("--question", help="question id: the question read with its options")
@click.option("--publish", "note", default=None, help="publish the draft at once, with this note")
def audio_add(
    file: Path,
    lang: str,
    topic: str | None,
    key_point: int | None,
    spot: bool,
    quiz: str | None,
    question: str | None,
    note: str | None,
):
    """Add FILE (m4a, MP3, Ogg/Opus, WAV, AMR, WebM) as a recording: trimmed, at -16 LUFS, as
    Opus and MP3, in the draft (and published with --publish NOTE)."""
    from .content import audio, audio_draft
    from .content import releases as rel
    from .content.errors import ContentInvalid
    from .extensions import db

    key = key_for(topic, quiz, key_point, question, spot)
    config = current_app.config
    try:
        made = audio.prepare(file.read_bytes(), config["AUDIO_MAX_BYTES"], config["AUDIO_MAX_SECONDS"])
    except audio.AudioError as exc:
        raise click.ClickException(f"{file}: {exc}; nothing stored") from None
    try:
        rel.run(db.engine, lambda conn: audio_draft.add(conn, lang, key, made, _who()))
    except audio_draft.NotRecordable as exc:
        raise click.ClickException(f"{exc}; nothing stored") from None
    click.echo(
        f"{lang} {key}: {made.seconds:.1f} s at {made.lufs:.1f} LUFS, "
        f"Opus {len(made.opus) / 1024:.1f} KB, MP3 {len(made.mp3) / 1024:.1f} KB, in the draft"
    )
    if note is not None:
        try:
            release = rel.run(db.engine, lambda conn: rel.publish(conn, _who(), note))
        except ContentInvalid as exc:
            raise click.ClickException(f"not published: {exc.errors[0]}") from None
        except rel.NothingToPublish:
            return
        click.echo(f"published release {release.number}")


@audio_group.command("list")
@click.option("--lang", default=None, help="only this language")
def audio_list(lang: str | None):
    """The published recordings: language, what each reads, duration, state."""
    from .web import get_content

    content = get_content()
    for code in content.languages:
        if lang and code != lang:
            continue
        for key, clip in sorted(content.audio.get(code, {}).items()):
            click.echo(f"{code:<4} {key:<44} {clip.seconds:7.1f} s  {clip.state}")


@cli.group("broadcast")
def broadcast_group():
    """Spots for the commune loudspeakers."""


@broadcast_group.command("export")
@click.option("--province", type=int, required=True, help="official province code, e.g. 12")
@click.option("--out", "folder", required=True, type=click.Path(file_okay=False, path_type=Path))
def broadcast_export(province: int, folder: Path):
    """Write one ZIP for PROVINCE's commune stations into --out: an MP3 spot per topic and
    language (the national topics and the province's own) and a script sheet per language."""
    from . import broadcast_spots, communes
    from .state import state
    from .web import get_content

    if communes.province(province) is None:
        raise click.ClickException(f"'{province}' is not an official province code")
    data, count = broadcast_spots.export_zip(get_content(), state().content_store.tree, province)
    if not count:
        raise click.ClickException("no topic has a recording yet: add narrations with `loa audio add`")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / broadcast_spots.zip_name(province)
    target.write_bytes(data)
    click.echo(f"{target}: {count} spots, {len(data) / 1e6:.1f} MB")

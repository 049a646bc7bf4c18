"""Spots for the commune loudspeaker (đài truyền thanh cơ sở): per topic and language, an MP3
(mono, 44.1 or 48 kHz, 64 kbit/s by default; the settings LOA_BROADCAST_*) made from the topic's
dedicated spot recording or else its narration, between two short signature sounds, and a
printable script sheet per language (the text read, the duration, suggested days and times).
`loa broadcast export` and the organiser page put a province's spots in one ZIP for its
commune stations. Spots are made once per recording and setting, then kept under the instance
folder (spots/), so a second export costs nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template

from . import communes
from .content import audio, recordings
from .content.model import SOURCE_LANG, Content, Topic
from .content.tree import Tree

CHIME = "chime"  # LOA_BROADCAST_SIGNATURE's value for Loa's own two-note signature
GAP = 0.4  # seconds of quiet between the signature and the speech
# Commune stations air in the early morning and late afternoon; Consumer Rights Day (15 March)
# is the campaign's peak. The sheet suggests, the station decides.
SUGGESTED_TIMES = ("06:00", "17:30")


@dataclass(frozen=True)
class SpotSettings:
    rate: int
    bitrate: int
    signature: str  # "chime", "" (none) or a path to an audio file

    @classmethod
    def from_config(cls) -> SpotSettings:
        config = current_app.config
        return cls(
            int(config["BROADCAST_SAMPLE_RATE"]),
            int(config["BROADCAST_BITRATE"]),
            str(config["BROADCAST_SIGNATURE"]),
        )

    def fingerprint(self) -> str:
        signature = self.signature
        if signature not in ("", CHIME) and Path(signature).is_file():
            signature = hashlib.sha256(Path(signature).read_bytes()).hexdigest()
        return hashlib.sha256(f"{self.rate}:{self.bitrate}:{signature}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Spot:
    topic: Topic  # in the spot's language
    lang: str
    clip: recordings.Clip  # the recording it is made from
    seconds: float  # with the signatures

    @property
    def file_name(self) -> str:
        return f"{self.topic.order:02d}-{self.topic.id}.mp3"


def signature_frames(settings: SpotSettings) -> list:
    """The signature sound as mono float frames at the spot's rate, or [] for none."""
    if not settings.signature:
        return []
    if settings.signature == CHIME:
        return [
            *audio.tone(0.22, 660, settings.rate, 0.25),
            *audio.tone(0.38, 880, settings.rate, 0.25),
        ]
    return audio.pcm_frames(Path(settings.signature).read_bytes(), settings.rate)


def _signature_seconds(settings: SpotSettings) -> float:
    frames = signature_frames(settings)
    return sum(f.samples for f in frames) / settings.rate


def make_spot(opus: bytes, settings: SpotSettings) -> bytes:
    """The MP3 of a recording for the loudspeaker: signature, speech, signature."""
    speech = audio.pcm_frames(opus, settings.rate)
    signature = signature_frames(settings)
    frames = (
        [
            *signature,
            *audio.silence(GAP, settings.rate),
            *speech,
            *audio.silence(GAP, settings.rate),
            *signature,
        ]
        if signature
        else speech
    )
    return audio.encode(frames, "libmp3lame", "mp3", settings.rate, settings.bitrate)


def spots_for(content: Content, province: int | None) -> list[Spot]:
    """Every spot a province's stations can air: national topics and the province's own, in every
    language with a spot recording or a narration of the topic, in home-page order."""
    settings_seconds = _signature_seconds(SpotSettings.from_config())
    extra = 2 * (settings_seconds + GAP) if settings_seconds else 0.0
    found = []
    for lang in content.languages:
        for topic_id in content.topic_ids():
            source = content.topics[SOURCE_LANG][topic_id]
            if source.province is not None and source.province != province:
                continue
            topic = content.topics.get(lang, {}).get(topic_id)
            if topic is None:
                continue
            clip = content.clip(lang, recordings.spot_key(topic_id)) or content.clip(
                lang, recordings.narration_key(topic_id)
            )
            if clip is not None:
                found.append(Spot(topic, lang, clip, clip.seconds + extra))
    return found


def spot_mp3(spot: Spot, tree: Tree, settings: SpotSettings) -> bytes:
    """The spot's MP3, made once per recording and settings and kept in the instance folder."""
    folder = Path(current_app.config["INSTANCE_DIR"]) / "spots"
    path = folder / f"{spot.clip.stem}-{settings.fingerprint()}.mp3"
    if path.is_file():
        return path.read_bytes()
    opus = tree.read(f"{recordings.AUDIO_DIR}/{spot.clip.stem}.opus")
    if opus is None:
        raise LookupError(f"{spot.clip.stem}.opus is not in the content")
    data = make_spot(opus, settings)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)  # whole or not at all, even with two exports at once
    return data


def script_sheet(spots: list[Spot], lang: str, province: int | None) -> str:
    """The printable script sheet of one language's spots (HTML, A4, styles inside)."""
    mine = [s for s in spots if s.lang == lang]
    return render_template(
        "broadcast_script.html",
        spots=mine,
        lang=lang,
        language=mine[0].topic.lang if mine else lang,
        province=communes.province_name(province) if province else None,
        times=SUGGESTED_TIMES,
        made=dt.date.today(),
        texts={s.topic.id: recordings.plain(s.topic.body_html) for s in mine},
    )


def export_zip(content: Content, tree: Tree, province: int | None) -> tuple[bytes, int]:
    """(the ZIP of a province's spots and script sheets, the number of spots)."""
    settings = SpotSettings.from_config()
    spots = spots_for(content, province)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # MP3s do not compress
        for spot in spots:
            archive.writestr(f"{spot.lang}/{spot.file_name}", spot_mp3(spot, tree, settings))
        for lang in dict.fromkeys(s.lang for s in spots):
            archive.writestr(
                f"{lang}/script.html",
                script_sheet(spots, lang, province).encode(),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue(), len(spots)


def zip_name(province: int | None) -> str:
    return f"loa-spots-{province or 'all'}-{dt.date.today():%Y%m%d}.zip"

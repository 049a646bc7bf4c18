"""Recordings of the content, made small enough for 2G: an upload in any format a phone or a
voice recorder makes (m4a/AAC, MP3, Ogg/Opus, WAV, AMR, MediaRecorder's WebM) is decoded with
PyAV (FFmpeg bundled in its wheels: nothing to install, the same on a Windows laptop), its
leading and trailing silence trimmed, its loudness brought to about -16 LUFS, and encoded twice:

- Ogg Opus, mono, 24 kbit/s: what phones play (about 180 KB a minute);
- MP3, mono, 22.05 kHz, 32 kbit/s: for browsers without Opus (old iPhones).

Both are stored in the content as `media/audio/<fingerprint>-<milliseconds>.opus|.mp3`, so
they travel with releases, export and import like the pictures. bench/audio.py measures the
sizes and the time, and compares with Debian's `ffmpeg` command."""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import av
import av.filter

from .recordings import AUDIO_DIR

NAME = re.compile(r"^(?P<sha>[0-9a-f]{16})-(?P<ms>\d{1,8})\.(?P<ext>opus|mp3)$")
FORMATS = {"opus": "audio/ogg", "mp3": "audio/mpeg"}  # extension: Content-Type
RATE = 48_000  # the working sample rate, Opus's own
TARGET_LUFS = -16.0  # speech on phones and loudspeakers (EBU R128 / podcast practice)
LUFS_TOLERANCE = 0.5  # the loudness passes stop within this
LIMIT = 0.89  # peak ceiling after the gain, about -1 dBFS
SILENCE = "-45dB"  # quieter than this at either end is trimmed
KEEP_BEFORE, KEEP_AFTER = 0.2, 0.3  # seconds of quiet kept before the first and after the last sound
OPUS_BITRATE = 24_000
MP3_RATE, MP3_BITRATE = 22_050, 32_000
MIN_SECONDS = 0.3  # less than this after trimming is no speech


class AudioError(ValueError):
    """An upload that cannot become a recording: `code` (too_large, too_long, not_audio,
    silent) and `params` say why, for the page to say it in its reader's language."""

    def __init__(self, code: str, message: str, **params: int):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Recording:
    stem: str  # <sha16>-<ms>
    opus: bytes
    mp3: bytes
    seconds: float
    lufs: float  # loudness measured after normalising

    def path(self, ext: str) -> str:
        return f"{AUDIO_DIR}/{self.stem}.{ext}"


def seconds_of(name: str) -> float | None:
    """The duration carried in a recording's file name, or None for a name Loa did not make."""
    found = NAME.match(name)
    return int(found["ms"]) / 1000 if found else None


# -- decoding and filtering ------------------------------------------------------------------


def _open(data: bytes):
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise AudioError("not_audio", f"not a recording Loa can read ({exc})") from exc
    audio = [s for s in container.streams if s.type == "audio"]
    if not audio:
        container.close()
        raise AudioError("not_audio", "the file holds no sound")
    return container, audio[0]


def _decoded(container, stream, max_seconds: float) -> Iterator[av.AudioFrame]:
    """The frames of `stream`; AudioError once they pass `max_seconds` or cannot be decoded."""
    heard = 0.0
    try:
        for frame in container.decode(stream):
            heard += frame.samples / (frame.sample_rate or RATE)
            if heard > max_seconds:
                raise AudioError(
                    "too_long",
                    f"the recording is longer than {max_seconds / 60:g} minutes",
                    minutes=int(max_seconds // 60),
                )
            yield frame
    except av.FFmpegError as exc:
        raise AudioError("not_audio", f"the recording cannot be decoded ({exc})") from exc


def _run(frames: Iterable[av.AudioFrame], stream, chain: list[tuple[str, str | None]]) -> list[av.AudioFrame]:
    """`frames` through the FFmpeg filters of `chain`, as mono float frames."""
    graph = av.filter.Graph()
    node = graph.add_abuffer(template=stream)
    for name, args in chain:
        nxt = graph.add(name, args) if args else graph.add(name)
        node.link_to(nxt)
        node = nxt
    sink = graph.add("abuffersink")
    node.link_to(sink)
    graph.configure()
    out: list[av.AudioFrame] = []

    def drain() -> None:
        while True:
            try:
                frame = graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            if isinstance(frame, av.AudioFrame):
                out.append(frame)

    for frame in frames:
        graph.push(frame)
        drain()
    graph.push(None)
    drain()
    return out


TRIM: list[tuple[str, str | None]] = [
    ("aresample", str(RATE)),
    ("aformat", f"sample_fmts=flt:channel_layouts=mono:sample_rates={RATE}"),
    # the start, then (reversed) the end: silenceremove trims only what comes first
    (
        "silenceremove",
        f"start_periods=1:start_threshold={SILENCE}:start_silence={KEEP_BEFORE}:detection=peak",
    ),
    ("areverse", None),
    ("silenceremove", f"start_periods=1:start_threshold={SILENCE}:start_silence={KEEP_AFTER}:detection=peak"),
    ("areverse", None),
]
MEASURE: tuple[str, str | None] = ("ebur128", "metadata=1")


def _loudness(frames: list[av.AudioFrame]) -> float:
    """Integrated loudness (LUFS) that ebur128 left in the frames' metadata."""
    values = [f.metadata["lavfi.r128.I"] for f in frames if "lavfi.r128.I" in f.metadata]
    value = float(values[-1]) if values else -70.0
    return value if math.isfinite(value) else -70.0


def _pass(data: bytes, max_seconds: float, after: list[tuple[str, str | None]]) -> list[av.AudioFrame]:
    container, stream = _open(data)
    with container:
        return _run(_decoded(container, stream, max_seconds), stream, TRIM + after + [MEASURE])


def normalised(data: bytes, max_seconds: float) -> tuple[list[av.AudioFrame], float]:
    """(mono 48 kHz float frames, trimmed and at about TARGET_LUFS, their loudness). Each pass
    decodes again (a few hundredths of a second a minute) rather than hold a second copy."""
    frames = _pass(data, max_seconds, [])
    seconds = sum(f.samples for f in frames) / RATE
    loudness = _loudness(frames)
    if seconds < MIN_SECONDS or loudness <= -69:
        raise AudioError("silent", "the recording holds no speech Loa can hear")
    gain = TARGET_LUFS - loudness
    for _attempt in range(3):  # the limiter takes some loudness back: aim again from what came out
        frames = _pass(
            data, max_seconds, [("volume", f"{gain:.2f}dB"), ("alimiter", f"limit={LIMIT}:level=false")]
        )
        loudness = _loudness(frames)
        if abs(loudness - TARGET_LUFS) <= LUFS_TOLERANCE:
            break
        gain += TARGET_LUFS - loudness
    return frames, loudness


# -- encoding --------------------------------------------------------------------------------


def encode(frames: Iterable[av.AudioFrame], codec: str, container: str, rate: int, bitrate: int) -> bytes:
    """Mono float frames encoded with `codec` at `rate` Hz and `bitrate` bit/s in `container`."""
    out = io.BytesIO()
    # bitexact: no random Ogg serial number, so one recording always makes the same bytes
    with av.open(out, mode="w", format=container, container_options={"fflags": "+bitexact"}) as muxer:
        stream = muxer.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.AudioStream)
        stream.bit_rate = bitrate
        if codec == "libopus":
            stream.codec_context.options = {"application": "voip"}
        resampler = av.AudioResampler(format=_sample_format(codec), layout="mono", rate=rate)

        def mux(frame: av.AudioFrame | None) -> None:
            for packet in stream.encode(frame):
                muxer.mux(packet)

        for frame in frames:
            frame.pts = None
            for piece in resampler.resample(frame):
                mux(piece)
        for piece in resampler.resample(None):
            mux(piece)
        mux(None)
    return out.getvalue()


def _sample_format(codec: str) -> str:
    return {"libopus": "flt", "libmp3lame": "s16p", "pcm_s16le": "s16", "libopencore_amrnb": "s16"}.get(
        codec, "fltp"
    )


def prepare(upload: bytes, max_bytes: int, max_seconds: float) -> Recording:
    """The upload as a Recording, or AudioError (too large, too long, not audio, silent)."""
    if len(upload) > max_bytes:
        raise AudioError(
            "too_large",
            f"the file is {len(upload) / 1e6:.1f} MB; at most {max_bytes / 1e6:.0f} MB",
            mb=max_bytes // 10**6,
        )
    frames, loudness = normalised(upload, max_seconds)
    seconds = sum(f.samples for f in frames) / RATE
    opus = encode(frames, "libopus", "ogg", RATE, OPUS_BITRATE)
    mp3 = encode(frames, "libmp3lame", "mp3", MP3_RATE, MP3_BITRATE)
    stem = f"{hashlib.sha256(opus).hexdigest()[:16]}-{round(seconds * 1000)}"
    return Recording(stem, opus, mp3, seconds, loudness)


# -- reading back (spots, tests, bench) -----------------------------------------------------


def pcm_frames(data: bytes, rate: int = RATE) -> list[av.AudioFrame]:
    """A stored recording decoded to mono float frames at `rate` Hz, as it is (no trimming)."""
    container, stream = _open(data)
    with container:
        chain: list[tuple[str, str | None]] = [
            ("aresample", str(rate)),
            ("aformat", f"sample_fmts=flt:channel_layouts=mono:sample_rates={rate}"),
        ]
        return _run(_decoded(container, stream, math.inf), stream, chain)


@dataclass(frozen=True)
class Probe:
    codec: str
    rate: int
    channels: int
    seconds: float
    lufs: float
    bitrate: int  # bits per second over the whole file


def probe(data: bytes) -> Probe:
    """What a file is: codec, sample rate, channels, duration and loudness, as decoded."""
    container, stream = _open(data)
    with container:
        codec, rate, channels = stream.codec_context.name, stream.rate, stream.codec_context.channels
        chain: list[tuple[str, str | None]] = [("aformat", "sample_fmts=flt"), MEASURE]
        frames = _run(_decoded(container, stream, math.inf), stream, chain)
    seconds = sum(f.samples for f in frames) / (rate or RATE)
    return Probe(codec, rate, channels, seconds, _loudness(frames), round(len(data) * 8 / max(seconds, 1e-3)))


def tone(
    seconds: float, frequency: float = 440.0, rate: int = RATE, level: float = 0.3
) -> list[av.AudioFrame]:
    """A sine tone as mono float frames (the spots' signature chime is made of these)."""
    frames, done, size = [], 0, 1024
    total = int(seconds * rate)
    while done < total:
        n = min(size, total - done)
        fade = min(1.0, (total - done) / (0.05 * rate))
        samples = [level * fade * math.sin(2 * math.pi * frequency * (done + i) / rate) for i in range(n)]
        frame = av.AudioFrame(format="flt", layout="mono", samples=n)
        frame.planes[0].update(struct.pack(f"{n}f", *samples))
        frame.sample_rate = rate
        frames.append(frame)
        done += n
    return frames


def silence(seconds: float, rate: int = RATE) -> list[av.AudioFrame]:
    return tone(seconds, rate=rate, level=0.0)

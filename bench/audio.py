"""Audio figures: what a minute of speech costs a phone on 2G, and what making it costs the server.

Speech is generated with espeak-ng (Vietnamese, about a minute, with silence around it) and
encoded as the uploads Loa gets (WAV from a voice recorder, m4a/AAC from a phone, WebM/Opus from
the browser's MediaRecorder). For each it prints:

  - bytes per minute of what Loa stores and phones download: Opus (24 kbit/s) and the MP3
    fallback (32 kbit/s), beside the budget (speech at about 24 kbit/s = 180 KB a minute);
  - a loudspeaker spot's MP3 (64 kbit/s, 44.1 kHz) per minute;
  - transcode seconds per minute of audio: Loa's pipeline with PyAV (decode, trim, measure and
    normalise loudness, encode twice), beside Debian's `ffmpeg` command doing the same steps
    (silenceremove, loudnorm two passes, two encodes), when it is installed: the measurement behind
    the choice of PyAV.

Usage: .venv/bin/python bench/audio.py [--rounds N]
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.content import audio

BUDGET_KBIT = 24  # design.md: speech at about 24 kbit/s
SPOT_BITRATE, SPOT_RATE = 64_000, 44_100
TEXT = (
    "Người tiêu dùng có quyền được cung cấp thông tin chính xác về hàng hóa. "
    "Khi mua hàng, hãy xem nhãn: tên hàng, tên và địa chỉ của tổ chức chịu trách nhiệm, xuất xứ. "
    "Giữ hóa đơn hoặc tin nhắn mua bán làm bằng chứng. "
    "Nếu hàng có lỗi, người bán phải đổi, trả lại tiền hoặc sửa chữa. "
    "Gọi tổng đài tư vấn miễn phí một tám không không, sáu tám ba tám. "
)


def speech_minute(folder: Path) -> bytes:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is missing: `make test` installs it (tools/install-system-deps.sh)")
    wav = folder / "speech.wav"
    subprocess.run([espeak, "-v", "vi", "-s", "150", "-w", str(wav), TEXT * 2], check=True)
    frames = audio.silence(1.5) + audio.pcm_frames(wav.read_bytes()) + audio.silence(2.0)
    return audio.encode(frames, "pcm_s16le", "wav", 22_050, 0)


UPLOADS = [("WAV (voice recorder)", "pcm_s16le", "wav", 22_050), ("m4a/AAC (phone)", "aac", "ipod", 44_100)]
UPLOADS += [("WebM/Opus (MediaRecorder)", "libopus", "webm", 48_000)]


def timed(work, rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ffmpeg_pipeline(upload: Path, folder: Path) -> None:
    """The same steps with the ffmpeg command: trim, measure, normalise, encode twice."""
    trim = (
        "silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.2,areverse,"
        "silenceremove=start_periods=1:start_threshold=-45dB:start_silence=0.3,areverse"
    )
    run = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-i", str(upload)]
    measured = subprocess.run(
        [*run, "-af", f"{trim},loudnorm=I=-16:TP=-1.5:print_format=json", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    m = json.loads(measured[measured.rindex("{") :])
    norm = (
        f"{trim},loudnorm=I=-16:TP=-1.5:measured_I={m['input_i']}:measured_TP={m['input_tp']}:"
        f"measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}:linear=true,aresample=48000"
    )
    subprocess.run(
        [*run, "-af", norm, "-ac", "1", "-c:a", "libopus", "-b:a", "24k", "-application", "voip",
         str(folder / "out.opus"), "-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "32k",
         str(folder / "out.mp3")],
        capture_output=True,
        check=True,
    )  # fmt: skip


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = speech_minute(folder)
        print(f"speech: espeak-ng, Vietnamese, {audio.probe(source).seconds:.1f} s with silence around it")
        print(
            f"\n{'upload':<28} {'kept s':>7} {'LUFS':>6}  {'Opus KB/min':>11} {'MP3 KB/min':>10}  {'PyAV s/min':>10}  {'ffmpeg s/min':>12}"
        )
        for label, codec, container, rate in UPLOADS:
            upload = audio.encode(audio.pcm_frames(source), codec, container, rate, 64_000)
            seconds, made = timed(lambda up=upload: audio.prepare(up, 10**9, 3600), rounds)
            assert isinstance(made, audio.Recording)
            last = made
            minutes = made.seconds / 60
            ffmpeg = "not installed"
            if shutil.which("ffmpeg"):
                path = folder / f"upload.{container}"
                path.write_bytes(upload)
                ff_seconds, _ = timed(lambda p=path: ffmpeg_pipeline(p, folder), rounds)
                ffmpeg = f"{ff_seconds / minutes:.2f}"
            print(
                f"{label:<28} {made.seconds:7.1f} {audio.probe(made.opus).lufs:6.1f}  "
                f"{len(made.opus) / 1024 / minutes:11.1f} {len(made.mp3) / 1024 / minutes:10.1f}  "
                f"{seconds / minutes:10.2f}  {ffmpeg:>12}"
            )
        budget = BUDGET_KBIT * 1000 / 8 * 60 / 1024
        print(
            f"\nbudget: speech at about {BUDGET_KBIT} kbit/s = {budget:.0f} KB a minute (Opus is what phones fetch)"
        )

        from server.broadcast_spots import SpotSettings, make_spot

        settings = SpotSettings(SPOT_RATE, SPOT_BITRATE, "chime")
        seconds, spot = timed(lambda: make_spot(last.opus, settings), rounds)
        assert isinstance(spot, bytes)
        length = audio.probe(spot).seconds
        print(
            f"loudspeaker spot (MP3 {SPOT_BITRATE // 1000} kbit/s, {SPOT_RATE} Hz, chimes): "
            f"{len(spot) / 1024 / (length / 60):.0f} KB a minute, made in {seconds / (length / 60):.2f} s a minute"
        )


if __name__ == "__main__":
    main()

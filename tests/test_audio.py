"""Loa speaks: recordings made from speech generated at test time (espeak-ng, Vietnamese and
English) and from a tone, in the formats phones and voice recorders make; trimmed, at about
-16 LUFS, Opus and MP3; added with `loa audio add` and in the studio; heard on residents'
pages; refused with the reason when they are not audio, too long or too large."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from server.cli import cli
from server.content import audio
from tests.conftest import LAI_CHAU, create_account, csrf, log_in, make_app

SPEECH = {
    "vi": "Người tiêu dùng có quyền khiếu nại. Hãy gọi tổng đài miễn phí một tám không không, sáu tám ba tám.",
    "en": "Keep the receipt. Call the free hotline when a seller refuses to help.",
}


def speak(lang: str, path: Path) -> bytes:
    """Speech from espeak-ng, installed by `make test` (tools/install-system-deps.sh)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.fail("espeak-ng is missing: `make test` installs it (tools/install-system-deps.sh)")
    subprocess.run([espeak, "-v", lang, "-w", str(path), SPEECH[lang]], check=True)
    return path.read_bytes()


def padded(speech: bytes, before: float, after: float, codec: str, container: str, rate: int) -> bytes:
    """`speech` with silence around it, encoded as a phone or recorder would store it."""
    frames = audio.silence(before) + audio.pcm_frames(speech) + audio.silence(after)
    return audio.encode(frames, codec, container, rate, 64_000)


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("speech")
    return {lang: speak(lang, folder / f"{lang}.wav") for lang in SPEECH}


# -- the pipeline ------------------------------------------------------------------------------

FORMATS = [  # what phones and voice recorders make
    ("pcm_s16le", "wav", 22_050),
    ("libmp3lame", "mp3", 44_100),
    ("aac", "ipod", 44_100),  # .m4a
    ("libopus", "ogg", 48_000),
    ("libopus", "webm", 48_000),  # MediaRecorder in Chromium
    ("libopencore_amrnb", "amr", 8_000),  # cheap voice recorders
]


@pytest.mark.parametrize(("codec", "container", "rate"), FORMATS, ids=[f[1] for f in FORMATS])
def test_speech_in_any_format_becomes_trimmed_opus_and_mp3_at_minus_16_lufs(speech, codec, container, rate):
    spoken = audio.probe(speech["vi"]).seconds
    upload = padded(speech["vi"], 2.0, 3.0, codec, container, rate)
    made = audio.prepare(upload, 30_000_000, 600)

    opus, mp3 = audio.probe(made.opus), audio.probe(made.mp3)
    assert (opus.codec, opus.rate, opus.channels) == ("opus", 48_000, 1)
    assert (mp3.codec.startswith("mp3"), mp3.rate, mp3.channels) == (True, 22_050, 1)
    # the 5 s of silence around the speech are gone, all but the margins kept on purpose
    assert spoken - 0.2 <= opus.seconds <= spoken + audio.KEEP_BEFORE + audio.KEEP_AFTER + 0.2
    assert abs(made.seconds - opus.seconds) < 0.1
    for measured in (opus, mp3):
        assert abs(measured.lufs - audio.TARGET_LUFS) <= 1.0, measured
    assert 16_000 <= opus.bitrate <= 32_000, "Opus at about 24 kbit/s"
    assert 24_000 <= mp3.bitrate <= 40_000, "MP3 at about 32 kbit/s"
    assert re.fullmatch(r"[0-9a-f]{16}-\d+", made.stem) and made.stem.endswith(
        f"-{round(made.seconds * 1000)}"
    )


def test_english_speech_and_a_quiet_tone_are_brought_to_the_same_loudness(speech):
    quiet_tone = audio.silence(1.0) + audio.tone(2.0, 440, level=0.02) + audio.silence(1.5)
    tone = audio.prepare(audio.encode(quiet_tone, "pcm_s16le", "wav", 48_000, 0), 10**8, 600)
    english = audio.prepare(speech["en"], 10**8, 600)
    assert 2.0 <= tone.seconds <= 2.0 + audio.KEEP_BEFORE + audio.KEEP_AFTER + 0.1
    for made in (tone, english):
        assert abs(audio.probe(made.opus).lufs - audio.TARGET_LUFS) <= 1.0


def test_what_is_not_a_usable_recording_is_refused_with_the_reason(speech):
    cases = {
        "not_audio": lambda: audio.prepare(b"<html>not a recording</html>" * 50, 10**8, 600),
        "too_large": lambda: audio.prepare(speech["vi"], 1000, 600),
        "too_long": lambda: audio.prepare(speech["vi"], 10**8, 2),
        "silent": lambda: audio.prepare(
            audio.encode(audio.silence(3.0), "pcm_s16le", "wav", 48_000, 0), 10**8, 600
        ),
    }
    for code, attempt in cases.items():
        with pytest.raises(audio.AudioError) as refused:
            attempt()
        assert refused.value.code == code, (code, refused.value)


# -- in the content: `loa audio add`, residents' pages ----------------------------------------


@pytest.fixture
def spoken_app(tmp_path, speech):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["content", "import"]).exit_code == 0
    files = {}
    for lang, data in speech.items():
        files[lang] = tmp_path / f"{lang}.wav"
        files[lang].write_bytes(data)
    app.config["speech_files"] = files
    return app


def refresh(app) -> None:
    """This server looks for a new release now, not within its 5 seconds."""
    from server.web import get_content

    with app.test_request_context():
        get_content(force=True)


def test_loa_audio_add_puts_recordings_on_the_pages_in_their_language(spoken_app):
    runner, files = spoken_app.test_cli_runner(), spoken_app.config["speech_files"]
    added = runner.invoke(cli, ["audio", "add", "--lang", "vi", "--topic", "complaints", str(files["vi"])])
    assert added.exit_code == 0 and "in the draft" in added.output, added.output
    resident = spoken_app.test_client()
    assert "<audio" not in resident.get("/vi/topics/complaints").get_data(as_text=True), (
        "a draft is not heard"
    )
    for args in (
        ["--lang", "en", "--topic", "complaints", "--key-point", "2"],
        ["--lang", "vi", "--quiz", "complaints", "--question", "acknowledge"],
    ):
        got = runner.invoke(
            cli, ["audio", "add", *args, str(files["en" if "en" in args else "vi"]), "--publish", "audio"]
        )
        assert got.exit_code == 0, got.output
    refresh(spoken_app)

    page = resident.get("/vi/topics/complaints").get_data(as_text=True)
    narration = re.search(
        r'<source src="(/media/audio/[0-9a-f-]+)\.opus" type="audio/ogg; codecs=opus">', page
    )
    assert narration and f'<source src="{narration[1]}.mp3" type="audio/mpeg">' in page
    assert 'class="listen listen-page"' in page and 'preload="none"' in page
    english = resident.get("/en/topics/complaints").get_data(as_text=True)
    assert english.count("<audio") == 1 and "data-listen-all" in english, "one key point, and 'listen to all'"
    assert narration[1] not in english, "an English page never plays the Vietnamese narration"
    quiz = resident.get("/vi/quiz/complaints").get_data(as_text=True)
    assert re.search(r'<fieldset class="question" id="q-acknowledge".*?<audio', quiz, re.S)

    whole = resident.get(f"{narration[1]}.opus")
    assert whole.status_code == 200 and whole.mimetype == "audio/ogg" and whole.data[:4] == b"OggS"
    part = resident.get(f"{narration[1]}.opus", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.data)}"
    assert resident.get("/media/audio/0000000000000000-1.opus").status_code == 404

    listed = resident.get("/vi/audio.json").get_json()
    # the narration and the question are the same file here: listed (and downloaded) once
    assert listed["opus"]["urls"] == [f"{narration[1]}.opus"] and listed["mp3"]["urls"] == [
        f"{narration[1]}.mp3"
    ]
    assert listed["opus"]["bytes"] == sum(len(resident.get(u).data) for u in listed["opus"]["urls"])
    home = resident.get("/vi/").get_data(as_text=True)
    assert "data-audio-offline" in home and 'data-list="/vi/audio.json"' in home
    assert resident.get("/km/").get_data(as_text=True).count("data-audio-offline") == 0, "no Khmer audio yet"


def test_a_recording_of_a_piece_that_does_not_exist_is_refused_and_nothing_is_stored(spoken_app):
    runner, files = spoken_app.test_cli_runner(), spoken_app.config["speech_files"]
    for args in (
        ["--lang", "vi", "--topic", "no-such-topic"],
        ["--lang", "vi", "--topic", "markets", "--key-point", "6"],
        ["--lang", "vi", "--quiz", "complaints", "--question", "nope"],
    ):
        refused = runner.invoke(cli, ["audio", "add", *args, str(files["vi"])])
        assert refused.exit_code != 0 and "nothing stored" in refused.output, refused.output
    not_audio = runner.invoke(cli, ["audio", "add", "--lang", "vi", "--topic", "complaints", __file__])
    assert not_audio.exit_code != 0 and "not a recording" in not_audio.output
    changes = runner.invoke(cli, ["content", "changes"])
    assert "0 file(s) changed" in changes.output, changes.output


def test_recordings_round_trip_through_export_and_import(spoken_app, tmp_path):
    runner, files = spoken_app.test_cli_runner(), spoken_app.config["speech_files"]
    args = ["audio", "add", "--lang", "vi", "--topic", "markets", str(files["vi"]), "--publish", "x"]
    assert runner.invoke(cli, args).exit_code == 0
    first, second = tmp_path / "one", tmp_path / "two"
    assert runner.invoke(cli, ["content", "export", str(first)]).exit_code == 0
    assert (first / "vi" / "audio.yaml").is_file() and len(list((first / "media" / "audio").iterdir())) == 2
    again = runner.invoke(cli, ["content", "import", str(first)])
    assert "already published" in again.output
    assert runner.invoke(cli, ["content", "export", str(second)]).exit_code == 0
    for path in first.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path


# -- in the studio -----------------------------------------------------------------------------


@pytest.fixture
def team(spoken_app):
    create_account(spoken_app, "boss", role="organiser")
    for name in ("lan", "hoa"):
        create_account(spoken_app, name)
    runner = spoken_app.test_cli_runner()
    assert runner.invoke(cli, ["users", "roles", "lan", "--translator", "en"]).exit_code == 0
    assert runner.invoke(cli, ["users", "roles", "hoa", "--reviewer", "en"]).exit_code == 0
    return spoken_app


def studio(app, username: str):
    client = app.test_client()
    log_in(client, username)
    return client


PAGE = "/organiser/studio/audio/en/complaints"


def send(client, action: str, key: str, recording: bytes | None = None):
    page = client.get(PAGE).get_data(as_text=True)
    data: dict = {"csrf_token": csrf(page), "action": action, "key": key}
    if recording is not None:
        data["recording"] = (__import__("io").BytesIO(recording), "memo.wav")
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def test_a_translator_records_a_reviewer_signs_it_off_and_a_bad_upload_breaks_nothing(team, speech):
    lan, hoa = studio(team, "lan"), studio(team, "hoa")
    key = "topics/complaints/key-points/1"
    page = lan.get(PAGE).get_data(as_text=True)
    assert "Keep the seller" in page and page.count('name="action" value="upload"') >= 6
    saved = send(lan, "upload", key, speech["en"])
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = lan.get(PAGE).get_data(as_text=True)
    assert "tr-draft audio-row" in page and "/media/audio/" in page
    pieces = page.count('name="action" value="upload"')  # the topic, its key points, the spot, the questions
    table = lan.get("/organiser/studio").get_data(as_text=True)
    assert f"đã ghi âm 1/{pieces}, 0 cũ" in table, "the studio's table counts recordings per language"

    before = lan.get(PAGE).get_data(as_text=True)
    broken = send(lan, "upload", key, b"RIFF\x00\x00garbage" * 100)
    assert broken.status_code == 400
    assert re.search(
        r'class="error" role="alert">[^<]*m4a, MP3, Ogg, WAV, AMR, WebM', broken.get_data(as_text=True)
    )
    after = lan.get(PAGE).get_data(as_text=True)
    assert re.findall(r"/media/audio/[0-9a-f-]+\.opus", after) == re.findall(
        r"/media/audio/[0-9a-f-]+\.opus", before
    )
    clip = re.findall(r"/media/audio/[0-9a-f-]+\.opus", after)[0]
    assert lan.get(clip).status_code == 200, "the studio hears the draft's recording"
    assert team.test_client().get(clip).status_code == 404, "residents do not, until it is published"

    own = send(lan, "review", key)
    assert own.status_code == 403, "lan translates English but does not review it"
    assert send(hoa, "review", key).status_code == 302
    assert "tr-reviewed audio-row" in hoa.get(PAGE).get_data(as_text=True)
    assert send(hoa, "upload", key, speech["en"]).status_code == 403, "a reviewer does not record"


def test_a_recording_goes_stale_when_its_text_changes(team, speech, tmp_path):
    lan = studio(team, "lan")
    key = "topics/complaints/key-points/1"
    assert send(lan, "upload", key, speech["en"]).status_code == 302
    runner = team.test_cli_runner()
    folder = tmp_path / "draft"
    assert runner.invoke(cli, ["content", "export", "--draft", str(folder)]).exit_code == 0
    topic = folder / "en" / "topics" / "complaints.md"
    topic.write_text(topic.read_text().replace("Keep the seller's details", "Keep the seller's name"))
    assert runner.invoke(cli, ["content", "import", str(folder)]).exit_code == 0
    refresh(team)
    page = lan.get(PAGE).get_data(as_text=True)
    assert page.count("tr-stale audio-row") == 1
    assert runner.invoke(cli, ["audio", "list", "--lang", "en"]).output.split()[-1] == "stale"


# -- spots for the commune loudspeaker ---------------------------------------------------------


def test_broadcast_export_makes_a_zip_of_mp3_spots_with_script_sheets(spoken_app, tmp_path):
    import zipfile

    runner, files = spoken_app.test_cli_runner(), spoken_app.config["speech_files"]
    for lang in ("vi", "en"):
        args = ["audio", "add", "--lang", lang, "--topic", "counterfeit", str(files[lang]), "--publish", lang]
        assert runner.invoke(cli, args).exit_code == 0
    refresh(spoken_app)
    made = runner.invoke(cli, ["broadcast", "export", "--province", "12", "--out", str(tmp_path / "out")])
    assert made.exit_code == 0 and "2 spots" in made.output, made.output
    (archive_path,) = (tmp_path / "out").iterdir()
    with zipfile.ZipFile(archive_path) as archive:
        names = sorted(archive.namelist())
        assert names == ["en/01-counterfeit.mp3", "en/script.html", "vi/01-counterfeit.mp3", "vi/script.html"]
        spot = audio.probe(archive.read("vi/01-counterfeit.mp3"))
        sheet = archive.read("en/script.html").decode()
    narration = audio.probe(
        audio.encode(audio.pcm_frames(files["vi"].read_bytes()), "pcm_s16le", "wav", 48_000, 0)
    )
    assert (spot.codec.startswith("mp3"), spot.rate, spot.channels) == (True, 44_100, 1)
    assert 56_000 <= spot.bitrate <= 72_000, "64 kbit/s"
    chimes = 2 * (0.22 + 0.38 + 0.4)
    assert narration.seconds < spot.seconds < narration.seconds + chimes + 1.0, "speech between two chimes"
    assert "01-counterfeit.mp3" in sheet and "06:00" in sheet and re.search(r"\d:\d\d", sheet)
    assert '<div class="read" lang="en">' in sheet

    nothing = runner.invoke(cli, ["broadcast", "export", "--province", "99", "--out", str(tmp_path)])
    assert nothing.exit_code != 0 and "not an official province code" in nothing.output


def test_organisers_listen_to_the_spots_and_download_their_provinces_zip(spoken_app):
    runner, files = spoken_app.test_cli_runner(), spoken_app.config["speech_files"]
    args = ["audio", "add", "--lang", "vi", "--topic", "markets", str(files["vi"]), "--publish", "spot"]
    assert runner.invoke(cli, args).exit_code == 0
    refresh(spoken_app)
    create_account(spoken_app, "boss", role="organiser")
    create_account(spoken_app, "lc-boss", role="organiser", province=LAI_CHAU)
    boss, lai_chau = studio(spoken_app, "boss"), studio(spoken_app, "lc-boss")
    page = boss.get(f"/organiser/broadcast?province={LAI_CHAU}").get_data(as_text=True)
    spot_url = f"/organiser/broadcast/vi/markets.mp3?province={LAI_CHAU}"
    assert "/organiser/broadcast/vi/markets.mp3" in page
    spot = boss.get(spot_url)
    assert spot.status_code == 200 and spot.mimetype == "audio/mpeg" and audio.probe(spot.data).rate == 44_100
    archive = lai_chau.get("/organiser/broadcast.zip")
    assert archive.status_code == 200 and archive.data[:2] == b"PK"
    assert lai_chau.get("/organiser/broadcast.zip?province=1").status_code == 403, "another province"
    create_account(spoken_app, "staff9")
    assert studio(spoken_app, "staff9").get("/organiser/broadcast").status_code in (302, 403)


def test_a_leaflets_page_offers_its_topics_narration(spoken_app):
    from server import leaflets
    from server.web import get_content
    from tests.conftest import MUONG_KIM

    runner, files = spoken_app.test_cli_runner(), spoken_app.config["speech_files"]
    args = ["audio", "add", "--lang", "vi", "--topic", "complaints", str(files["vi"]), "--publish", "x"]
    assert runner.invoke(cli, args).exit_code == 0
    with spoken_app.app_context():
        content = get_content(force=True)
        (vi,) = leaflets.get_or_create_leaflets("complaints", "vi", [MUONG_KIM], content)
        (en,) = leaflets.get_or_create_leaflets("complaints", "en", [MUONG_KIM], content)
        code_vi, code_en = vi.code, en.code
    client = spoken_app.test_client()
    page = client.get(f"/l/{code_vi}").get_data(as_text=True)
    assert re.search(r'<div class="listen listen-page"[^>]*>\s*<audio controls preload="none"', page)
    assert "<audio" not in client.get(f"/l/{code_en}").get_data(as_text=True), "no English narration yet"

"""Listening with no network: a phone downloads a language's audio ("download audio for offline
use"), the server stops, and the topic's recording plays from the phone, with a seek: the
service worker answers the player's byte-range requests from the audio cache."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from server.content import audio
from tests.browser.conftest import LiveServer, wait_offline_ready

pytestmark = pytest.mark.browser

TEXT = (
    "Khi mua hàng ở chợ, hãy hỏi giá trước, xem nhãn hàng hóa và giữ hóa đơn. "
    "Nếu hàng kém chất lượng, người bán phải đổi hoặc trả lại tiền. "
    "Gọi tổng đài miễn phí một tám không không, sáu tám ba tám để được hướng dẫn."
)


@pytest.fixture
def speaking_server(tmp_path):
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is missing: `make test` installs it"
    wav = tmp_path / "markets.wav"
    subprocess.run([espeak, "-v", "vi", "-s", "140", "-w", str(wav), TEXT], check=True)
    server = LiveServer(tmp_path)
    server.loa("audio", "add", "--lang", "vi", "--topic", "markets", str(wav))
    server.loa("audio", "add", "--lang", "vi", "--topic", "markets", "--key-point", "1", str(wav))
    server.loa("content", "publish", "--note", "tiếng nói")
    server.start()
    yield server
    server.close()


def test_audio_downloaded_for_offline_use_plays_and_seeks_with_the_server_stopped(speaking_server, page):
    page.goto(speaking_server.url("/vi/"))
    wait_offline_ready(page)
    download = page.locator("[data-audio-download]")
    expect(download).to_be_visible()
    assert "MB" in download.inner_text()
    download.click()
    expect(page.locator("[data-audio-status]")).to_have_text(
        "Đã lưu âm thanh trên điện thoại này: có thể nghe khi không có mạng."
    )
    cached = page.evaluate("async () => (await (await caches.open('audio-vi')).keys()).map((r) => r.url)")
    assert len(cached) == 1, "the narration and the key point are the same recording: fetched once"
    assert all(".opus" in url for url in cached), "Chromium plays Opus: the MP3s are not downloaded"
    precached = page.evaluate(
        "async () => { const out = []; for (const name of await caches.keys()) if (name.startsWith('loa-')) "
        "for (const r of await (await caches.open(name)).keys()) out.push(r.url); return out; }"
    )
    assert not [url for url in precached if "/media/audio/" in url], "audio never enters the precache"

    speaking_server.stop()

    page.goto(speaking_server.url("/vi/topics/markets"))
    url = cached[0]
    part = page.evaluate(
        "async (url) => { const r = await fetch(url, {headers: {Range: 'bytes=100-1099'}}); "
        "return [r.status, r.headers.get('content-range'), (await r.arrayBuffer()).byteLength]; }",
        url,
    )
    size = page.evaluate("async (url) => (await (await caches.match(url)).arrayBuffer()).byteLength", url)
    assert part == [206, f"bytes 100-1099/{size}", 1000]

    page.locator(".keypoints .play").first.click()  # listen.js's large button: a user gesture
    page.wait_for_function(
        "() => { const a = document.querySelector('.keypoints audio'); return a && a.currentTime > 0.5; }"
    )
    expect(page.locator(".keypoints .play").first).to_have_attribute("aria-pressed", "true")
    duration = page.evaluate("() => document.querySelector('.keypoints audio').duration")
    assert duration == pytest.approx(audio.seconds_of(url.rsplit("/", 1)[1]), abs=0.5)
    target = round(duration - 3, 1)
    page.evaluate(f"() => {{ document.querySelector('.keypoints audio').currentTime = {target}; }}")
    page.wait_for_function(
        f"() => {{ const a = document.querySelector('.keypoints audio'); return a.currentTime > {target + 0.5} && !a.error; }}"
    )
    page.wait_for_function("() => document.querySelector('.keypoints audio').ended", timeout=10_000)
    expect(page.locator(".keypoints .play").first).to_have_attribute("aria-pressed", "false")


def test_recording_in_the_browser_saves_a_recording_to_the_draft(playwright_instance, tmp_path):
    """The studio's Record button: Chromium's fake microphone (a beeping tone) through
    MediaRecorder, put into the form's file field, uploaded, made into Opus and MP3."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.conftest import PASSWORD

    server = LiveServer(tmp_path)
    server.create_user("boss", "--role", "organiser", "--password", PASSWORD)
    server.start()
    fake_microphone = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *fake_microphone], headless=True
    )
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.grant_permissions(["microphone"], origin=server.base)
        page = context.new_page()
        page.goto(server.url("/organiser/studio/audio/vi/markets"))
        page.fill("#username", "boss")
        page.fill("#password", PASSWORD)
        page.click("form.form button[type=submit]")
        page.goto(server.url("/organiser/studio/audio/vi/markets"))
        first = page.locator("form.audio-upload").first
        record = first.locator("[data-recorder] button")
        expect(record).to_be_visible()
        record.click()
        page.wait_for_timeout(2500)
        record.click()
        expect(first.locator("[data-recorder] [role=status]")).to_have_text(
            "Đã ghi xong: hãy tải lên, hoặc ghi lại"
        )
        assert (
            first.locator("input[type=file]").evaluate("(input) => input.files[0].type").startswith("audio/")
        )
        first.locator("button[type=submit]").click()
        expect(page.locator(".tr-draft.audio-row")).to_have_count(1)
        source = page.locator(".audio-row audio source").first.get_attribute("src")
        assert source and source.startswith("/media/audio/") and source.endswith(".opus")
        assert 1.0 <= (audio.seconds_of(source.rsplit("/", 1)[1]) or 0) <= 3.5
    finally:
        browser.close()
        server.close()

// Listening on residents' pages. With no script every recording is the browser's own player.
// Here: one large play button per recording, "listen to the whole page" (the recordings in
// reading order), and a language's recordings downloaded into their own cache ("audio-<lang>",
// never the versioned precache), from which the service worker answers, byte ranges included.

import { format } from './strings.js';

const PLAY = '\u25B6';
const PAUSE = '\u275A\u275A';

function playOnly(audio) {
  for (const other of document.querySelectorAll('audio')) if (other !== audio) other.pause();
  return audio.play().catch(() => {});
}

function playInOrder(list) {
  let next = 0;
  const step = () => {
    if (next >= list.length) return;
    const audio = list[next];
    next += 1;
    audio.addEventListener('ended', step, { once: true });
    playOnly(audio);
  };
  step();
}

function bigButton(box) {
  const audio = box.querySelector('audio');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'play';
  button.setAttribute('aria-label', box.dataset.label);
  button.setAttribute('aria-pressed', 'false');
  button.textContent = PLAY;
  const shown = (playing) => {
    button.setAttribute('aria-pressed', String(playing));
    button.textContent = playing ? PAUSE : PLAY;
  };
  audio.addEventListener('play', () => shown(true));
  audio.addEventListener('pause', () => shown(false));
  audio.addEventListener('ended', () => shown(false));
  button.addEventListener('click', () => (audio.paused ? playOnly(audio) : audio.pause()));
  audio.controls = false;
  audio.hidden = true;
  box.prepend(button);
}

export function enhanceListening() {
  // The page's own player keeps the browser's controls (seeking through a long narration).
  for (const box of document.querySelectorAll('[data-listen]:not(.listen-page)')) bigButton(box);
  const all = document.querySelector('[data-listen-all]');
  if (all) {
    all.closest('p').hidden = false;
    all.addEventListener('click', () => playInOrder([...document.querySelectorAll('[data-listen] audio')]));
  }
}

function preferredFormat() {
  return document.createElement('audio').canPlayType('audio/ogg; codecs=opus') ? 'opus' : 'mp3';
}

export async function enhanceOfflineAudio(section, strings) {
  if (!('caches' in window)) return;
  const { lang } = section.dataset;
  const fmt = preferredFormat();
  const button = section.querySelector('[data-audio-download]');
  const status = section.querySelector('[data-audio-status]');
  const cache = await caches.open(`audio-${lang}`);
  const say = (text) => { status.textContent = text; };
  button.textContent = section.dataset[`label${fmt === 'opus' ? 'Opus' : 'Mp3'}`];
  button.hidden = false;
  if ((await cache.keys()).length) say(strings.audio_saved);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const list = await (await fetch(section.dataset.list, { cache: 'no-store' })).json();
      const urls = list[fmt].urls;
      let done = 0;
      for (const url of urls) {
        if (!(await cache.match(url))) {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`${url}: ${response.status}`);
          await cache.put(url, response);
        }
        done += 1;
        say(format(strings.audio_saving, { done, total: urls.length }));
      }
      const keep = new Set(urls.map((u) => new URL(u, location.href).href));
      for (const request of await cache.keys()) if (!keep.has(request.url)) await cache.delete(request);
      say(strings.audio_saved);
    } catch (err) {
      say(strings.audio_failed);
    } finally {
      button.disabled = false;
    }
  });
}

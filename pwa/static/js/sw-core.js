// Service worker logic. /sw.js (rendered by the server) calls start(manifest) with:
//   {version, shell: [[url, revision]], pages: {lang: [[url, revision]]},
//    sync: {max_records, max_bytes},  (the server's sync batch limits, kept for the outbox)
//    hotline: {display, tel}}         (for the last-resort offline answer)
//
// One versioned cache per service worker version ("loa-<version>"), old ones deleted on
// activate. A first install caches the app shell and takes over at once; each page then
// asks for its language ("cache-lang") and is told when everything is saved. An update
// re-downloads only entries whose revision changed, then waits until the person taps
// "Reload" (message "skip-waiting"), so nobody loses what they were doing.

import { leafletCode } from './leaflet-code.js';
import { RESIDENT, queue, rememberLimits, rfc3339, sendAll } from './outbox.js';
import { settings } from './store.js';

const PREFIX = 'loa-';
const META = '/__loa/meta.json';      // which languages a cache holds
const REV_HEADER = 'x-loa-revision';
const PARALLEL = 3;                   // gentle on 2G

let manifest;
let CACHE;

export function start(m) {
  manifest = m;
  CACHE = PREFIX + m.version;
  self.addEventListener('install', (event) => event.waitUntil(install()));
  self.addEventListener('activate', (event) => event.waitUntil(activate()));
  self.addEventListener('fetch', onFetch);
  self.addEventListener('message', (event) => event.waitUntil(onMessage(event)));
  self.addEventListener('sync', (event) => {
    if (event.tag === 'loa-outbox') event.waitUntil(sendAll());
  });
}

// -- caching ------------------------------------------------------------------------------

async function loaCaches() {
  return (await caches.keys()).filter((name) => name.startsWith(PREFIX));
}

async function langsIn(cacheName) {
  const response = await (await caches.open(cacheName)).match(META);
  return response ? (await response.json()).langs : [];
}

async function allCachedLangs() {
  const langs = new Set();
  for (const name of await loaCaches()) (await langsIn(name)).forEach((l) => langs.add(l));
  return [...langs].filter((l) => manifest.pages[l]);
}

async function writeMeta(langs) {
  const cache = await caches.open(CACHE);
  const body = JSON.stringify({ version: manifest.version, langs: [...new Set(langs)] });
  await cache.put(META, new Response(body, { headers: { 'content-type': 'application/json' } }));
}

// A response already stored under this revision, in this or an older Loa cache.
async function stored(url, revision) {
  for (const name of await loaCaches()) {
    const response = await (await caches.open(name)).match(url);
    if (response && response.headers.get(REV_HEADER) === revision) return response;
  }
  return null;
}

async function fetchEntry(url, revision) {
  const response = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const headers = new Headers(response.headers);
  headers.set(REV_HEADER, revision);
  // A fresh Response: never "redirected", so it may answer a navigation.
  return new Response(await response.blob(), { status: 200, statusText: 'OK', headers });
}

async function precache(entries, onProgress = () => {}) {
  const cache = await caches.open(CACHE);
  let done = 0;
  let fetched = 0;
  const queue = [...entries];
  async function worker() {
    while (queue.length) {
      const [url, revision] = queue.shift();
      const current = await cache.match(url);
      if (!current || current.headers.get(REV_HEADER) !== revision) {
        const old = await stored(url, revision);
        if (old) {
          await cache.put(url, old);
        } else {
          await cache.put(url, await fetchEntry(url, revision));
          fetched += 1;
        }
      }
      done += 1;
      onProgress(done, entries.length);
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return fetched;
}

async function install() {
  const langs = await allCachedLangs();
  await precache([...manifest.shell, ...langs.flatMap((l) => manifest.pages[l])]);
  await writeMeta(langs);
  if (!self.registration.active) await self.skipWaiting(); // first install: no one to disturb
}

async function activate() {
  await rememberLimits(manifest.sync);
  // Languages cached by the old version after this one installed: carry them over if we can.
  const mine = await langsIn(CACHE);
  const wanted = await allCachedLangs();
  const missing = wanted.filter((l) => !mine.includes(l));
  try {
    if (missing.length) {
      await precache(missing.flatMap((l) => manifest.pages[l]));
      await writeMeta([...mine, ...missing]);
    }
  } catch (err) {
    // offline: they will be downloaded again the next time the page asks
  }
  for (const name of await loaCaches()) if (name !== CACHE) await caches.delete(name);
  await self.clients.claim();
}

async function broadcast(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(message);
}

async function cacheLang(lang) {
  if (!manifest.pages[lang]) {
    await broadcast({ type: 'cache-failed', lang, error: 'unknown language' });
    return;
  }
  const entries = [...manifest.shell, ...manifest.pages[lang]];
  try {
    const fetched = await precache(entries, (done, total) => {
      if (done === total || done % 4 === 0) broadcast({ type: 'cache-progress', lang, done, total });
    });
    await writeMeta([...(await langsIn(CACHE)), lang]);
    await broadcast({ type: 'lang-cached', lang, fetched, version: manifest.version });
  } catch (err) {
    await broadcast({ type: 'cache-failed', lang, error: String(err) });
  }
}

async function onMessage(event) {
  const message = event.data || {};
  if (message.type === 'cache-lang') return cacheLang(message.lang);
  if (message.type === 'skip-waiting') return self.skipWaiting();
  if (message.type === 'keep-leaflet') return keepLeafletPage(message.code);
  if (message.type === 'status') {
    const langs = await langsIn(CACHE);
    event.source?.postMessage({ type: 'status', version: manifest.version, langs });
  }
  return undefined;
}

// -- answering requests ---------------------------------------------------------------------

const NETWORK_ONLY = [/^\/api\//, /^\/sw\.js$/, /^\/healthz$/];

function onFetch(event) {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((re) => re.test(url.pathname))) return;
  event.respondWith(respond(event, url));
}

async function savedLanguage() {
  const langs = await langsIn(CACHE);
  let lang = null;
  try { lang = await settings.get('lang'); } catch (err) { /* storage unavailable */ }
  if (lang && langs.includes(lang)) return lang;
  return langs[0] || lang || 'vi';
}

// A leaflet's QR code: online, the server counts the scan and the page is kept for later;
// offline, the scan waits in the outbox and the page kept earlier (or the offline page) shows.
const LEAFLETS = 'leaflet-pages';  // not a versioned 'loa-' cache: kept across updates

// The leaflet page that brought this phone to Loa, kept for offline (not counted again).
async function keepLeafletPage(text) {
  const code = leafletCode(text);
  if (!code) return;
  const kept = await caches.open(LEAFLETS);
  if (await kept.match(`/l/${code}`)) return;
  const response = await fetch(`/l/${code}`, { headers: { 'X-Loa-No-Scan': '1' }, credentials: 'same-origin' });
  if (response.ok) await kept.put(`/l/${code}`, response);
}

// On a network that accepts and never answers ("lie-fi"), a saved page shows after this long;
// the network's answer, if it ever comes (a slow 2G link), still counts the scan and refreshes
// the saved copy.
const NETWORK_WAIT_MS = 1500;
const NETWORK_GIVE_UP_MS = 30000;  // then the request counts as failed (a scan is queued)

// The network's answer to a navigation, given up after NETWORK_GIVE_UP_MS.
function fromNetwork(url) {
  const controller = new AbortController();
  const giveUp = setTimeout(() => controller.abort(), NETWORK_GIVE_UP_MS);
  return fetch(url.href, { signal: controller.signal, credentials: 'same-origin', redirect: 'manual' })
    .finally(() => clearTimeout(giveUp));
}

// The network's answer if it comes within NETWORK_WAIT_MS, else `saved`; the network keeps going.
async function networkOrSaved(network, saved) {
  const late = new Promise((resolve) => { setTimeout(() => resolve(null), NETWORK_WAIT_MS); });
  try {
    return (await Promise.race([network, late])) || saved;
  } catch (err) {
    return saved;
  }
}

async function respondLeaflet(event, url) {
  const code = leafletCode(decodeURIComponent(url.pathname.slice(3)));
  const kept = await caches.open(LEAFLETS);
  const network = fromNetwork(url).then(async (response) => {
    if (response.ok && code) await kept.put(`/l/${code}`, response.clone());
    return response;
  }, async (err) => {
    // No answer at all: the scan waits in the outbox (an answer, even late, means it was counted).
    if (code) await queue('leaflet_scan', { code, scanned_at: rfc3339() }, RESIDENT).catch(() => {});
    throw err;
  });
  event.waitUntil(network.catch(() => {}));
  const saved = code ? await kept.match(`/l/${code}`) : undefined;
  if (saved) return networkOrSaved(network, saved);
  try {
    return await network;
  } catch (err) {
    return offlinePage(url, await caches.open(CACHE));
  }
}

// Recordings downloaded for offline use live in "audio-<lang>" caches (listen.js fills them).
// Players ask for byte ranges to seek; the cache holds whole files, so the range is cut here.
const AUDIO = /^\/media\/audio\//;

async function respondAudio(request, url) {
  const hit = await caches.match(url.pathname);
  if (!hit) return fetch(request);
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get('range') || '');
  if (!range || (range[1] === '' && range[2] === '')) return hit;
  const body = await hit.arrayBuffer();
  const size = body.byteLength;
  const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
  const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
  if (start >= size || start > end) {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
  }
  return new Response(body.slice(start, end + 1), {
    status: 206,
    headers: {
      'content-type': hit.headers.get('content-type') || 'application/octet-stream',
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
    },
  });
}

async function respond(event, url) {
  const request = event.request;
  if (AUDIO.test(url.pathname)) return respondAudio(request, url);
  if (request.mode === 'navigate' && /^\/l\/[^/]+$/.test(url.pathname)) return respondLeaflet(event, url);
  const cache = await caches.open(CACHE);
  if (url.pathname === '/' && request.mode === 'navigate') {
    const network = fromNetwork(url);
    event.waitUntil(network.catch(() => {}));
    return networkOrSaved(network, Response.redirect(`/${await savedLanguage()}/`, 302));
  }
  // A saved page answers with or without a query (?session=... on quiz pages).
  const hit = await cache.match(url.pathname + url.search)
    || (request.mode === 'navigate' && url.search ? await cache.match(url.pathname) : undefined);
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (err) {
    if (request.mode !== 'navigate') throw err;
    return offlinePage(url, cache);
  }
}

async function offlinePage(url, cache) {
  const first = url.pathname.split('/')[1];
  const langs = await langsIn(CACHE);
  const lang = langs.includes(first) ? first : await savedLanguage();
  const page = await cache.match(`/${lang}/offline`);
  if (page) return page;
  return new Response(
    '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    + '<title>Loa</title><p>Không có mạng. / You are offline.</p>'
    + `<p><a href="/">Loa</a> · <a href="tel:${manifest.hotline.tel}">${manifest.hotline.display}</a></p>`,
    { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } },
  );
}

// The page's side of offline: register the service worker, ask it to save this language,
// show what is saved, whether storage is persistent, and offer new content when it comes.

import { onLanguageCached, watchLanguages } from './languages.js';
import { settings } from './store.js';
import { format, loadStrings } from './strings.js';

const UPDATE_CHECK_MS = 30 * 60 * 1000;

function statusPart(name) {
  const status = document.getElementById('status');
  let part = status.querySelector(`[data-part="${name}"]`);
  if (!part) {
    part = document.createElement('p');
    part.dataset.part = name;
    status.append(part);
  }
  return part;
}

function say(name, text) {
  statusPart(name).textContent = text;
  document.body.classList.add('has-status');  // room below the page for the bar
}

export function rememberLanguage(lang) {
  document.cookie = `loa_lang=${lang}; path=/; max-age=31536000; samesite=lax`;
  settings.set('lang', lang).catch(() => {});
}

// Ask the browser to keep what is saved. Residents are not shown how it answered (a technical
// notice they can do nothing about); the staff screen shows it beside the outbox.
async function keepStorage() {
  if (document.getElementById('staff') || !navigator.storage || !navigator.storage.persist) return;
  let persisted = await navigator.storage.persisted();
  if (!persisted) persisted = await navigator.storage.persist().catch(() => false);
  document.getElementById('status').dataset.storage = persisted ? 'persistent' : 'best-effort';
}

function offerUpdate(worker, strings) {
  const part = statusPart('update');
  part.replaceChildren(document.createTextNode(`${strings.update_ready} `));
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button';
  button.textContent = strings.update_reload;
  button.addEventListener('click', () => {
    window.dispatchEvent(new Event('loa:before-reload')); // forms save their state
    sessionStorage.setItem('loa.reloading', '1');
    worker.postMessage({ type: 'skip-waiting' });
  });
  part.append(button);
  part.classList.add('update');
  document.getElementById('status').dataset.update = 'ready';
}

function watchUpdates(registration, strings) {
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting, strings);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker, strings);
    });
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (sessionStorage.getItem('loa.reloading')) {
      sessionStorage.removeItem('loa.reloading');
      window.location.reload();
    }
  });
  const check = () => registration.update().catch(() => {});
  window.addEventListener('online', check);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
  setInterval(check, UPDATE_CHECK_MS);
}

function onWorkerMessage(message, lang, strings) {
  if (!message) return;
  onLanguageCached(message, strings);
  if (message.lang !== lang) return;
  const status = document.getElementById('status');
  if (message.type === 'cache-progress' && message.done < message.total) {
    say('offline', format(strings.offline_saving, message));
  } else if (message.type === 'lang-cached') {
    const key = `loa.offline-ready.${lang}`;
    const first = !localStorage.getItem(key) || message.fetched > 0;
    localStorage.setItem(key, message.version);
    say('offline', first ? strings.offline_ready : strings.offline_available);
    status.dataset.offline = 'ready';
  } else if (message.type === 'cache-failed') {
    say('offline', strings.offline_failed);
    status.dataset.offline = 'failed';
  }
}

// Offer to install Loa where the browser allows it (the page also says how, for the others).
function offerInstall(strings) {
  window.addEventListener('beforeinstallprompt', (event) => {
    const place = document.querySelector('[data-install]');
    if (!place) return;
    event.preventDefault();
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button secondary';
    button.textContent = strings.install;
    button.addEventListener('click', () => { event.prompt(); button.remove(); });
    place.append(' ', button);
  });
}

export async function startPWA(lang) {
  const strings = await loadStrings(lang);
  rememberLanguage(lang);
  keepStorage();
  offerInstall(strings);
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => onWorkerMessage(event.data, lang, strings));
  watchLanguages(lang, strings);
  const registration = await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
  watchUpdates(registration, strings);
  const ready = await navigator.serviceWorker.ready;
  ready.active.postMessage({ type: 'cache-lang', lang });
  const leaflet = document.querySelector('[data-leaflet]');
  if (leaflet) ready.active.postMessage({ type: 'keep-leaflet', code: leaflet.dataset.leaflet });
}

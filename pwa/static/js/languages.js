// Switching language offline. A language whose pages are not on this phone cannot open
// without a network: say so in the reader's language and offer to download it as soon as
// there is one, instead of an error page.

import { settings } from './store.js';
import { format } from './strings.js';

function languageName(code) {
  const link = document.querySelector(`a[data-lang-switch="${CSS.escape(code)}"]`);
  return link ? link.textContent.trim() : code;
}

async function isCached(code) {
  return Boolean(await caches.match(`/${code}/`));
}

function notice(text, button) {
  let box = document.querySelector('.lang-notice');
  if (!box) {
    box = document.createElement('div');
    box.className = 'lang-notice notice';
    box.setAttribute('role', 'status');
    document.querySelector('main').prepend(box);
  }
  const p = document.createElement('p');
  p.textContent = text;
  box.replaceChildren(p);
  if (button) box.append(button);
  return box;
}

function askToCache(code) {
  navigator.serviceWorker?.controller?.postMessage({ type: 'cache-lang', lang: code });
}

function offerDownload(code, strings) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button';
  button.textContent = strings.lang_download;
  button.addEventListener('click', async () => {
    await settings.set('pending_lang', code);
    notice(format(strings.lang_download_pending, { language: languageName(code) }));
    if (navigator.onLine) askToCache(code);
  });
  notice(format(strings.lang_not_cached, { language: languageName(code) }), button);
  document.body.dataset.langMissing = code;
}

// Called for every message from the service worker.
export async function onLanguageCached(message, strings) {
  if (message.type !== 'lang-cached' || message.lang !== await settings.get('pending_lang')) return;
  await settings.set('pending_lang', null);
  const link = document.createElement('a');
  link.href = `/${message.lang}/`;
  link.className = 'button';
  link.textContent = languageName(message.lang);
  notice(format(strings.lang_ready, { language: languageName(message.lang) }), link);
}

// The switcher's links keep what the address says besides the language: a session quiz keeps its
// session, phase, mode and key, the staff screen its screen. Set on the links themselves (so a
// link opened from the keyboard, a long press or a new tab keeps them too) and again at a click
// (the staff screens change the address as they go). A page with no counterpart in the other
// language links to that language's home page, which takes neither.
export function keepAddressInLanguageLinks(link = null) {
  const links = link ? [link] : document.querySelectorAll('a[data-lang-switch]');
  for (const a of links) {
    if (a.getAttribute('aria-current') || a.pathname === `/${a.dataset.langSwitch}/`) continue;
    a.search = location.search;
    a.hash = location.hash;
  }
}

export function watchLanguages(lang, strings) {
  // A page from the service worker's offline fallback, asked for in another language.
  const asked = location.pathname.split('/')[1];
  if (document.querySelector('[data-offline-page]') && asked !== lang && document.querySelector(`a[data-lang-switch="${CSS.escape(asked)}"]`)) {
    isCached(asked).then((cached) => { if (!cached) offerDownload(asked, strings); });
  }
  // A click on the language switcher keeps the address as it is now (app.js set the links when
  // the page opened); offline, it opens only a saved language.
  document.addEventListener('click', async (event) => {
    const link = event.target.closest('a[data-lang-switch]');
    if (!link || link.dataset.langSwitch === lang) return;
    keepAddressInLanguageLinks(link);
    if (navigator.onLine) return;
    event.preventDefault();
    if (await isCached(link.dataset.langSwitch)) location.href = link.href;
    else offerDownload(link.dataset.langSwitch, strings);
  });
  const retry = async () => {
    const pending = await settings.get('pending_lang');
    if (pending) askToCache(pending);
  };
  window.addEventListener('online', retry);
  retry();
}

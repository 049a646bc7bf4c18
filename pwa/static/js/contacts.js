// The reader's province, remembered on this phone (IndexedDB settings, never sent anywhere):
// set when a leaflet of a province is opened or when the reader taps "This is my province" on
// the contacts page. Pages with a [data-province-card] placeholder (topic pages, the letter)
// then show that province's card, taken from the contacts page, which is saved offline with
// the language. Without script, or with no province known, they show the national hotline
// and a link to the contacts page.

import { settings } from './store.js';

const KEY = 'province';

async function fillCard(slot) {
  const province = await settings.get(KEY);
  if (!province) return;
  const link = slot.closest('section')?.querySelector('a[href$="/contacts"]');
  if (!link) return;
  const response = await fetch(link.href, { credentials: 'same-origin' });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  const card = page.getElementById(`p-${province}`);
  if (card) slot.replaceWith(document.importNode(card, true));
}

function enableChoosing() {
  const buttons = document.querySelectorAll('[data-choose-province]');
  const mark = (chosen) => buttons.forEach((b) => {
    b.setAttribute('aria-pressed', String(b.dataset.chooseProvince === String(chosen)));
  });
  settings.get(KEY).then(mark);
  buttons.forEach((button) => button.addEventListener('click', async () => {
    await settings.set(KEY, button.dataset.chooseProvince);
    mark(button.dataset.chooseProvince);
  }));
}

export function startContacts() {
  document.querySelectorAll('[data-js-only]').forEach((el) => { el.hidden = false; });
  document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));
  const leaflet = document.querySelector('[data-leaflet][data-province]');
  if (leaflet) settings.set(KEY, leaflet.dataset.province);
  if (document.querySelector('[data-choose-province]')) enableChoosing();
  document.querySelectorAll('[data-province-card]').forEach((slot) => {
    fillCard(slot).catch((err) => console.warn('province contacts unavailable:', err));
  });
}

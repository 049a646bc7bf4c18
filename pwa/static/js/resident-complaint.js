// A consumer's own complaint, from /<lang>/complaint: a `complaint` record in the outbox, sent
// with the resident's anonymous token whenever there is a network (at most a few a day), and its
// photos after it (complaint-photos.js). The commune comes from the link that opened the page
// (?commune=<code>, e.g. from a leaflet).

import { MAX_PHOTOS, keepPhotos } from './complaint-photos.js';
import { RESIDENT, queue, rfc3339, uuid } from './outbox.js';
import { format } from './strings.js';

export function enableComplaintForm(form, strings) {
  const commune = new URLSearchParams(location.search).get('commune');
  if (/^\d{1,6}$/.test(commune || '')) form.commune_code.value = commune;
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-complaint-error]');
    const goods = form.goods.value.trim();
    const happened = form.what_happened.value.trim();
    const consent = form.consent.checked;
    const name = form.contact_name.value.trim();
    const phone = form.contact_phone.value.trim();
    const amount = form.amount.value === '' ? null : Number(form.amount.value);
    let problem = '';
    if (!goods || !happened) problem = strings.complaint_needed;
    else if (amount !== null && (!Number.isInteger(amount) || amount < 0)) problem = strings.complaint_amount;
    else if ((name || phone) && !consent) problem = strings.complaint_consent;
    else if (form.photos.files.length > MAX_PHOTOS) problem = format(strings.complaint_photos, { max: MAX_PHOTOS });
    error.textContent = problem;
    if (problem) return;
    const caseId = uuid();
    const photoIds = await keepPhotos(form.photos.files, caseId, RESIDENT);
    if (photoIds === null) {
      error.textContent = strings.complaint_not_photo;
      return;
    }
    await queue('complaint', {
      commune_code: form.commune_code.value ? Number(form.commune_code.value) : null,
      taken_at: rfc3339(), goods, what_happened: happened, seller: form.seller.value.trim(),
      place: form.place.value.trim(), amount, wanted: form.wanted.value, lang: document.body.dataset.lang,
      consent, contact_name: consent ? name : '', contact_phone: consent ? phone : '', photo_ids: photoIds,
    }, RESIDENT, caseId);
    form.reset();
    form.hidden = true;
    const saved = document.querySelector('[data-complaint-saved]');
    saved.textContent = strings.complaint_sent_resident;
    saved.hidden = false;
  });
}

// Complaints taken in the commune, offline first: the case is a `complaint` record in the
// outbox (with an `advised` step when staff advised the consumer on the spot); its photos go
// up after it (complaint-photos.js).

import { MAX_PHOTOS, keepPhotos } from './complaint-photos.js';
import { queue, rfc3339, uuid } from './outbox.js';
import { settings } from './store.js';
import { format } from './strings.js';

const KEPT = 50;           // the newest cases, listed on the sessions screen

function keptKey(ctx) {
  return `complaints:${ctx.account().username}`;
}

export async function showComplaints(ctx) {
  const mine = (await settings.get(keptKey(ctx))) || [];
  ctx.field('no-complaints').hidden = mine.length > 0;
  ctx.$('[data-list="complaints"]').replaceChildren(...mine.map((c) => {
    const li = document.createElement('li');
    li.textContent = format(ctx.strings().complaint_line, { when: ctx.formatDate(c.taken_at), goods: c.goods, commune: c.commune_name });
    return li;
  }));
}

export function showComplaintForm(ctx) {
  const form = ctx.$('[data-form="complaint"]');
  const communes = ctx.account().communes || [];
  form.commune_code.replaceChildren(...communes.map((c) => new Option(`${c.name}, ${c.province}`, c.code)));
  ctx.field('complaint-error').textContent = '';
}

function readComplaint(form, strings) {
  if (!form.commune_code.value) return { error: strings.choose_commune };
  const goods = form.goods.value.trim();
  const happened = form.what_happened.value.trim();
  if (!goods || !happened) return { error: strings.complaint_needed };
  const amount = form.amount.value === '' ? null : Number(form.amount.value);
  if (amount !== null && (!Number.isInteger(amount) || amount < 0)) return { error: strings.complaint_amount };
  const consent = form.consent.checked;
  const name = form.contact_name.value.trim();
  const phone = form.contact_phone.value.trim();
  if ((name || phone) && !consent) return { error: strings.complaint_consent };
  if (form.photos.files.length > MAX_PHOTOS) return { error: format(strings.complaint_photos, { max: MAX_PHOTOS }) };
  return {
    data: {
      commune_code: Number(form.commune_code.value), taken_at: rfc3339(), goods, what_happened: happened,
      seller: form.seller.value.trim(), place: form.place.value.trim(), amount, wanted: form.wanted.value,
      consent, contact_name: consent ? name : '', contact_phone: consent ? phone : '',
    },
  };
}

export async function saveComplaint(ctx, form) {
  const strings = ctx.strings();
  const read = readComplaint(form, strings);
  ctx.field('complaint-error').textContent = read.error || '';
  if (read.error) return;
  const owner = ctx.account().username;
  const caseId = uuid();
  const photoIds = await keepPhotos(form.photos.files, caseId, owner);
  if (photoIds === null) {
    ctx.field('complaint-error').textContent = strings.complaint_not_photo;
    return;
  }
  await queue('complaint', { ...read.data, lang: ctx.lang, photo_ids: photoIds }, owner, caseId);
  if (form.advised.checked) {
    await queue('complaint_step', {
      complaint_id: caseId, step: 'advised', taken_at: rfc3339(), note: form.advice.value.trim(),
    }, owner);
  }
  const commune = (ctx.account().communes || []).find((c) => c.code === read.data.commune_code);
  const kept = (await settings.get(keptKey(ctx))) || [];
  kept.unshift({ id: caseId, goods: read.data.goods, taken_at: read.data.taken_at, commune_name: commune ? commune.name : '' });
  await settings.set(keptKey(ctx), kept.slice(0, KEPT));
  form.reset();
  ctx.say(strings.complaint_saved);
  ctx.go('#sessions');
}

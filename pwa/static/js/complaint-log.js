// Complaints taken in the commune, offline first: the case is a `complaint` record in the
// outbox (with an `advised` step when staff advised the consumer on the spot); its photos are
// compressed on the phone, kept in IndexedDB and uploaded in pieces once the case is on the
// server, resuming where an interrupted upload stopped (PUT /api/v1/photos/<id>).

import { queue, rfc3339, tokenFor, uuid } from './outbox.js';
import { getAll, put, remove, settings } from './store.js';
import { format } from './strings.js';

const KEPT = 50;           // the newest cases, listed on the sessions screen
const MAX_PHOTOS = 5;
const MAX_SIDE = 1280;     // pixels: enough to read a label or a receipt
const TARGET_BYTES = 250 * 1024;
const PIECE = 64 * 1024;   // bytes per upload request: small enough for 2G

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

// A photo as a JPEG no larger than MAX_SIDE pixels and, where possible, TARGET_BYTES.
async function compress(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  let quality = 0.8;
  let blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', quality); });
  while (blob.size > TARGET_BYTES && quality > 0.35) {
    quality -= 0.15;
    blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', quality); });
  }
  return blob;
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
  const photos = [];
  for (const file of form.photos.files) {
    try {
      const blob = await compress(file);
      photos.push({ id: uuid(), complaint_id: caseId, owner, blob, size: blob.size });
    } catch (err) {
      ctx.field('complaint-error').textContent = strings.complaint_not_photo;
      return;
    }
  }
  if (photos.length) await put('photos', ...photos);
  await queue('complaint', { ...read.data, lang: ctx.lang, photo_ids: photos.map((p) => p.id) }, owner, caseId);
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

// Upload every photo waiting, each from where the server says it stopped. A photo whose case
// the server does not have yet waits for the next try; one that is not an image is dropped.
let uploading = false;
export async function uploadPhotos() {
  if (uploading) return;
  uploading = true;
  try {
    for (const photo of await getAll('photos')) {
      const token = await tokenFor(photo.owner);
      if (!token) continue;
      const headers = { Authorization: `Bearer ${token}` };
      const status = await fetch(`/api/v1/photos/${photo.id}`, { headers });
      if (!status.ok) continue;  // the case is not on the server yet
      let { received, complete } = await status.json();
      while (!complete && received < photo.size) {
        const piece = photo.blob.slice(received, received + PIECE);
        const answer = await fetch(`/api/v1/photos/${photo.id}`, {
          method: 'PUT', body: piece,
          headers: { ...headers, 'Content-Range': `bytes ${received}-${received + piece.size - 1}/${photo.size}` },
        });
        const body = await answer.json().catch(() => ({}));
        if (answer.status === 409 && body.params && Number.isInteger(body.params.received)) {
          received = body.params.received;
          continue;
        }
        if (answer.status === 415 || answer.status === 413) { complete = true; break; }
        if (!answer.ok) break;
        ({ received, complete } = body);
      }
      if (complete) await remove('photos', photo.id);
    }
  } catch (err) {
    // offline: the photos wait in IndexedDB for the next try
  } finally {
    uploading = false;
  }
}

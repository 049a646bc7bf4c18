// Photos of a complaint (the product, its label, the receipt), on staff and residents' phones
// alike: compressed on the phone, kept in IndexedDB with the case they belong to, and uploaded
// in pieces once the case is on the server, resuming where an interrupted upload stopped
// (PUT /api/v1/photos/<id>).

import { tokenFor, uuid } from './outbox.js';
import { getAll, put, remove } from './store.js';

export const MAX_PHOTOS = 5;
const MAX_SIDE = 1280;     // pixels: enough to read a label or a receipt
const TARGET_BYTES = 250 * 1024;
const PIECE = 64 * 1024;   // bytes per upload request: small enough for 2G

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

// Compress and keep the chosen files for the case; their ids, or null if one is not a picture.
export async function keepPhotos(files, caseId, owner) {
  const photos = [];
  for (const file of files) {
    try {
      const blob = await compress(file);
      photos.push({ id: uuid(), complaint_id: caseId, owner, blob, size: blob.size });
    } catch (err) {
      return null;
    }
  }
  if (photos.length) await put('photos', ...photos);
  return photos.map((p) => p.id);
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

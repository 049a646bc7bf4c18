// The outbox: every record made offline waits here until the server has it.
//
// A record is written with strict durability before the screen says "saved", so a dead
// battery, a closed tab or a phone restart loses nothing. It leaves the outbox only when
// the server lists it as accepted or duplicate; conflicts and rejections move to the
// "needs attention" list with the server's message and never block the rest. Sending
// happens on start, when the network returns, when the page becomes visible, on a timer
// with capped exponential backoff and jitter, through Background Sync, and on "Send now".
// What the phone says about sending comes only from the server's answers (or their absence):
// the last attempt ({at, sent, problem}) and the next try are kept with the outbox.
// This module runs in pages and in the service worker.

import { count, getAll, get, put, settings, transact } from './store.js';

// The server's batch limits ({max_records, max_bytes}) come from the server itself: the service
// worker's manifest and every sync answer carry them, and the phone keeps the last it was told.
// A phone that has not heard them yet sends everything at once; a 413 answer tells it the limits.
const LIMITS_KEY = 'sync_limits';
const ENVELOPE_SHARE = 0.9;     // of max_bytes, for the records: room for the envelope and escaping
const BASE_DELAY = 15 * 1000;
// While records wait the phone tries at least every 30 s (with jitter), so they leave within a
// minute of the server being reachable again, even if the browser never fires 'online'.
const MAX_DELAY = 30 * 1000;
const SEND_TIMEOUT = 20 * 1000;  // a request with no answer by then failed (lie-fi)
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('loa-outbox') : null;

export const RESIDENT = '';      // owner of records made by a resident's phone (no login)

export function rfc3339(date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${offset >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// A random (version 4) UUID. crypto.randomUUID exists only on HTTPS and localhost; a phone
// trying Loa over the local network (plain HTTP) gets one from getRandomValues instead.
export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// This phone's device id, made on first use. Read and (if missing) written in one transaction,
// so two tabs opening at once agree on one id (and so on one sequence of numbers).
export async function deviceId() {
  let id = await settings.get('device_id');
  if (id) return id;
  await transact('settings', 'readwrite', (settingsStore) => {
    const request = settingsStore.get('device_id');
    request.onsuccess = () => {
      id = request.result?.value;
      if (!id) {
        id = uuid();
        settingsStore.put({ key: 'device_id', value: id });
      }
    };
  });
  return id;
}

function notify(change) {
  channel?.postMessage(change);
  if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent('loa:outbox', { detail: change }));
}

export function onChange(listener) {
  channel?.addEventListener('message', (event) => listener(event.data));
  if (typeof window !== 'undefined') window.addEventListener('loa:outbox', (event) => listener(event.detail));
}

async function requestBackgroundSync() {
  try {
    const registration = self.registration || await navigator.serviceWorker?.ready;
    await registration?.sync?.register('loa-outbox');
  } catch (err) { /* not supported: the timers and events still send */ }
}

// Save a record in the outbox. Resolves once it is on disk. Each record gets the next sequence
// number of this phone's device id, in the same transaction, so two tabs never share one and
// the server can list what never arrived ("proof of no loss").
export async function queue(type, data, owner = RESIDENT, id = uuid()) {
  const record = { id, type, created_at: rfc3339(), data };
  // Plain request callbacks, not await: the transaction must still be active for each write.
  await transact(['settings', 'outbox'], 'readwrite', (settingsStore, outbox) => {
    const deviceRequest = settingsStore.get('device_id');
    deviceRequest.onsuccess = () => {
      let device = deviceRequest.result?.value;
      if (!device) {
        device = uuid();
        settingsStore.put({ key: 'device_id', value: device });
      }
      const key = `seq:${device}`;
      const seqRequest = settingsStore.get(key);
      seqRequest.onsuccess = () => {
        record.seq = (seqRequest.result?.value || 0) + 1;
        settingsStore.put({ key, value: record.seq });
        outbox.put({ id, owner, record, queued_at: Date.now() });
      };
    };
  });
  notify({ type: 'queued', id });
  requestBackgroundSync();
  if (typeof window !== 'undefined') scheduleSoon();
  return record;
}

// What the server said it holds of this phone's records: {received_through, gaps, device_id}.
export async function receipt() {
  const saved = await settings.get('receipt');
  return saved && saved.device_id === await deviceId() ? saved : null;
}

// `lastAttempt`: {at, sent, problem}; problem is null (the server answered), 'no_answer' (no
// network, or no answer in time), 'server' (the server answered an error or is busy) or 'login'
// (an account must log in again).
// `nextTry`: when the phone tries again on its own (ms since 1970), while records wait.
export async function status() {
  return {
    waiting: await count('outbox'),
    attention: await count('attention'),
    lastSuccess: await settings.get('last_success'),
    lastAttempt: await settings.get('last_attempt'),
    nextTry: await settings.get('next_try'),
  };
}

// -- tokens ---------------------------------------------------------------------------------

async function residentToken() {
  let token = await settings.get('resident_token');
  if (!token) {
    const response = await fetch('/api/v1/devices/anonymous', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: await deviceId() }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    token = (await response.json()).token;
    await settings.set('resident_token', token);
  }
  return token;
}

export async function tokenFor(owner) {
  if (owner === RESIDENT) return residentToken();
  const account = await get('accounts', owner);
  return account && !account.needs_login ? account.token : null;
}

async function tokenRefused(owner) {
  if (owner === RESIDENT) {
    await settings.set('resident_token', null);
    return;
  }
  const account = await get('accounts', owner);
  if (account) await put('accounts', { ...account, needs_login: true });
}

// -- sending --------------------------------------------------------------------------------

export async function syncLimits() {
  return (await settings.get(LIMITS_KEY)) || null;
}

export async function rememberLimits(limits) {
  if (limits && limits.max_records > 0 && limits.max_bytes > 0) {
    await settings.set(LIMITS_KEY, { max_records: limits.max_records, max_bytes: limits.max_bytes });
  }
}

// The next batch from the front of `items`: at most `maxRecords` records and `maxBytes` bytes
// of JSON (always at least one record, so a single large record still gets its answer).
function nextBatch(items, maxRecords, maxBytes) {
  const batch = [];
  let bytes = 0;
  for (const item of items) {
    const size = JSON.stringify(item.record).length + 1;
    if (batch.length && (batch.length >= maxRecords || bytes + size > maxBytes)) break;
    batch.push(item);
    bytes += size;
  }
  return batch;
}

// Apply the server's answer in one transaction: forget what it has, set aside what needs a
// person, and keep what the server says about records it had accepted but no longer counts.
async function settle(batch, result, owner) {
  const byId = new Map(batch.map((item) => [item.id, item]));
  const done = [...result.accepted, ...result.duplicates];
  const problems = [
    ...result.conflicts.map((c) => ({ ...c, kind: 'conflict' })),
    ...result.rejected.map((r) => ({ ...r, kind: 'rejected' })),
  ].filter((p) => byId.has(p.id));
  const device = await deviceId();
  await transact(['outbox', 'attention', 'settings'], 'readwrite', (outbox, attention, settingsStore) => {
    for (const id of done) if (byId.has(id)) outbox.delete(id);
    for (const p of problems) {
      attention.put({ ...byId.get(p.id), kind: p.kind, error: p.error, code: p.code, params: p.params, at: Date.now() });
      outbox.delete(p.id);
    }
    // Sent again at every sync: one entry per record id, first seen time kept.
    for (const a of result.attention || []) {
      const known = attention.get(a.id);
      known.onsuccess = () => {
        const before = known.result || { id: a.id, owner, record: null, at: Date.now() };
        attention.put({ ...before, kind: 'attention', error: a.error, code: a.code, params: a.params });
      };
    }
    if (result.device) settingsStore.put({ key: 'receipt', value: { ...result.device, device_id: device } });
    // Residents' own phones' answers to this phone's sessions: the session screen adds them.
    if (result.resident_answers) settingsStore.put({ key: 'resident_answers', value: result.resident_answers });
  });
  return { done: done.length, problems: problems.length };
}

async function postBatch(token, batch) {
  const controller = new AbortController();
  const giveUp = setTimeout(() => controller.abort(), SEND_TIMEOUT);
  try {
    return await fetch('/api/v1/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ device_id: await deviceId(), records: batch.map((item) => item.record) }),
      signal: controller.signal,
    });
  } finally {
    clearTimeout(giveUp);
  }
}

// Why a send stopped: 'no_answer' or 'server' (see status()).
class SendFailed extends Error {
  constructor(problem, sent = 0) {
    super(problem);
    this.problem = problem;
    this.sent = sent;
  }
}

// Too large for the server even alone: set aside with the server's message, never resent in a loop.
async function setAside(item, error) {
  await transact(['outbox', 'attention'], 'readwrite', (outbox, attention) => {
    attention.put({ ...item, kind: 'rejected', error, at: Date.now() });
    outbox.delete(item.id);
  });
}

async function sendOwner(owner, items) {
  let sent = 0;
  const token = await tokenFor(owner);
  if (!token) return { sent, needsLogin: true };
  let rest = items;
  let cap = Infinity;  // halved on every 413 during this send, so no batch is sent twice as it was
  while (rest.length) {
    const limits = await syncLimits();
    const maxRecords = Math.min(cap, limits ? limits.max_records : Infinity);
    const maxBytes = limits ? limits.max_bytes * ENVELOPE_SHARE : Infinity;
    const batch = nextBatch(rest, maxRecords, maxBytes);
    let response;
    try {
      response = await postBatch(token, batch);
    } catch (err) {
      throw new SendFailed('no_answer', sent);
    }
    if (response.status === 401) {
      await tokenRefused(owner);
      return { sent, needsLogin: owner !== RESIDENT };
    }
    if (response.status === 413) {
      const answer = await response.json().catch(() => ({}));
      await rememberLimits(answer.limits);
      if (batch.length === 1) {
        await setAside(batch[0], answer.message || answer.error || 'HTTP 413');
        rest = rest.slice(1);
      } else {
        cap = Math.max(1, Math.floor(batch.length / 2));
      }
      continue;
    }
    if (response.status === 429) {
      // A resident's daily quota: what is left today may still take a smaller batch.
      const answer = await response.json().catch(() => ({}));
      if (answer.remaining > 0 && answer.remaining < batch.length) {
        cap = answer.remaining;
        continue;
      }
      throw new SendFailed('server', sent);
    }
    if (!response.ok) throw new SendFailed('server', sent);
    const result = await response.json();
    await rememberLimits(result.limits);
    sent += (await settle(batch, result, owner)).done;
    rest = rest.slice(batch.length);
    notify({ type: 'sent', count: sent });
  }
  return { sent, needsLogin: false };
}

// Nothing waits, but a staff member asked: an empty batch asks the server what it holds of this
// phone's records and what no longer counts ("device", "attention"). No network: nothing changes.
async function checkIn(owner) {
  const token = await tokenFor(owner);
  if (!token) return;
  try {
    const response = await postBatch(token, []);
    if (!response.ok) return;
    const result = await response.json();
    await rememberLimits(result.limits);
    await settle([], result, owner);
  } catch (err) { /* offline: the last receipt stays */ }
}

async function sendEverything(checkInAs = null) {
  const items = (await getAll('outbox')).sort((a, b) => a.queued_at - b.queued_at);
  const owners = new Map();
  for (const item of items) {
    if (!owners.has(item.owner)) owners.set(item.owner, []);
    owners.get(item.owner).push(item);
  }
  const summary = { sent: 0, needsLogin: [] };
  for (const [owner, list] of owners) {
    let result;
    try {
      result = await sendOwner(owner, list);
    } catch (err) {
      if (err instanceof SendFailed) err.sent += summary.sent;
      throw err;
    }
    summary.sent += result.sent;
    if (result.needsLogin) summary.needsLogin.push(owner);
  }
  if (items.length && summary.needsLogin.length < owners.size) await settings.set('last_success', new Date().toISOString());
  if (!items.length && checkInAs) await checkIn(checkInAs);
  return summary;
}

async function noteAttempt(sent, problem) {
  await settings.set('last_attempt', { at: new Date().toISOString(), sent, problem });
}

// Send everything waiting. One sender at a time per phone (Web Locks), whoever asks; `wait`:
// wait for another sender to finish first (a person pressed "Send now"), else give way to it.
// `checkIn`: a staff username; with nothing to send, ask the server for its receipt anyway.
export async function sendAll({ checkIn: checkInAs = null, wait = false } = {}) {
  try {
    const summary = navigator.locks
      ? await navigator.locks.request('loa-outbox-send', wait ? {} : { ifAvailable: true },
        (lock) => (lock ? sendEverything(checkInAs) : { sent: 0, busy: true, needsLogin: [] }))
      : await sendEverything(checkInAs);
    // Another sender's attempt is the one that says what happened.
    if (!summary.busy) await noteAttempt(summary.sent, summary.needsLogin.length ? 'login' : null);
    return summary;
  } catch (err) {
    await noteAttempt(err.sent || 0, err.problem || 'no_answer');
    throw err;
  } finally {
    notify({ type: 'attempted' });
  }
}

// -- when to send ---------------------------------------------------------------------------

let timer = null;
let delay = BASE_DELAY;
let started = false;

async function attempt(checkInAs = null, wait = false) {
  clearTimeout(timer);
  timer = null;
  let failed = false;
  try {
    // 'offline' is only a hint: a phone that believes it is offline still tries, now and then.
    await sendAll({ checkIn: checkInAs, wait });
  } catch (err) {
    failed = true;
  }
  delay = failed ? Math.min(delay * 2, MAX_DELAY) : BASE_DELAY;
  if (await count('outbox')) {
    const jittered = delay / 2 + Math.random() * (delay / 2);
    await settings.set('next_try', Date.now() + jittered);
    clearTimeout(timer);
    timer = setTimeout(attempt, jittered);
  } else {
    await settings.set('next_try', null);
  }
  notify({ type: 'scheduled' });
}

function scheduleSoon() {
  clearTimeout(timer);
  timer = setTimeout(attempt, 500);
}

export function startSending() {
  if (started) return attempt;
  started = true;
  window.addEventListener('online', () => { delay = BASE_DELAY; attempt(); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') attempt(); });
  attempt();
  return attempt;
}

// "Send now". With a staff username, an empty outbox still asks the server for its receipt.
export async function sendNow(checkInAs = null) {
  delay = BASE_DELAY;
  await attempt(checkInAs, true);
  return status();
}

// -- export ---------------------------------------------------------------------------------

// Everything not yet on the server, as a file an organiser imports with `loa sync import`.
export async function exportUnsent() {
  // Entries the server sent under "attention" have no record here: it already has them.
  const items = [...await getAll('outbox'), ...await getAll('attention')].filter((item) => item.record);
  return {
    format: 'loa-outbox',
    version: 1,
    device_id: await deviceId(),
    exported_at: rfc3339(),
    records: items.map((item) => item.record),
    owners: Object.fromEntries(items.map((item) => [item.id, item.owner])),
  };
}


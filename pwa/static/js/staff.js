// Staff screens: log in once online, then open sessions, count people and run quizzes with
// no network. Every action is a record in the outbox (outbox.js) before the screen says so.

import { deviceId, exportUnsent, onChange, queue, receipt, rfc3339, sendNow, startSending, status } from './outbox.js';
import * as activityLog from './activity-log.js';
import * as complaintLog from './complaint-log.js';
import * as fieldLog from './field-log.js';
import { addToSession, updateSession } from './session-log.js';
import { get, getAll, put, remove, settings } from './store.js';
import { format, loadStrings } from './strings.js';

const root = document.getElementById('staff');
const lang = document.body.dataset.lang;
let strings = {};
let account = null;

const $ = (selector, scope = root) => scope.querySelector(selector);
const field = (name) => $(`[data-field="${name}"]`);

export function fold(text) {
  return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .toLowerCase();
}

function say(text) {
  $('[data-outbox="message"]').textContent = text;
}

// What field-log.js (broadcasts, quizzes by show of hands) and activity-log.js need from these screens.
const ctx = {
  $, field, say, lang, go: (hash) => go(hash), formatTime: (iso) => formatTime(iso),
  formatDate: (iso) => new Date(iso).toLocaleDateString(clockLocale, { dateStyle: 'short' }),
  account: () => account, strings: () => strings,
};

// Languages whose CLDR data Loa does not use (languages.yaml "cldr: false", e.g. Hmong RPA)
// get numeric day/month/year dates and 24-hour times, as the server writes them.
const clockLocale = document.body.dataset.numericDates === undefined ? lang : 'en-GB';

function formatClock(ms) {
  return new Date(ms).toLocaleTimeString(clockLocale, { hour: '2-digit', minute: '2-digit' });
}

// What the last send came to, said from the server's answers only (outbox.status()).
function sendingText(s) {
  const attempt = s.lastAttempt || { sent: 0, problem: null };
  const parts = [];
  if (attempt.problem === 'login' && account) parts.push(format(strings.needs_login, { name: account.username }));
  else {
    if (attempt.sent > 0) parts.push(format(strings.send_sent, { sent: attempt.sent }));
    if (attempt.problem === 'no_answer') parts.push(strings.send_no_answer);
    if (attempt.problem === 'server') parts.push(strings.send_server);
  }
  if (s.waiting === 0 && !attempt.problem) parts.push(strings.send_all_sent);
  if (s.waiting > 0) {
    parts.push(s.nextTry > Date.now()
      ? format(strings.send_waiting, { waiting: s.waiting, time: formatClock(s.nextTry) })
      : format(strings.send_waiting_now, { waiting: s.waiting }));
  }
  if (s.attention > 0) parts.push(format(strings.send_attention, { count: s.attention }));
  return parts.join(' ');
}

function formatTime(iso) {
  if (!iso) return strings.never || '-';
  return new Date(iso).toLocaleString(clockLocale, { dateStyle: 'short', timeStyle: 'short' });
}

// -- the outbox panel ----------------------------------------------------------------------

async function showStorage() {
  const element = $('[data-outbox="storage"]');
  if (!navigator.storage?.persist) {
    element.textContent = strings.storage_unknown;
    return;
  }
  const persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist().catch(() => false));
  element.textContent = persisted ? strings.storage_persistent : strings.storage_not_persistent;
  element.dataset.persistent = String(persisted);
}

async function refreshOutbox(change = null) {
  const s = await status();
  if (change && ['attempted', 'scheduled'].includes(change.type) && s.lastAttempt) say(sendingText(s));
  root.querySelectorAll('[data-outbox="waiting"]').forEach((e) => { e.textContent = s.waiting; });
  root.dataset.waiting = s.waiting;
  $('[data-outbox="last"]').textContent = formatTime(s.lastSuccess);
  const box = $('[data-outbox="attention-box"]');
  box.hidden = s.attention === 0;
  $('[data-outbox="attention-count"]').textContent = s.attention;
  const list = $('[data-outbox="attention"]');
  const sessions = await getAll('sessions');
  list.replaceChildren(...(await getAll('attention')).sort((a, b) => a.at - b.at).map((item) => {
    const li = document.createElement('li');
    const what = describeRecord(item, sessions);
    li.textContent = what ? `${what}: ${problemText(item)}` : problemText(item);
    return li;
  }));
  const held = await receipt();
  $('[data-outbox="receipt"]').textContent = held ? receiptText(held) : '';
}

// "The server has records 1 to N from this phone. Not received yet: 4, 7–9."
function receiptText(held) {
  const ranges = held.gaps.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`)).join(', ');
  return [
    held.received_through > 0 ? format(strings.receipt, { n: held.received_through }) : '',
    ranges ? format(strings.receipt_gaps, { ranges }) : '',
  ].join(' ').trim();
}

// What a record in "needs attention" was, in the user's words: from the record itself, or (for
// records the server accepted earlier and the outbox let go) from this phone's sessions.
function describeRecord(item, sessions) {
  const record = item.record;
  if (record) {
    const label = strings[`record_${record.type}`] || record.type;
    return `${label}, ${formatTime(record.created_at)}`;
  }
  for (const session of sessions) {
    const place = `${session.commune_name}, ${formatTime(session.starts_at)}`;
    if (session.id === item.id) return `${strings.record_session} ${place}`;
    const line = (session.lines || []).find((l) => l.id === item.id);
    if (line) return `${strings.record_attendance} (${lineText(line)}), ${place}`;
  }
  return '';
}

// The server's reason in this phone's language, from its code; its own (English) words otherwise.
function problemText(item) {
  const params = item.params || {};
  const template = item.code && strings[`problem_${item.code}`];
  if (!template) return strings.problem_other;  // its code and English text stay in the export
  // A refused correction or void also says why, when the phone knows how to say it.
  const why = item.code === 'amendment_refused' && params.reason && strings[`problem_${params.reason}`];
  return why ? `${format(template, params)} ${format(why, params)}` : format(template, params);
}

async function download(filename, data) {
  const blob = new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function bindOutbox() {
  $('[data-action="send-now"]').addEventListener('click', async () => {
    say(strings.sending);
    const s = await sendNow(account && !account.needs_login ? account.username : null);
    say(sendingText(s));
    refreshOutbox();
  });
  $('[data-action="export"]').addEventListener('click', async () => {
    const data = await exportUnsent();
    const stamp = data.exported_at.slice(0, 16).replace(/[:T]/g, '-');
    await download(`loa-unsent-${stamp}.json`, data);
    say(format(strings.exported, { count: data.records.length }));
  });
  onChange(refreshOutbox);  // app.js sends complaints' photos after each attempt
}

// -- accounts --------------------------------------------------------------------------------

async function currentAccount() {
  const username = await settings.get('current_user');
  return username ? get('accounts', username) : null;
}

async function useAccount(username) {
  await settings.set('current_user', username);
  account = await get('accounts', username);
  field('who').textContent = account.display_name || account.username;
  if (account.needs_login) say(format(strings.needs_login, { name: account.username }));
}

// Why the server refused a login or a new password, in the phone's language (by its code).
function authProblem(response, body) {
  const params = body.params || {};
  if (response.status === 429) {
    const seconds = params.seconds || response.headers.get('Retry-After') || 60;
    return format(strings.login_throttled, { seconds });
  }
  if (body.code === 'wrong_credentials') return strings.login_wrong;
  if (body.code === 'password_change_required') return strings.login_new_password;
  if (body.code && strings[body.code]) return format(strings[body.code], params);
  return body.message || `HTTP ${response.status}`;
}

async function postJSON(url, payload, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(payload) });
  return { response, body: await response.json().catch(() => ({})) };
}

async function logIn(form) {
  const error = field('login-error');
  error.textContent = '';
  if (navigator.onLine === false) {
    error.textContent = strings.login_needs_network;
    return;
  }
  const payload = {
    username: form.username.value, password: form.password.value,
    device_id: await deviceId(), label: navigator.userAgent.slice(0, 100),
  };
  if (!field('login-new').hidden) {  // after a reset: the new password goes with the login
    if (form.new_password.value !== form.new_repeat.value) {
      error.textContent = strings.password_mismatch;
      return;
    }
    payload.new_password = form.new_password.value;
  }
  let answer;
  try {
    answer = await postJSON('/api/v1/auth/login', payload);
  } catch (err) {
    error.textContent = strings.login_needs_network;
    return;
  }
  const { response, body } = answer;
  if (!response.ok) {
    if (body.code === 'password_change_required') {
      field('login-new').hidden = false;
      form.new_password.required = true;
      form.new_password.focus();
    }
    error.textContent = authProblem(response, body);
    return;
  }
  field('login-new').hidden = true;
  form.new_password.required = false;
  await put('accounts', {
    username: body.username, token: body.token, token_id: body.token_id, role: body.role,
    display_name: body.display_name, communes: body.communes, logged_in_at: new Date().toISOString(),
  });
  form.reset();
  await useAccount(body.username);
  sendNow(body.username).then(refreshOutbox);
  go('#sessions');
}

async function changePassword(form) {
  const error = field('password-error');
  error.textContent = '';
  if (form.new_password.value !== form.repeat.value) {
    error.textContent = strings.password_mismatch;
    return;
  }
  if (navigator.onLine === false || !account || account.needs_login) {
    error.textContent = account && account.needs_login
      ? format(strings.needs_login, { name: account.username }) : strings.password_needs_network;
    return;
  }
  let answer;
  try {
    answer = await postJSON('/api/v1/auth/password',
      { current_password: form.current.value, new_password: form.new_password.value }, account.token);
  } catch (err) {
    error.textContent = strings.password_needs_network;
    return;
  }
  if (!answer.response.ok) {
    error.textContent = authProblem(answer.response, answer.body);
    return;
  }
  form.reset();
  form.closest('details').open = false;
  say(strings.password_changed);
}

async function showLogin() {
  const accounts = await getAll('accounts');
  field('accounts-box').hidden = accounts.length === 0;
  $('[data-list="accounts"]').replaceChildren(...accounts.map((a) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button secondary';
    button.textContent = a.display_name || a.username;
    button.addEventListener('click', async () => { await useAccount(a.username); go('#sessions'); });
    li.append(button);
    return li;
  }));
}

// -- sessions --------------------------------------------------------------------------------

async function showSessions() {
  const mine = (await getAll('sessions')).filter((s) => s.owner === account.username)
    .sort((a, b) => b.starts_at.localeCompare(a.starts_at));
  field('no-sessions').hidden = mine.length > 0;
  $('[data-list="sessions"]').replaceChildren(...mine.map((s) => {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = `#session/${s.id}`;
    link.textContent = `${s.commune_name} · ${formatTime(s.starts_at)}`;
    const meta = document.createElement('span');
    meta.className = 'meta';
    const counts = format(strings.session_counts, { count: s.attendance.count, answers: s.quiz.pre + s.quiz.post });
    meta.textContent = ` ${s.voided ? `${counts} · ${strings.session_void_mark}` : counts}`;
    li.append(link, meta);
    return li;
  }));
}

function communeChoices(query) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const communes = account.communes || [];
  const found = communes.filter((c) => words.every((w) => fold(`${c.name} ${c.province}`).includes(w)));
  const box = $('[data-commune-results]');
  const chosen = $('[data-form="session"]').dataset.commune;
  box.replaceChildren(...found.slice(0, 30).map((c) => {
    const label = document.createElement('label');
    label.className = 'option';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'commune_code';
    input.value = c.code;
    input.checked = String(c.code) === chosen || communes.length === 1;
    input.addEventListener('change', () => { $('[data-form="session"]').dataset.commune = c.code; saveDraft(); });
    const span = document.createElement('span');
    span.textContent = `${c.name}, ${c.province}`;
    label.append(input, span);
    return label;
  }));
  if (communes.length === 1) $('[data-form="session"]').dataset.commune = communes[0].code;
}

// The secret the session QR code carries: residents' answers join the session only with it.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function localInputValue(date = new Date()) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

async function saveDraft() {
  const form = $('[data-form="session"]');
  await put('drafts', {
    key: `session-form:${account.username}`,
    commune: form.dataset.commune || '',
    search: $('[data-commune-search]').value,
    topic_ids: [...form.querySelectorAll('input[name=topic_ids]:checked')].map((i) => i.value),
    place: form.place.value, starts_at: form.starts_at.value, facilitator: form.facilitator.value,
  });
}

async function showNewSession() {
  const form = $('[data-form="session"]');
  const draft = await get('drafts', `session-form:${account.username}`);
  form.reset();
  form.dataset.commune = draft?.commune || '';
  $('[data-commune-search]').value = draft?.search || '';
  for (const input of form.querySelectorAll('input[name=topic_ids]')) input.checked = !!draft?.topic_ids.includes(input.value);
  form.place.value = draft?.place || '';
  form.starts_at.value = draft?.starts_at || localInputValue();
  form.facilitator.value = draft?.facilitator || account.display_name || '';
  field('session-error').textContent = '';
  communeChoices($('[data-commune-search]').value);
}

async function saveSession(form) {
  const error = field('session-error');
  const commune = (account.communes || []).find((c) => String(c.code) === form.dataset.commune);
  const topicIds = [...form.querySelectorAll('input[name=topic_ids]:checked')].map((i) => i.value);
  const starts = form.starts_at.value ? new Date(form.starts_at.value) : null;
  if (!commune) error.textContent = strings.choose_commune;
  else if (!topicIds.length) error.textContent = strings.choose_topic;
  else if (!starts || Number.isNaN(starts.getTime())) error.textContent = strings.choose_time;
  else error.textContent = '';
  if (error.textContent) return;
  const data = {
    commune_code: commune.code, topic_ids: topicIds, starts_at: rfc3339(starts),
    place: form.place.value.trim(), facilitator: form.facilitator.value.trim(), qr_key: newKey(),
  };
  const record = await queue('session', data, account.username);
  await put('sessions', {
    id: record.id, owner: account.username, commune_name: commune.name, province: commune.province,
    ...data, attendance: { count: 0, women: 0, ethnic_minority: 0, elderly: 0, disabled: 0 }, quiz: { pre: 0, post: 0 }, lines: [],
  });
  await remove('drafts', `session-form:${account.username}`);
  say(strings.saved);
  go(`#session/${record.id}`);
}

async function showSession(id) {
  const session = await get('sessions', id);
  if (!session) {
    go('#sessions');
    return;
  }
  root.dataset.session = id;
  field('session-title').textContent = `${session.commune_name}, ${session.province}`;
  field('session-meta').textContent = [formatTime(session.starts_at), session.place, session.facilitator]
    .filter(Boolean).join(' · ');
  field('count').textContent = session.attendance.count;
  field('women').textContent = session.attendance.women;
  field('minority').textContent = session.attendance.ethnic_minority;
  field('elderly').textContent = session.attendance.elderly || 0;
  field('disabled').textContent = session.attendance.disabled || 0;
  // This phone's answers, and those residents sent from their own phones (as the server last said).
  const fromResidents = ((await settings.get('resident_answers')) || {})[id] || {};
  field('quiz-pre').textContent = session.quiz.pre + (fromResidents.pre || 0);
  field('quiz-tallies').textContent = fieldLog.talliesText(session, strings);
  field('quiz-post').textContent = session.quiz.post + (fromResidents.post || 0);
  field('qr').hidden = true;
  field('session-voided').hidden = !session.voided;
  field('last-line').hidden = true;
  // A void session takes no more people, lines or answers: only its figures stay on screen.
  root.querySelectorAll('[data-screen="session"] [data-live]').forEach((part) => { part.hidden = !!session.voided; });
  showLines(session);
  // The quiz of the session's first topic, ready to run.
  const picker = $('[data-form="quiz"]').quiz;
  const option = [...picker.options].find((o) => session.topic_ids.includes(o.dataset.topic));
  if (option) picker.value = option.value;
}

// The parts of a line besides its count (server: models.ATTENDANCE_PARTS), each 0..count.
const PARTS = ['women', 'ethnic_minority', 'elderly', 'disabled'];

async function addAttendance(count, parts) {
  const id = root.dataset.session;
  const record = await queue('attendance', { session_id: id, count, ...parts }, account.username);
  await updateSession(id, (session) => {
    session.attendance.count += count;
    for (const part of PARTS) session.attendance[part] = (session.attendance[part] || 0) + parts[part];
    session.lines.push({ id: record.id, count, ...parts, voided: false });
  });
  say(format(strings.attendance_saved, { count }));
  await showSession(id);
  const undo = field('last-line');
  undo.dataset.line = record.id;
  field('last-line-text').textContent = format(strings.attendance_saved, { count });
  undo.hidden = false;
  undo.scrollIntoView({ block: 'nearest' });
}

function lineText(line) {
  const text = format(strings.line_text, { count: line.count, women: line.women, minority: line.ethnic_minority });
  if (!line.elderly && !line.disabled) return text;
  return `${text} · ${format(strings.line_more, { elderly: line.elderly || 0, disabled: line.disabled || 0 })}`;
}

// Take a line back out of the session's figures: a `void` record, and the counts at once.
async function undoLine(lineId) {
  const id = root.dataset.session;
  let undone = null;
  await updateSession(id, (session) => {
    const line = session.lines.find((l) => l.id === lineId && !l.voided);
    if (!line) return;
    line.voided = true;
    for (const key of ['count', ...PARTS]) session.attendance[key] = (session.attendance[key] || 0) - (line[key] || 0);
    undone = line;
  });
  if (!undone) return;
  await queue('void', { target_id: lineId, reason: 'undo' }, account.username);
  field('last-line').hidden = true;
  say(format(strings.line_undone, { count: undone.count }));
  await showSession(id);
}

// A mistyped line: a `correction` record with the new figures, and the counts at once.
async function fixLine(lineId, form) {
  const values = readTally(form);
  const error = form.querySelector('.error');
  error.textContent = values.error || '';
  if (values.error) return;
  const id = root.dataset.session;
  let changes = null;
  await updateSession(id, (session) => {
    const line = session.lines.find((l) => l.id === lineId && !l.voided);
    if (!line) return;
    changes = {};
    for (const [key, value] of Object.entries({ count: values.count, ...values.parts })) {
      const before = line[key] || 0;
      if (before !== value) changes[key] = value;
      session.attendance[key] = (session.attendance[key] || 0) + value - before;
      line[key] = value;
    }
  });
  if (!changes || !Object.keys(changes).length) return;
  await queue('correction', { target_id: lineId, changes }, account.username);
  say(strings.line_fixed);
  await showSession(id);
}

function showLines(session) {
  const lines = (session.lines || []).filter((l) => !l.voided);
  field('lines-count').textContent = lines.length;
  $('[data-list="lines"]').replaceChildren(...lines.map((line) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = lineText(line);
    const fix = document.createElement('form');
    fix.className = 'form fix-line';
    fix.noValidate = true;
    fix.hidden = true;
    const labels = [['count', strings.people], ['women', strings.of_whom_women], ['ethnic_minority', strings.of_whom_minority],
      ['elderly', strings.of_whom_elderly], ['disabled', strings.of_whom_disabled]];
    for (const [name, label] of labels) {
      const p = document.createElement('p');
      p.className = 'field';
      const input = document.createElement('input');
      input.name = name;
      input.type = 'number';
      input.inputMode = 'numeric';
      input.value = line[name] || 0;
      input.id = `fix-${line.id}-${name}`;
      const labelElement = document.createElement('label');
      labelElement.htmlFor = input.id;
      labelElement.textContent = label;
      p.append(labelElement, input);
      fix.append(p);
    }
    const error = document.createElement('p');
    error.className = 'error';
    error.setAttribute('role', 'alert');
    const save = document.createElement('button');
    save.className = 'button';
    save.type = 'submit';
    save.textContent = strings.save_fix;
    fix.append(error, save);
    fix.addEventListener('submit', (event) => { event.preventDefault(); fixLine(line.id, fix); });
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'button secondary';
    open.textContent = strings.fix;
    open.addEventListener('click', () => { fix.hidden = !fix.hidden; fix.querySelector('input')?.focus(); });
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'button secondary';
    remove.textContent = strings.undo;
    remove.addEventListener('click', () => undoLine(line.id));
    li.append(text, ' ', open, ' ', remove, fix);
    return li;
  }));
}

async function voidSession(form) {
  const reason = form.reason.value.trim();
  const error = form.querySelector('.error');
  error.textContent = reason ? '' : strings.void_reason_needed;
  if (!reason) return;
  const id = root.dataset.session;
  await queue('void', { target_id: id, reason }, account.username);
  await updateSession(id, (session) => { session.voided = true; });
  form.reset();
  say(strings.session_voided);
  await showSession(id);
}

function readTally(form) {
  const number = (input) => (!input || input.value === '' ? 0 : Number(input.value));
  const count = number(form.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000) return { error: strings.tally_count };
  const parts = Object.fromEntries(PARTS.map((part) => [part, number(form[part])]));
  if (Object.values(parts).some((n) => !Number.isInteger(n) || n < 0 || n > count)) {
    return { error: format(strings.tally_part, { count }) };
  }
  return { count, parts };
}

// The QR code as SVG: one path of dark runs per row, 4 modules of quiet zone.
function qrSvg(qr) {
  const n = qr.getModuleCount();
  const size = n + 8;
  let d = '';
  for (let row = 0; row < n; row += 1) {
    for (let col = 0; col < n; col += 1) {
      if (!qr.isDark(row, col)) continue;
      let end = col;
      while (end + 1 < n && qr.isDark(row, end + 1)) end += 1;
      d += `M${col + 4} ${row + 4}h${end - col + 1}v1h-${end - col + 1}z`;
      col = end;
    }
  }
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', strings.qr_alt);
  svg.setAttribute('class', 'qr');
  const background = document.createElementNS(ns, 'rect');
  background.setAttribute('width', size);
  background.setAttribute('height', size);
  background.setAttribute('fill', '#fff');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(background, path);
  return svg;
}

async function showQr(form) {
  const quiz = form.quiz.value;
  const phase = form.phase.value;
  const caption = format(strings.qr_caption, {
    quiz: form.quiz.selectedOptions[0]?.textContent.trim() || quiz,
    phase: phase === 'post' ? strings.phase_post : strings.phase_pre,
  });
  const session = await get('sessions', root.dataset.session);
  const key = session?.qr_key ? `&key=${encodeURIComponent(session.qr_key)}` : '';
  const url = `${location.origin}/${lang}/quiz/${quiz}?session=${root.dataset.session}&phase=${phase}&mode=resident${key}`;
  const { qrcode } = await import('./vendor/qrcode-generator-2.0.4-encoder.js');
  const qr = qrcode(0, 'M');
  qr.addData(url);
  qr.make();
  field('qr-image').replaceChildren(qrSvg(qr));
  field('qr-caption').textContent = caption;
  field('qr-url').textContent = url;
  field('qr').hidden = false;
}

function bindSessionScreens() {
  $('[data-form="login"]').addEventListener('submit', (event) => { event.preventDefault(); logIn(event.target); });
  $('[data-form="password"]').addEventListener('submit', (event) => {
    event.preventDefault();
    changePassword(event.target);
  });
  $('[data-action="switch"]').addEventListener('click', () => go('#login'));
  const sessionForm = $('[data-form="session"]');
  sessionForm.addEventListener('submit', (event) => { event.preventDefault(); saveSession(sessionForm); });
  sessionForm.addEventListener('input', () => saveDraft());
  $('[data-commune-search]').addEventListener('input', (event) => communeChoices(event.target.value));
  $('[data-action="add-one"]').addEventListener('click', async () => {
    const boxes = PARTS.map((part) => $(`[data-person="${part}"]`));
    await addAttendance(1, Object.fromEntries(boxes.map((box) => [box.dataset.person, box.checked ? 1 : 0])));
    for (const box of boxes) box.checked = false;
  });
  const tally = $('[data-form="tally"]');
  tally.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = readTally(tally);
    field('tally-error').textContent = values.error || '';
    if (values.error) return;
    await addAttendance(values.count, values.parts);
    tally.reset();
  });
  const quizForm = $('[data-form="quiz"]');
  quizForm.addEventListener('submit', (event) => {
    event.preventDefault();
    location.href = `/${lang}/quiz/${quizForm.quiz.value}?session=${root.dataset.session}&phase=${quizForm.phase.value}`;
  });
  $('[data-action="show-qr"]').addEventListener('click', () => showQr(quizForm));
  // The code on screen always carries the phase and quiz chosen now.
  quizForm.addEventListener('change', () => { if (!field('qr').hidden) showQr(quizForm); });
  $('[data-action="undo"]').addEventListener('click', () => undoLine(field('last-line').dataset.line));
  $('[data-action="oral-quiz"]').addEventListener('click', () => fieldLog.startOral(ctx, lang, root.dataset.session, quizForm));
  const oralForm = $('[data-form="oral"]');
  oralForm.addEventListener('submit', (event) => { event.preventDefault(); fieldLog.saveOral(ctx, oralForm); });
  oralForm.addEventListener('input', () => fieldLog.countHands(ctx));
  const broadcastForm = $('[data-form="broadcast"]');
  broadcastForm.addEventListener('submit', (event) => { event.preventDefault(); fieldLog.saveBroadcast(ctx, broadcastForm); });
  const complaintForm = $('[data-form="complaint"]');
  complaintForm.addEventListener('submit', (event) => { event.preventDefault(); complaintLog.saveComplaint(ctx, complaintForm); });
  const activityForm = $('[data-form="activity"]');
  activityForm.addEventListener('submit', (event) => { event.preventDefault(); activityLog.saveActivity(ctx, activityForm); });
  activityForm.addEventListener('change', (event) => {
    if (event.target.name === 'kind') activityLog.showKindFields(activityForm);
  });
  const voidForm = $('[data-form="void-session"]');
  voidForm.addEventListener('submit', (event) => { event.preventDefault(); voidSession(voidForm); });
}

// -- screens ---------------------------------------------------------------------------------

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const [screen, id] = (location.hash.slice(1) || 'sessions').split('/');
  account = await currentAccount();
  const target = !account ? 'login' : screen;
  for (const section of root.querySelectorAll('[data-screen]')) section.hidden = section.dataset.screen !== target;
  if (target === 'login') await showLogin();
  else if (target === 'new') await showNewSession();
  else if (target === 'session') await showSession(id);
  else if (target === 'broadcast') fieldLog.showBroadcastForm(ctx, localInputValue);
  else if (target === 'oral') await fieldLog.showOral(ctx, id);
  else if (target === 'activity') activityLog.showActivityForm(ctx, () => localInputValue().slice(0, 10));
  else if (target === 'complaint') complaintLog.showComplaintForm(ctx);
  else {
    await showSessions();
    await fieldLog.showBroadcasts(ctx);
    await activityLog.showActivities(ctx);
    await complaintLog.showComplaints(ctx);
  }
  if (account) field('who').textContent = account.display_name || account.username;
  const heading = root.querySelector(`[data-screen="${target}"] h1`);
  heading?.setAttribute('tabindex', '-1');
  heading?.focus({ preventScroll: false });
  root.dataset.currentScreen = target;
}

async function start() {
  strings = await loadStrings(lang);
  bindOutbox();
  bindSessionScreens();
  window.addEventListener('hashchange', route);
  await route();
  await showStorage();
  await refreshOutbox();
  startSending();
  root.dataset.ready = 'true';
}

if (root) start();

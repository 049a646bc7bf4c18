// Two staff records beyond sessions, both offline first (records in the outbox, like the rest):
//   - a commune loudspeaker broadcast (record type `broadcast`);
//   - a quiz by show of hands for people who cannot read (record type `quiz_tally`): each
//     question and its answers played (or read) aloud, the hands counted per answer; never more
//     hands than people at the session.
// The questions come from the quiz page the service worker keeps, so this works with no network.

import { queue, rfc3339 } from './outbox.js';
import { updateSession } from './session-log.js';
import { get, settings } from './store.js';
import { format } from './strings.js';

const KEPT_BROADCASTS = 50; // the newest, listed on the sessions screen

// -- broadcasts --------------------------------------------------------------------------------

function broadcastsKey(ctx) {
  return `broadcasts:${ctx.account().username}`;
}

export async function showBroadcasts(ctx) {
  const mine = (await settings.get(broadcastsKey(ctx))) || [];
  ctx.field('no-broadcasts').hidden = mine.length > 0;
  ctx.$('[data-list="broadcasts"]').replaceChildren(...mine.map((b) => {
    const li = document.createElement('li');
    li.textContent = format(ctx.strings().broadcast_line, {
      when: ctx.formatTime(b.started_at), commune: b.commune_name, minutes: b.minutes, repeats: b.repeats,
    });
    return li;
  }));
}

export function showBroadcastForm(ctx, localNow) {
  const form = ctx.$('[data-form="broadcast"]');
  const communes = ctx.account().communes || [];
  form.commune_code.replaceChildren(...communes.map((c) => new Option(`${c.name}, ${c.province}`, c.code)));
  if (!form.started_at.value) form.started_at.value = localNow();
  ctx.field('broadcast-error').textContent = '';
}

function readBroadcast(form, strings) {
  const minutes = Number(form.minutes.value);
  const repeats = Number(form.repeats.value || 1);
  const topics = [...form.querySelectorAll('input[name=topic_ids]:checked')].map((i) => i.value);
  const started = form.started_at.value ? new Date(form.started_at.value) : null;
  if (!form.commune_code.value) return { error: strings.choose_commune };
  if (!topics.length) return { error: strings.choose_topic };
  if (!started || Number.isNaN(started.getTime())) return { error: strings.choose_time };
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 240) return { error: strings.broadcast_minutes };
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 50) return { error: strings.broadcast_repeats };
  return {
    data: {
      commune_code: Number(form.commune_code.value), station: form.station.value.trim(),
      started_at: rfc3339(started), topic_ids: topics, lang: form.lang.value, minutes, repeats,
    },
  };
}

export async function saveBroadcast(ctx, form) {
  const strings = ctx.strings();
  const read = readBroadcast(form, strings);
  ctx.field('broadcast-error').textContent = read.error || '';
  if (read.error) return;
  const record = await queue('broadcast', read.data, ctx.account().username);
  const commune = (ctx.account().communes || []).find((c) => c.code === read.data.commune_code);
  const kept = (await settings.get(broadcastsKey(ctx))) || [];
  kept.unshift({ id: record.id, commune_name: commune ? commune.name : read.data.commune_code, ...read.data });
  await settings.set(broadcastsKey(ctx), kept.slice(0, KEPT_BROADCASTS));
  form.reset();
  ctx.say(strings.broadcast_saved);
  ctx.go('#sessions');
}

// -- quiz by show of hands --------------------------------------------------------------------

const oral = { quiz: null, phase: null, questions: [], at: 0, session: null };

// The quiz's questions, options and recordings, read from its page (kept offline).
async function questionsOf(lang, quizId) {
  const response = await fetch(`/${lang}/quiz/${quizId}`, { credentials: 'same-origin' });
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  return [...page.querySelectorAll('fieldset.question')].map((fieldset) => ({
    id: fieldset.dataset.question,
    text: fieldset.querySelector('legend').textContent.trim(),
    options: [...fieldset.querySelectorAll('label.option')].map((label) => ({
      id: label.querySelector('input').value, text: label.textContent.trim(),
    })),
    audio: fieldset.querySelector('audio')?.outerHTML || '',
  }));
}

export async function startOral(ctx, lang, sessionId, quizForm) {
  oral.session = sessionId;
  oral.quiz = quizForm.quiz.value;
  oral.phase = quizForm.phase.value;
  oral.at = 0;
  oral.questions = await questionsOf(lang, oral.quiz);
  ctx.go(`#oral/${sessionId}`);
}

function hands(form) {
  return [...form.querySelectorAll('input[data-option]')].map((input) => ({
    id: input.dataset.option, value: input.value === '' ? 0 : Number(input.value),
  }));
}

export async function showOral(ctx, sessionId) {
  const strings = ctx.strings();
  const session = await get('sessions', sessionId);
  if (!session || oral.session !== sessionId || !oral.questions.length) {
    ctx.go(sessionId ? `#session/${sessionId}` : '#sessions');
    return;
  }
  const question = oral.questions[oral.at];
  ctx.field('oral-back').href = `#session/${sessionId}`;
  ctx.field('oral-progress').textContent = format(strings.oral_progress, {
    n: oral.at + 1, total: oral.questions.length,
  });
  ctx.field('oral-question').textContent = question.text;
  // The recording, parsed from Loa's own page (never from content HTML): the player as it was.
  const audioBox = ctx.field('oral-audio');
  audioBox.replaceChildren();
  if (question.audio) {
    const parsed = new DOMParser().parseFromString(question.audio, 'text/html').querySelector('audio');
    if (parsed) {
      parsed.controls = true;
      audioBox.append(parsed);
    }
  }
  ctx.field('oral-options').replaceChildren(...question.options.map((option, i) => {
    const p = document.createElement('p');
    p.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = `oral-${i}`;
    label.textContent = option.text;
    const input = document.createElement('input');
    Object.assign(input, { id: `oral-${i}`, type: 'number', inputMode: 'numeric', min: 0, max: 1000, value: '' });
    input.dataset.option = option.id;
    p.append(label, input);
    return p;
  }));
  ctx.field('oral-people').textContent = format(strings.oral_people, { people: session.attendance.count });
  ctx.field('oral-hands').textContent = '0';
  ctx.field('oral-error').textContent = '';
}

export function countHands(ctx) {
  const total = hands(ctx.$('[data-form="oral"]')).reduce((sum, h) => sum + (Number.isFinite(h.value) ? h.value : 0), 0);
  ctx.field('oral-hands').textContent = String(total);
}

export async function saveOral(ctx, form) {
  const strings = ctx.strings();
  const session = await get('sessions', oral.session);
  const counts = hands(form);
  const bad = counts.find((h) => !Number.isInteger(h.value) || h.value < 0 || h.value > 1000);
  const total = counts.reduce((sum, h) => sum + h.value, 0);
  let error = '';
  if (bad) error = strings.oral_whole_numbers;
  else if (total > session.attendance.count) {
    error = format(strings.oral_too_many, { hands: total, people: session.attendance.count });
  }
  ctx.field('oral-error').textContent = error;
  if (error) return;
  const question = oral.questions[oral.at];
  await queue('quiz_tally', {
    session_id: oral.session, quiz_id: oral.quiz, lang: ctx.lang, phase: oral.phase,
    question_id: question.id, counts: Object.fromEntries(counts.map((h) => [h.id, h.value])),
  }, ctx.account().username);
  await updateSession(oral.session, (s) => {
    s.tallies = s.tallies || {};
    s.tallies[`${oral.quiz}:${oral.phase}:${question.id}`] = total;
  });
  ctx.say(format(strings.oral_saved, { n: oral.at + 1 }));
  oral.at += 1;
  if (oral.at >= oral.questions.length) {
    oral.questions = [];
    ctx.go(`#session/${oral.session}`);
  } else {
    await showOral(ctx, oral.session);
  }
}

export function talliesText(session, strings) {
  const n = Object.keys(session.tallies || {}).length;
  return n ? format(strings.oral_counted, { n }) : '';
}

// Campaign activities other than sessions, recorded offline on the staff phone (record type
// `activity`, in the outbox like the rest): leaflets handed out, a banner or poster, a fair or
// stall, a media item, a training. Each kind shows only its own fields; the count's label says
// what is counted.

import { queue, rfc3339 } from './outbox.js';
import { settings } from './store.js';
import { format } from './strings.js';

const KEPT = 50; // the newest, listed on the sessions screen
// The most one record may count, per kind (the server's MAX_ACTIVITY_COUNT).
const MAX_COUNT = { leaflets: 100000, banner: 1000, fair: 100000, media: 1000, training: 5000 };

function keptKey(ctx) {
  return `activities:${ctx.account().username}`;
}

export async function showActivities(ctx) {
  const mine = (await settings.get(keptKey(ctx))) || [];
  ctx.field('no-activities').hidden = mine.length > 0;
  const strings = ctx.strings();
  ctx.$('[data-list="activities"]').replaceChildren(...mine.map((a) => {
    const li = document.createElement('li');
    li.textContent = format(strings.activity_line, {
      when: ctx.formatDate(a.held_at), commune: a.commune_name,
      kind: strings[`activity_${a.kind}`], count: a.count,
    });
    return li;
  }));
}

// Only the fields of the chosen kind are shown (and sent).
export function showKindFields(form) {
  const kind = form.kind.value;
  for (const part of form.querySelectorAll('[data-kind]')) part.hidden = part.dataset.kind !== kind;
  for (const label of form.querySelectorAll('[data-count-label]')) label.hidden = label.dataset.countLabel !== kind;
  form.count.max = MAX_COUNT[kind] || 1;
}

export function showActivityForm(ctx, today) {
  const form = ctx.$('[data-form="activity"]');
  const communes = ctx.account().communes || [];
  form.commune_code.replaceChildren(...communes.map((c) => new Option(`${c.name}, ${c.province}`, c.code)));
  if (!form.held_on.value) form.held_on.value = today();
  showKindFields(form);
  ctx.field('activity-error').textContent = '';
}

function readActivity(form, strings) {
  const kind = form.kind.value;
  const count = Number(form.count.value);
  const held = form.held_on.value ? new Date(`${form.held_on.value}T12:00`) : null;
  if (!form.commune_code.value) return { error: strings.choose_commune };
  if (!held || Number.isNaN(held.getTime())) return { error: strings.choose_day };
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT[kind]) {
    return { error: format(strings.activity_count, { high: MAX_COUNT[kind] }) };
  }
  const data = {
    kind, commune_code: Number(form.commune_code.value), held_at: rfc3339(held), count,
    topic_ids: [...form.querySelectorAll('input[name=topic_ids]:checked')].map((i) => i.value),
    note: form.note.value.trim(),
  };
  if (kind === 'leaflets') {
    data.leaflet_codes = form.leaflet_codes.value.split(/[\s,;]+/).filter(Boolean);
    data.batch = form.batch.value.trim();
  } else if (kind === 'media') {
    data.channel = form.channel.value;
    data.link = form.link.value.trim();
    if (data.link && !/^https?:\/\/\S+$/i.test(data.link)) return { error: strings.activity_link };
  } else if (kind === 'training') {
    data.audience = form.audience.value;
  }
  return { data };
}

export async function saveActivity(ctx, form) {
  const strings = ctx.strings();
  const read = readActivity(form, strings);
  ctx.field('activity-error').textContent = read.error || '';
  if (read.error) return;
  const record = await queue('activity', read.data, ctx.account().username);
  const commune = (ctx.account().communes || []).find((c) => c.code === read.data.commune_code);
  const kept = (await settings.get(keptKey(ctx))) || [];
  kept.unshift({ id: record.id, commune_name: commune ? commune.name : read.data.commune_code, ...read.data });
  await settings.set(keptKey(ctx), kept.slice(0, KEPT));
  form.reset();
  ctx.say(strings.activity_saved);
  ctx.go('#sessions');
}

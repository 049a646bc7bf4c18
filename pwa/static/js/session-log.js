// Running totals of this phone's sessions, for the staff screens (the records themselves
// are in the outbox; these totals are only for display). Each session also keeps its tally
// lines, so a line can be undone or fixed (a `void` or `correction` record) offline.

import { get, put } from './store.js';

export async function updateSession(id, change) {
  const session = await get('sessions', id);
  if (!session) return null;
  session.lines = session.lines || [];
  change(session);
  await put('sessions', session);
  return session;
}

export function addToSession(id, change) {
  return updateSession(id, (session) => {
    for (const [group, values] of Object.entries(change)) {
      for (const [key, value] of Object.entries(values)) session[group][key] += value;
    }
  });
}

export const getSession = (id) => get('sessions', id);

// Running totals of this phone's sessions, for the staff screens (the records themselves
// are in the outbox; these totals are only for display).

import { get, put } from './store.js';

export async function addToSession(id, change) {
  const session = await get('sessions', id);
  if (!session) return null;
  for (const [group, values] of Object.entries(change)) {
    for (const [key, value] of Object.entries(values)) session[group][key] += value;
  }
  await put('sessions', session);
  return session;
}

export const getSession = (id) => get('sessions', id);

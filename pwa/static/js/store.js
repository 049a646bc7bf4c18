// IndexedDB: what must survive a closed tab, a killed browser and a phone restart.
// Separate from the Cache Storage the service worker manages: clearing caches never
// touches settings or records waiting to be sent. Every write is committed with
// strict durability (flushed to disk) before the promise resolves.

const DB_NAME = 'loa';
const DB_VERSION = 2;  // 2: photos
const STORES = {
  settings: { keyPath: 'key' },    // {key, value}: chosen language, device id, last send, ...
  outbox: { keyPath: 'id' },       // records waiting to be sent (sync protocol v1)
  attention: { keyPath: 'id' },    // records the server rejected or saw in conflict, with its message
  accounts: { keyPath: 'username' }, // staff who logged in on this phone, with their device tokens
  sessions: { keyPath: 'id' },     // this phone's sessions, with running totals, for the staff screens
  drafts: { keyPath: 'key' },      // unfinished forms, so a reload loses nothing
  photos: { keyPath: 'id' },       // complaint photos, compressed, waiting to be uploaded
};

let opening = null;

export function openDB() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const [name, options] of Object.entries(STORES)) {
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, options);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
    });
  }
  return opening;
}

// Run `work` in one transaction over one or more stores; resolves when it is committed.
export async function transact(storeNames, mode, work) {
  const db = await openDB();
  const names = Array.isArray(storeNames) ? storeNames : [storeNames];
  return new Promise((resolve, reject) => {
    const options = mode === 'readwrite' ? { durability: 'strict' } : undefined;
    const tx = db.transaction(names, mode, options);
    let result;
    const stores = names.map((n) => tx.objectStore(n));
    Promise.resolve(work(...stores)).then((value) => { result = value; });
    tx.oncomplete = () => resolve(result);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
    tx.onerror = () => reject(tx.error);
  });
}

const run = (storeName, mode, work) => transact(storeName, mode, work);

export function wrap(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export const get = (store, key) => run(store, 'readonly', (s) => wrap(s.get(key)));
export const getAll = (store) => run(store, 'readonly', (s) => wrap(s.getAll()));
export const count = (store) => run(store, 'readonly', (s) => wrap(s.count()));
export const put = (store, ...values) => run(store, 'readwrite', (s) => { values.forEach((v) => s.put(v)); });
export const remove = (store, ...keys) => run(store, 'readwrite', (s) => { keys.forEach((k) => s.delete(k)); });

export const settings = {
  async get(key, fallback = null) {
    const row = await get('settings', key);
    return row === undefined ? fallback : row.value;
  },
  set: (key, value) => put('settings', { key, value }),
};

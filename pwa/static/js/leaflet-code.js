// Leaflet codes as the server makes them (server/leaflets.py): 5 characters from an alphabet
// without 0/O, 1/I/L, then a check character, so a mistyped code is caught on the phone too.

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const BODY = 5;

function inverse(a, n) {
  for (let x = 1; x < n; x += 1) if ((a * x) % n === 1) return x;
  return 1;
}

function checkCharacter(body) {
  const n = ALPHABET.length;
  let total = 0;
  for (let i = 0; i < body.length; i += 1) total += (i + 1) * ALPHABET.indexOf(body[i]);
  const value = ((-total * inverse(body.length + 1, n)) % n + n) % n;
  return ALPHABET[value];
}

// The stored form of a typed or scanned code, or null when it cannot be a leaflet code.
export function leafletCode(text) {
  const code = String(text).replace(/[\s\-\u2010-\u2015]+/g, '').toUpperCase();
  if (code.length !== BODY + 1 || [...code].some((ch) => !ALPHABET.includes(ch))) return null;
  return checkCharacter(code.slice(0, BODY)) === code[BODY] ? code : null;
}

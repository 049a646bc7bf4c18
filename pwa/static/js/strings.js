// Interface strings for scripts, from the server's catalogues (/<lang>/strings.json,
// precached with the language). Placeholders use the catalogues' %(name)s form.

let loaded = null;

export function loadStrings(lang) {
  if (!loaded) {
    loaded = fetch(`/${lang}/strings.json`)
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}));
  }
  return loaded;
}

export function format(template, values = {}) {
  return String(template ?? '').replace(/%\((\w+)\)s/g, (_, name) => (name in values ? values[name] : ''));
}

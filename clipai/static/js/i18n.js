/* Catalog strings in the page's language: the server renders them into a JSON block, so the
   scripts speak the same catalogs as the pages (DESIGN.md §3). Plural forms are chosen by the
   server, which fills the block in the page's locale. */

/** Return the page's locale, as the server set it on <html lang>. */
export function pageLocale(doc = document) {
  return doc.documentElement.lang || "en";
}

/** Return the strings of the JSON block with this id ({} when the block is missing). */
export function readStrings(id, doc = document) {
  const block = doc.getElementById(id);
  return block ? JSON.parse(block.textContent) : {};
}

/** Fill %(name)s (or %(name)d) placeholders; unknown names stay as written. */
export function fill(template, values) {
  if (!values) return template;
  return template.replace(/%\((\w+)\)[sd]/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
}

/** Return t(key, values): the catalog string for key (or the key itself) with placeholders filled. */
export function translator(strings) {
  const t = (key, values) => fill(strings[key] || key, values);
  t.has = (key) => Object.prototype.hasOwnProperty.call(strings, key) && Boolean(strings[key]);
  return t;
}

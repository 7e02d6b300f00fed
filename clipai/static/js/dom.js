/* Small DOM helpers. Text always goes in through textContent, never as HTML. */

export function byId(id) {
  return document.getElementById(id);
}

/** Return a new element with an optional class and text. */
export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/* One chat message on screen, shared by the visitor widget and the operator console:
   <li class="PREFIX-message from-AUTHOR"> with author, text and meta paragraphs. The text
   always goes in as text, never as HTML (DESIGN.md §5). */
import { make } from "./dom.js";
import { datetimeAttribute } from "./format.js";

/** Return the <li> of a message; prefix is "chat" or "console". */
export function messageElement(prefix, author, who, text) {
  const li = make("li", `${prefix}-message from-${author}`);
  const body = make("p", `${prefix}-message-text`, text);
  body.dir = "auto";  // a Russian page may quote Arabic, and the other way round
  li.append(make("p", `${prefix}-message-author`, who), body, make("p", `${prefix}-message-meta`));
  return li;
}

/** Replace the meta line of li with parts (nodes or text) joined by " · ". */
export function setMeta(li, parts) {
  const meta = li.querySelector("[class$='-message-meta']");
  meta.textContent = "";
  parts.forEach((part, index) => {
    if (index) meta.append(" · ");
    meta.append(part);
  });
}

/** Return a <time> for iso with text from label(date) and an optional full title. */
export function timeElement(iso, label, title) {
  const date = new Date(iso);
  const time = document.createElement("time");
  if (!isNaN(date)) {
    time.dateTime = datetimeAttribute(iso);
    time.textContent = label(date);
    if (title) time.title = title(date);
  }
  return time;
}

/** Put li into list by message id; pending messages (not stored yet) stay at the end. */
export function insertInOrder(list, li, id) {
  const next = Array.from(list.children).find((other) =>
    other.classList.contains("is-pending") || Number(other.dataset.id) > id);
  if (next) list.insertBefore(li, next); else list.appendChild(li);
}

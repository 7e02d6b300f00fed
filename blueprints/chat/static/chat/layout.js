/* The thread's reading order on screen: a separator before each day ("Today", "Yesterday", a
   date), the author once per group of consecutive messages, the time once at its end, and the
   operator's initials beside the group. The rules are in grouping.js. */
import { make } from "../../../static/js/dom.js";
import { formatDate } from "../../../static/js/format.js";
import { initials, layoutThread, relativeDay } from "./grouping.js";
import { el, locale, state, t } from "./state.js";
import { authorLabel } from "./thread.js";

function dayLabel(date) {
  const relative = relativeDay(date, new Date());
  return relative ? t(relative) : formatDate(locale, date);
}

/** The separator before li: the one already there when it still fits (no repeat for screen readers). */
function placeSeparator(li, date) {
  const label = dayLabel(date);
  let separator = li.previousElementSibling;
  if (!separator || !separator.classList.contains("chat-day")) {
    separator = make("li", "chat-day");
    separator.append(make("time"));
    li.before(separator);
  }
  const time = separator.querySelector("time");
  if (time.textContent !== label) time.textContent = label;
  time.dateTime = localDay(date);
  return separator;
}

/** The local calendar day as <time datetime> wants it: 2026-03-05. */
function localDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function setAvatar(li, message, show) {
  const existing = li.querySelector(".chat-avatar");
  if (!show) { if (existing) existing.remove(); return; }
  const avatar = existing || make("span", "chat-avatar");
  avatar.setAttribute("aria-hidden", "true");
  avatar.textContent = initials(authorLabel(message), locale);
  if (!existing) li.prepend(avatar);
}

/** Lay the stored messages out again (after one arrived, or when the day may have changed). */
export function renderLayout() {
  const entries = Array.from(el.messages.children)
    .filter((li) => li.dataset.id && state.messages.has(Number(li.dataset.id)))
    .map((li) => state.messages.get(Number(li.dataset.id)));
  const items = entries.map(({ message }) => ({
    author: message.author, alias: authorLabel(message), at: new Date(message.created_at)
  }));
  const separators = new Set();
  layoutThread(items).forEach((place, index) => {
    const { li, message } = entries[index];
    li.classList.toggle("is-continued", !place.first);
    li.classList.toggle("is-followed", !place.last);
    if (message.author === "operator") setAvatar(li, message, place.first);
    if (place.newDay && !isNaN(items[index].at)) separators.add(placeSeparator(li, items[index].at));
  });
  el.messages.querySelectorAll(".chat-day").forEach((li) => { if (!separators.has(li)) li.remove(); });
}

/* When support is back and how quickly it usually replies, from the server's `status`
   ({opens_at, reply_seconds}; docs/chat.md "Office hours"), in the visitor's language and own
   time zone: the server sends an instant and a number of seconds, Intl does the rest. */
import { formatTime } from "../../../static/js/format.js";
import { find, locale, t } from "./state.js";

const DAY_MS = 86400000;
const MAX_TIMER_MS = 2147483647;  // setTimeout's limit (about 24 days)
const line = find("chat-availability");
let latest = {};
let timer = null;

function localMidnight(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** "today", "tomorrow", a weekday within the week, else a date: the day part of "back … at …". */
function dayWords(date, now) {
  const days = Math.round((localMidnight(date) - localMidnight(now)) / DAY_MS);
  try {
    if (days <= 1) return new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(days, "day");
    const options = days < 7 ? { weekday: "long" } : { month: "long", day: "numeric" };
    return new Intl.DateTimeFormat(locale, options).format(date);
  } catch (e) {
    return date.toDateString();
  }
}

function inUnits(n, unit) {
  try { return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(n); }
  catch (e) { return n + " " + unit + (n === 1 ? "" : "s"); }
}

/** A reply time rounded up to what a visitor plans with: minutes, then hours, then days. */
function roundedDuration(seconds) {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes < 60) return inUnits(minutes, "minute");
  const hours = Math.ceil(minutes / 60);
  return hours < 48 ? inUnits(hours, "hour") : inUnits(Math.ceil(hours / 24), "day");
}

function text(now) {
  const opensAt = latest.opens_at ? new Date(latest.opens_at) : null;
  if (opensAt && !isNaN(opensAt) && opensAt > now) {
    return t("back_at", { day: dayWords(opensAt, now), time: formatTime(locale, opensAt) });
  }
  const seconds = Number(latest.reply_seconds);
  return seconds > 0 ? t("reply_time", { time: roundedDuration(seconds) }) : "";
}

function render() {
  if (!line) return;
  const now = new Date();
  const words = text(now);
  line.textContent = words;
  line.hidden = !words;
  window.clearTimeout(timer);
  const opensAt = latest.opens_at ? new Date(latest.opens_at) - now : 0;
  // Once support is back, "back at" gives way to the reply time without waiting for the server.
  if (opensAt > 0 && opensAt < MAX_TIMER_MS) timer = window.setTimeout(render, opensAt + 1000);
}

/** Show what a `status` payload says about office hours and reply time. */
export function renderAvailability(status) {
  latest = status || {};
  render();
}

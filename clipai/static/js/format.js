/* Dates, times and numbers in the page's locale through Intl, with plain fallbacks for the
   browsers (and locales) Intl does not cover. */

export function formatNumber(locale, n, options) {
  try { return new Intl.NumberFormat(locale, options).format(n); } catch (e) { return String(n); }
}

/** A duration in seconds, spelled out ("5 seconds"). */
export function formatSeconds(locale, n) {
  try { return new Intl.NumberFormat(locale, { style: "unit", unit: "second", unitDisplay: "long" }).format(n); }
  catch (e) { return formatNumber(locale, n) + " s"; }
}

/** A wait as m:ss in the locale's digits. */
export function formatWait(locale, seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return formatNumber(locale, minutes) + ":" + (rest < 10 ? formatNumber(locale, 0) : "") + formatNumber(locale, rest);
}

export function formatDate(locale, date) {
  try { return new Intl.DateTimeFormat(locale, { dateStyle: "long" }).format(date); }
  catch (e) { return date.toDateString(); }
}

export function formatTime(locale, date) {
  try { return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(date); }
  catch (e) { return date.toTimeString().slice(0, 5); }
}

/** An instant with its date and time in full, for a reader who must know exactly when. */
export function formatInstant(locale, date) {
  try { return new Intl.DateTimeFormat(locale || undefined, { dateStyle: "long", timeStyle: "long" }).format(date); }
  catch (e) { return date.toISOString(); }
}

/** The time alone for today, the day and the time otherwise ("" for a bad date). */
export function formatWhen(locale, iso, now = new Date()) {
  const date = new Date(iso);
  if (isNaN(date)) return "";
  const sameDay = date.toDateString() === now.toDateString();
  const options = sameDay ? { hour: "numeric", minute: "2-digit" } : { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
  try { return new Intl.DateTimeFormat(locale, options).format(date); } catch (e) { return date.toLocaleString(); }
}

/** HTML's <time datetime> allows at most three digits of a second; the server sends six. */
export function datetimeAttribute(iso) {
  const date = new Date(iso);
  return isNaN(date) ? "" : date.toISOString();
}

/** A language's name in the page's locale, capitalised as a label ("?" when unknown). */
/** Items joined as the locale writes a list ("German, Russian and French"). */
export function formatList(locale, items) {
  try { return new Intl.ListFormat(locale, { type: "conjunction" }).format(items); }
  catch (e) { return items.join(", "); }
}

export function languageName(locale, code) {
  if (!code) return "?";
  try {
    const name = new Intl.DisplayNames([locale], { type: "language" }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : code;
  } catch (e) { return code; }
}

/** The length the server checks: code points after NFC normalisation. */
export function visibleLength(text) {
  return Array.from(text.normalize("NFC")).length;
}

/** A duration for a report: seconds under 90 s, minutes under 90 min, hours beyond (one decimal). */
export function formatDuration(locale, seconds) {
  const [value, unit] = seconds < 90 ? [seconds, "second"] : seconds < 5400 ? [seconds / 60, "minute"] : [seconds / 3600, "hour"];
  const rounded = Math.round(value * 10) / 10;
  try { return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 }).format(rounded); }
  catch (e) { return formatNumber(locale, rounded) + " " + unit.charAt(0); }
}

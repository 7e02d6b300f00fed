/* How the thread reads: date separators and consecutive messages grouped by author (the author
   shown on the first of a group, the time on the last). Pure functions, no DOM: tested in
   tests/js/grouping.test.mjs. */

/** Messages of one author further apart than this start a new group. */
export const GROUP_GAP_MS = 5 * 60 * 1000;
const DAY_MS = 86400000;

export function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "today", "yesterday" or null (another day: the caller spells the date), in local time. */
export function relativeDay(date, now) {
  if (sameDay(date, now)) return "today";
  // Noon yesterday is on yesterday's date whatever the daylight-saving shift.
  const noon = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 12);
  return sameDay(date, new Date(noon.getTime() - DAY_MS)) ? "yesterday" : null;
}

function continues(before, after) {
  if (!before || !after || before.author === "system" || before.author !== after.author) return false;
  if ((before.alias || "") !== (after.alias || "")) return false;
  const gap = after.at - before.at;
  return sameDay(before.at, after.at) && gap >= 0 && gap <= GROUP_GAP_MS;
}

/**
 * For messages in order ({author, alias?, at: Date}), return one entry each:
 * {newDay: a date separator goes before it, first: it opens a group, last: it closes one}.
 */
export function layoutThread(items) {
  return items.map((item, index) => {
    const before = items[index - 1];
    const after = items[index + 1];
    return {
      newDay: !before || !sameDay(before.at, item.at),
      first: !continues(before, item),
      last: !continues(item, after)
    };
  });
}

/** Up to two initials of a name ("Anna Petrova" → "AP"), in the locale's capitals. */
export function initials(name, locale) {
  const words = String(name || "").trim().split(/[\s._-]+/u).filter((word) => /\p{L}|\p{N}/u.test(word));
  const letters = words.slice(0, 2).map((word) => Array.from(word).find((ch) => /\p{L}|\p{N}/u.test(ch)));
  try { return letters.join("").toLocaleUpperCase(locale); } catch (e) { return letters.join("").toUpperCase(); }
}

/* The conversation as a file the visitor keeps: plain text or a small HTML page, written from
   what the widget already shows (nothing is asked of the server). Pure, tested in
   tests/js/transcript.test.mjs; the caller brings the localized labels and formatters. */

/**
 * Rows of the transcript from messages in order ({author, text, at: Date, who}):
 * [{day (set on the first message of each day), time, who, text}].
 */
export function transcriptRows(messages, { formatDay, formatTime }) {
  let lastDay = "";
  return messages.map((message) => {
    const day = formatDay(message.at);
    const row = { day: day !== lastDay ? day : "", time: formatTime(message.at), who: message.who, text: message.text };
    lastDay = day;
    return row;
  });
}

/** The transcript as text: a title, when it was saved, then each day and its messages. */
export function transcriptText({ title, saved, rows }) {
  const lines = [title, saved, ""];
  rows.forEach((row) => {
    if (row.day) lines.push("", "— " + row.day + " —", "");
    const [first, ...more] = row.text.split("\n");
    lines.push(`[${row.time}] ${row.who}: ${first}`, ...more.map((line) => "    " + line));
  });
  return lines.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

const STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1a2e}"
  + "h2{font-size:1rem;margin:1.5rem 0 .5rem;color:#5d5b73}p{margin:.25rem 0;white-space:pre-wrap;overflow-wrap:anywhere}"
  + ".who{font-weight:650}.time{color:#5d5b73;font-size:.85rem}";

/** The transcript as a standalone HTML page; every text is escaped. */
export function transcriptHtml({ title, saved, rows, lang, dir }) {
  const body = rows.map((row) => (row.day ? `<h2>${escapeHtml(row.day)}</h2>\n` : "")
    + `<p><span class="time">${escapeHtml(row.time)}</span> <span class="who">${escapeHtml(row.who)}</span>: `
    + `<span dir="auto">${escapeHtml(row.text)}</span></p>`).join("\n");
  return `<!DOCTYPE html>\n<html lang="${escapeHtml(lang)}" dir="${escapeHtml(dir)}">\n<head>\n<meta charset="utf-8">\n`
    + `<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n`
    + `<p class="time">${escapeHtml(saved)}</p>\n${body}\n</body>\n</html>\n`;
}

/** A file name with the day it was saved: clipai-chat-2026-03-05.txt. */
export function transcriptFileName(date, extension) {
  const pad = (n) => String(n).padStart(2, "0");
  return `clipai-chat-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.${extension}`;
}

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  escapeHtml, transcriptFileName, transcriptHtml, transcriptRows, transcriptText
} from "../../blueprints/chat/static/chat/transcript.js";

const formatters = {
  formatDay: (date) => new Intl.DateTimeFormat("de", { dateStyle: "long" }).format(date),
  formatTime: (date) => new Intl.DateTimeFormat("de", { hour: "numeric", minute: "2-digit" }).format(date)
};
const messages = [
  { who: "Sie", text: "Hallo", at: new Date(2026, 2, 4, 20, 8) },
  { who: "Anna", text: "Guten Morgen!\nWie geht's?", at: new Date(2026, 2, 5, 9, 7) },
  { who: "Sie", text: "<b>gut</b>", at: new Date(2026, 2, 5, 9, 9) }
];

test("rows carry the day once, localized", () => {
  const rows = transcriptRows(messages, formatters);
  assert.deepEqual(rows.map((row) => row.day), ["4. März 2026", "5. März 2026", ""]);
  assert.deepEqual(rows.map((row) => row.time), ["20:08", "9:07", "9:09"]);
});

test("the text file lists every message with its time and author", () => {
  const text = transcriptText({ title: "Support-Chat", saved: "Gespeichert", rows: transcriptRows(messages, formatters) });
  assert.equal(text, [
    "Support-Chat", "Gespeichert", "", "— 4. März 2026 —", "", "[20:08] Sie: Hallo", "",
    "— 5. März 2026 —", "", "[9:07] Anna: Guten Morgen!", "    Wie geht's?", "[9:09] Sie: <b>gut</b>", ""
  ].join("\n"));
});

test("the HTML page escapes every text and says its language", () => {
  const html = transcriptHtml({ title: "A & B", saved: "now", rows: transcriptRows(messages, formatters), lang: "de", dir: "ltr" });
  assert.match(html, /^<!DOCTYPE html>\n<html lang="de" dir="ltr">/);
  assert.match(html, /<title>A &amp; B<\/title>/);
  assert.match(html, /&lt;b&gt;gut&lt;\/b&gt;/);
  assert.doesNotMatch(html, /<b>gut/);
  assert.equal(escapeHtml(`"'`), "&quot;&#39;");
});

test("file names carry the local date", () => {
  assert.equal(transcriptFileName(new Date(2026, 0, 9, 23, 30), "txt"), "clipai-chat-2026-01-09.txt");
});

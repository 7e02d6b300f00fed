import assert from "node:assert/strict";
import { test } from "node:test";

import {
  datetimeAttribute, formatDate, formatDuration, formatList, formatNumber, formatSeconds, formatWait, formatWhen,
  languageName, visibleLength
} from "../../clipai/static/js/format.js";

test("numbers in the page's locale", () => {
  assert.equal(formatNumber("en", 2000), "2,000");
  assert.equal(formatNumber("de", 2000), "2.000");
  assert.equal(formatNumber("ar-EG", 5), "٥");
  assert.equal(formatNumber("not a locale!", 7), "7");
});

test("a wait as m:ss, in the locale's digits", () => {
  assert.equal(formatWait("en", 65), "1:05");
  assert.equal(formatWait("en", 4.2), "0:05");
  assert.equal(formatWait("en", -3), "0:00");
  assert.equal(formatWait("en", 600), "10:00");
});

test("seconds spelled out", () => {
  assert.equal(formatSeconds("en", 5), "5 seconds");
  assert.equal(formatSeconds("de", 1), "1 Sekunde");
});

test("dates in full", () => {
  assert.equal(formatDate("en", new Date("2026-03-05T12:00:00Z")), "March 5, 2026");
});

test("today's messages show the time alone, older ones the day too", () => {
  const now = new Date(2026, 2, 5, 18, 0);
  const today = new Date(2026, 2, 5, 9, 7).toISOString();
  const before = new Date(2026, 2, 1, 9, 7).toISOString();
  assert.match(formatWhen("en", today, now), /^9:07\sAM$/);
  assert.match(formatWhen("en", before, now), /^Mar 1, 9:07/);
  assert.equal(formatWhen("en", "not a date", now), "");
});

test("<time datetime> gets millisecond precision", () => {
  assert.equal(datetimeAttribute("2026-03-05T12:00:00.123456+00:00"), "2026-03-05T12:00:00.123Z");
  assert.equal(datetimeAttribute("garbage"), "");
});

test("language names are labels in the page's language", () => {
  assert.equal(languageName("en", "ru"), "Russian");
  assert.equal(languageName("fr", "de"), "Allemand");
  assert.equal(languageName("en", ""), "?");
});

test("length counts code points after NFC, like the server", () => {
  assert.equal(visibleLength("e\u0301"), 1);
  assert.equal(visibleLength("😀"), 1);
});

test("a report's duration in seconds, minutes or hours", () => {
  assert.equal(formatDuration("en", 45), "45 sec");
  assert.equal(formatDuration("en", 90), "1.5 min");
  assert.equal(formatDuration("en", 5400), "1.5 hr");
  assert.equal(formatDuration("de", 150), "2,5 Min.");
});

test("lists as the locale writes them", () => {
  assert.equal(formatList("en", ["German", "Russian", "French"]), "German, Russian, and French");
  assert.equal(formatList("de", ["Deutsch", "Russisch"]), "Deutsch und Russisch");
  assert.equal(formatList("ar", ["الألمانية", "الروسية"]), "الألمانية والروسية");
  assert.equal(formatList("not a locale!", ["a", "b"]), "a, b");
});

import assert from "node:assert/strict";
import { test } from "node:test";

import { initials, layoutThread, relativeDay } from "../../blueprints/chat/static/chat/grouping.js";

const at = (day, hour, minute) => new Date(2026, 2, day, hour, minute);

test("today, yesterday, and any other day for the caller to spell", () => {
  const now = at(5, 9, 0);
  assert.equal(relativeDay(at(5, 0, 1), now), "today");
  assert.equal(relativeDay(at(4, 23, 59), now), "yesterday");
  assert.equal(relativeDay(at(3, 12, 0), now), null);
  assert.equal(relativeDay(new Date(2026, 0, 31, 8), new Date(2026, 1, 1, 8)), "yesterday");
});

test("consecutive messages of one author within five minutes form a group", () => {
  const layout = layoutThread([
    { author: "visitor", at: at(5, 9, 0) },
    { author: "visitor", at: at(5, 9, 4) },
    { author: "operator", alias: "Anna", at: at(5, 9, 5) },
    { author: "operator", alias: "Anna", at: at(5, 9, 6) },
    { author: "operator", alias: "Boris", at: at(5, 9, 6) },
    { author: "operator", alias: "Boris", at: at(5, 9, 20) }
  ]);
  assert.deepEqual(layout.map((item) => [item.first, item.last]), [
    [true, false], [false, true], [true, false], [false, true], [true, true], [true, true]
  ]);
});

test("a new day starts a separator and a new group", () => {
  const layout = layoutThread([
    { author: "visitor", at: at(4, 23, 58) },
    { author: "visitor", at: at(5, 0, 1) },
    { author: "visitor", at: at(5, 0, 2) }
  ]);
  assert.deepEqual(layout.map((item) => item.newDay), [true, true, false]);
  assert.deepEqual(layout.map((item) => item.first), [true, true, false]);
});

test("system messages stand alone", () => {
  const layout = layoutThread([{ author: "system", at: at(5, 9, 0) }, { author: "system", at: at(5, 9, 0) }]);
  assert.deepEqual(layout.map((item) => [item.first, item.last]), [[true, true], [true, true]]);
});

test("initials of an alias, in any script", () => {
  assert.equal(initials("Anna Petrova", "en"), "AP");
  assert.equal(initials("anna", "en"), "A");
  assert.equal(initials("  jean-luc  picard ", "fr"), "JL");
  assert.equal(initials("سارة", "ar"), "س");
  assert.equal(initials("Ирина Ким", "ru"), "ИК");
  assert.equal(initials("", "en"), "");
  assert.equal(initials("😀 Zoe", "en"), "Z");
});

import assert from "node:assert/strict";
import { test } from "node:test";

import { fill, translator } from "../../clipai/static/js/i18n.js";

const t = translator({
  operator_typing: "%(name)s is typing…",
  counter: "%(count)s of %(max)s",
  unchanged: "%(num)d unchanged",
  empty: ""
});

test("placeholders are filled by name", () => {
  assert.equal(t("operator_typing", { name: "Anna" }), "Anna is typing…");
  assert.equal(t("counter", { count: "1,600", max: "2,000" }), "1,600 of 2,000");
  assert.equal(t("unchanged", { num: 3 }), "3 unchanged");
});

test("unknown placeholders stay as written and values are never HTML", () => {
  assert.equal(t("operator_typing", {}), "%(name)s is typing…");
  assert.equal(t("operator_typing", { name: "<b>x</b>" }), "<b>x</b> is typing…");
  assert.equal(fill("%(a)s %(a)s", { a: 0 }), "0 0");
});

test("a missing or empty string falls back to its key", () => {
  assert.equal(t("no_such_key"), "no_such_key");
  assert.equal(t("empty"), "empty");
  assert.equal(t.has("empty"), false);
  assert.equal(t.has("counter"), true);
  assert.equal(t.has("toString"), false);
});

test("strings without values come back unchanged", () => {
  assert.equal(t("operator_typing"), "%(name)s is typing…");
});

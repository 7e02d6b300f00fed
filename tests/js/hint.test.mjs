import assert from "node:assert/strict";
import { test } from "node:test";

import { personalKinds } from "../../blueprints/chat/static/chat/hint.js";

test("every kind found is named, not only the first", () => {
  assert.deepEqual(personalKinds("mail jane@example.com or call +49 30 12345678"), ["email", "phone"]);
  assert.deepEqual(personalKinds("call +49 30 12345678"), ["phone"]);
  assert.deepEqual(personalKinds("jane@example.com"), ["email"]);
  assert.deepEqual(personalKinds("my export fails at 4K"), []);
});

test("the digits of an address are not a phone number", () => {
  assert.deepEqual(personalKinds("write to user1234567@example.com"), ["email"]);
});

test("read the way the server's guard reads", () => {
  assert.deepEqual(personalKinds("ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"), ["email"]);
  assert.deepEqual(personalKinds("رقمي ٠١٠٠١٢٣٤٥٦٧"), ["phone"]);
  assert.deepEqual(personalKinds("+4\u200b9 30 1234\u200b5678"), ["phone"]);
});

import assert from "node:assert/strict";
import { test } from "node:test";

import { UnreadCounts, badgeText } from "../../clipai/static/js/unread.js";

test("counts are the server's, each replaced by the next summary", () => {
  const unread = new UnreadCounts();
  unread.set(1, 2);
  unread.set(2, 1);
  unread.set(1, 3);
  assert.equal(unread.of(1), 3);
  assert.equal(unread.of(2), 1);
  assert.equal(unread.of(3), 0);
  assert.equal(unread.total(), 4);
});

test("reading and forgetting a conversation", () => {
  const unread = new UnreadCounts();
  unread.set(1, 5);
  unread.set(2, 1);
  unread.markRead(1);
  assert.equal(unread.of(1), 0);
  unread.forget(2);
  assert.equal(unread.total(), 0);
  unread.set(3, 1);
  unread.clear();
  assert.equal(unread.total(), 0);
});

test("the total over some conversations (a tab)", () => {
  const unread = new UnreadCounts();
  unread.set(1, 2);
  unread.set(2, 3);
  unread.set(3, 4);
  assert.equal(unread.total([1, 3, 9]), 6);
  assert.equal(unread.total([]), 0);
});

test("the badge says 9+ from ten on", () => {
  assert.equal(badgeText(0), "0");
  assert.equal(badgeText(9), "9");
  assert.equal(badgeText(10), "9+");
});

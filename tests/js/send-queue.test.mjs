import assert from "node:assert/strict";
import { test } from "node:test";

import { SendQueue } from "../../clipai/static/js/send-queue.js";
import { fakeClock } from "./fake-timers.mjs";

/** A queue whose sends are recorded; answer them with sent[i].done(err, ack). */
function makeQueue({ connected = true } = {}) {
  const clock = fakeClock();
  const sent = [];
  const events = [];
  const link = { connected };
  const queue = new SendQueue({
    send: (item, done) => sent.push({ item, done }),
    isConnected: () => link.connected,
    on: {
      sending: (item) => events.push(["sending", item.client_msg_id]),
      queued: (item) => events.push(["queued", item.client_msg_id]),
      stored: (item, ack) => { queue.remove(item); events.push(["stored", item.client_msg_id, ack.message.id]); },
      refused: (item, error) => { queue.remove(item); events.push(["refused", item.client_msg_id, error.code]); }
    },
    now: clock.now,
    timers: clock.timers
  });
  return { queue, sent, events, link, clock };
}

const item = (id) => ({ client_msg_id: id, text: "text " + id });

test("sends one message at a time, in order", () => {
  const { queue, sent } = makeQueue();
  queue.push(item("a"));
  queue.push(item("b"));
  queue.flush();
  queue.flush();
  assert.deepEqual(sent.map((s) => s.item.client_msg_id), ["a"]);
  sent[0].done(null, { ok: true, message: { id: 1 } });
  assert.deepEqual(sent.map((s) => s.item.client_msg_id), ["a", "b"]);
});

test("waits for the connection", () => {
  const { queue, sent, link } = makeQueue({ connected: false });
  queue.push(item("a"));
  queue.flush();
  assert.equal(sent.length, 0);
  link.connected = true;
  queue.flush();
  assert.equal(sent.length, 1);
});

test("resends with the same client_msg_id after a disconnect, until acked", () => {
  const { queue, sent, events, link } = makeQueue();
  queue.push(item("a"));
  queue.flush();
  link.connected = false;
  queue.abandon();
  sent[0].done(null, { ok: true, message: { id: 7 } });  // a late answer to the abandoned send
  assert.equal(queue.length, 1);
  assert.deepEqual(events.at(-1), ["queued", "a"]);
  link.connected = true;
  queue.flush();
  assert.equal(sent.length, 2);
  assert.equal(sent[1].item.client_msg_id, "a");
  sent[1].done(null, { ok: true, message: { id: 7 } });
  assert.deepEqual(events.at(-1), ["stored", "a", 7]);
  assert.equal(queue.length, 0);
});

test("retries after silence, keeping the message queued", () => {
  const { queue, sent, events, clock } = makeQueue();
  queue.push(item("a"));
  queue.flush();
  sent[0].done(new Error("timeout"));
  assert.deepEqual(events.at(-1), ["queued", "a"]);
  clock.advance(1999);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.equal(sent.length, 2);
});

test("a block (rate limit) holds sending until it ends", () => {
  const { queue, sent, clock } = makeQueue();
  queue.blockFor(5000);
  assert.equal(queue.secondsBlocked(), 5);
  queue.push(item("a"));
  queue.flush();
  assert.equal(sent.length, 0);
  clock.advance(5000);
  assert.equal(sent.length, 1);
  assert.ok(queue.secondsBlocked() <= 0);
});

test("a refusal goes to the refused handler and the next message follows", () => {
  const { queue, sent, events } = makeQueue();
  queue.push(item("a"));
  queue.push(item("b"));
  queue.flush();
  sent[0].done(null, { ok: false, error: { code: "too_long" } });
  assert.deepEqual(events.find((e) => e[0] === "refused"), ["refused", "a", "too_long"]);
  assert.equal(sent[1].item.client_msg_id, "b");
});

test("settle drops messages the server already stored, but not the one in flight", () => {
  const { queue } = makeQueue();
  queue.push(item("a"));
  queue.push(item("b"));
  queue.flush();  // "a" is in flight
  assert.deepEqual(queue.settle("a").map((i) => i.client_msg_id), ["a"]);
  assert.equal(queue.length, 2);
  assert.deepEqual(queue.settle("b").map((i) => i.client_msg_id), ["b"]);
  assert.equal(queue.length, 1);
  assert.deepEqual(queue.settle(undefined), []);
});

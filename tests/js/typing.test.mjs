import assert from "node:assert/strict";
import { test } from "node:test";

import { TypingIndicator, TypingSignal } from "../../clipai/static/js/typing.js";
import { fakeClock } from "./fake-timers.mjs";

function makeSignal(canSend = () => true) {
  const clock = fakeClock();
  const emitted = [];
  const signal = new TypingSignal({ emit: (active) => emitted.push(active), canSend, now: clock.now, timers: clock.timers });
  return { signal, emitted, clock };
}

test("keystrokes say 'typing' at most once every three seconds", () => {
  const { signal, emitted, clock } = makeSignal();
  signal.input();
  clock.advance(1000);
  signal.input();
  clock.advance(1000);
  signal.input();
  assert.deepEqual(emitted, [true]);
  clock.advance(1001);
  signal.input();
  assert.deepEqual(emitted, [true, true]);
});

test("four quiet seconds say 'stopped', once", () => {
  const { signal, emitted, clock } = makeSignal();
  signal.input();
  clock.advance(3999);
  assert.deepEqual(emitted, [true]);
  clock.advance(1);
  assert.deepEqual(emitted, [true, false]);
  signal.stop();
  assert.deepEqual(emitted, [true, false]);
});

test("nothing is said without anyone to tell", () => {
  const { signal, emitted, clock } = makeSignal(() => false);
  signal.input();
  clock.advance(5000);
  signal.stop();
  assert.deepEqual(emitted, []);
});

test("stop without typing says nothing", () => {
  const { signal, emitted } = makeSignal();
  signal.stop();
  assert.deepEqual(emitted, []);
});

test("the other side's indicator switches itself off after ten seconds", () => {
  const clock = fakeClock();
  const shown = [];
  const indicator = new TypingIndicator({ render: (active, who) => shown.push([active, who]), timers: clock.timers });
  indicator.show(true, "Anna");
  clock.advance(9999);
  assert.deepEqual(shown, [[true, "Anna"]]);
  clock.advance(1);
  assert.deepEqual(shown, [[true, "Anna"], [false, undefined]]);
});

test("a new 'typing' restarts the indicator's ten seconds", () => {
  const clock = fakeClock();
  const shown = [];
  const indicator = new TypingIndicator({ render: (active) => shown.push(active), timers: clock.timers });
  indicator.show(true);
  clock.advance(8000);
  indicator.show(true);
  clock.advance(8000);
  assert.deepEqual(shown, [true, true]);
  clock.advance(2000);
  assert.deepEqual(shown, [true, true, false]);
});

/* A clock and timers the tests move by hand, so throttles and retries need no real waiting. */
export function fakeClock(start = 1_000_000) {
  let now = start;
  let nextId = 1;
  const pending = new Map();  // id -> {at, fn}
  return {
    now: () => now,
    timers: {
      setTimeout(fn, ms) { const id = nextId++; pending.set(id, { at: now + ms, fn }); return id; },
      clearTimeout(id) { pending.delete(id); }
    },
    /** Move time forward, running each timer that falls due, in order. */
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    pendingCount: () => pending.size
  };
}

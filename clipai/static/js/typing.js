/* "Is typing" in both directions: our own signal, throttled so a keystroke does not become an
   event, and the other side's indicator, which switches itself off when the stop got lost. */

export const TYPING_REPEAT_MS = 3000;
export const TYPING_IDLE_MS = 4000;
export const REMOTE_TYPING_MAX_MS = 10000;

export class TypingSignal {
  /** emit(active) sends the event; canSend() says whether there is anyone to tell. */
  constructor({ emit, canSend, now = Date.now, timers = globalThis, repeatMs = TYPING_REPEAT_MS, idleMs = TYPING_IDLE_MS }) {
    Object.assign(this, { emit, canSend, now, timers, repeatMs, idleMs });
    this.sentAt = 0;
    this.idleTimer = null;
  }

  /** A keystroke: say "typing" at most once per repeatMs, and "stopped" after idleMs of quiet. */
  input() {
    if (!this.canSend()) return;
    const now = this.now();
    if (now - this.sentAt > this.repeatMs) {
      this.sentAt = now;
      this.emit(true);
    }
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = this.timers.setTimeout(() => this.stop(), this.idleMs);
  }

  /** Say "stopped", once, if "typing" was said. */
  stop() {
    this.timers.clearTimeout(this.idleTimer);
    if (!this.sentAt) return;
    this.sentAt = 0;
    if (this.canSend()) this.emit(false);
  }
}

export class TypingIndicator {
  /** render(active, detail) shows or hides the indicator. */
  constructor({ render, timers = globalThis, maxMs = REMOTE_TYPING_MAX_MS }) {
    Object.assign(this, { render, timers, maxMs });
    this.timer = null;
  }

  show(active, detail) {
    this.timers.clearTimeout(this.timer);
    this.render(active, detail);
    // A lost "stopped typing" signal must not leave the indicator on forever.
    if (active) this.timer = this.timers.setTimeout(() => this.show(false), this.maxMs);
  }
}

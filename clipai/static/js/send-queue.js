/* Outgoing chat messages, sent one at a time in order and resent until the server acknowledges
   them. Each carries its client_msg_id, so a resend after a lost ack or a reconnect finds the
   stored message instead of making a second one (DESIGN.md §5). Knows nothing of the DOM. */

const RETRY_AFTER_SILENCE_MS = 2000;

export class SendQueue {
  /**
   * send(item, done): emit item, then call done(err, ack) once.
   * isConnected(): whether sending can start now.
   * on: {sending(item), queued(item), stored(item, ack), refused(item, error)}.
   */
  constructor({ send, isConnected, on, now = Date.now, timers = globalThis, retryMs = RETRY_AFTER_SILENCE_MS }) {
    Object.assign(this, { send, isConnected, on, now, timers, retryMs });
    this.items = [];
    this.inFlight = false;
    this.attempt = 0;        // numbers each send, so a late answer to an abandoned one is ignored
    this.blockedUntil = 0;   // no sending before this instant (ms), after rate_limited or unavailable
    this.retryTimer = null;
  }

  get length() { return this.items.length; }

  push(item) {
    this.items.push(item);
  }

  /** Send the first item unless one is in flight, the socket is down or sending is blocked. */
  flush() {
    this.timers.clearTimeout(this.retryTimer);
    if (this.inFlight || !this.isConnected() || !this.items.length) return;
    const wait = this.blockedUntil - this.now();
    if (wait > 0) { this.retryTimer = this.timers.setTimeout(() => this.flush(), wait); return; }
    const item = this.items[0];
    const attempt = ++this.attempt;
    this.inFlight = true;
    this.on.sending(item);
    this.send(item, (err, ack) => this.answered(item, attempt, err, ack));
  }

  answered(item, attempt, err, ack) {
    if (attempt !== this.attempt) return;  // a disconnect already gave up on this one
    this.inFlight = false;
    if (err || !ack) {
      // No answer: keep it queued; the same client_msg_id makes a resend harmless.
      this.on.queued(item);
      this.retryTimer = this.timers.setTimeout(() => this.flush(), this.retryMs);
      return;
    }
    if (ack.ok) this.on.stored(item, ack); else this.on.refused(item, ack.error || {});
    this.flush();
  }

  /** The connection dropped: whatever was in flight is sent again after the reconnect. */
  abandon() {
    this.inFlight = false;
    this.attempt += 1;
    this.items.forEach((item) => this.on.queued(item));
  }

  blockFor(ms) {
    this.blockedUntil = this.now() + ms;
  }

  /** Seconds left before sending may resume (0 or less when it may). */
  secondsBlocked() {
    return (this.blockedUntil - this.now()) / 1000;
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
  }

  /**
   * Return the queued items the server already stored under clientMsgId (its ack was lost and
   * the reconnect delivered it). They leave the queue, except the one in flight, whose ack
   * still has to come back.
   */
  settle(clientMsgId) {
    if (!clientMsgId) return [];
    const matched = this.items.filter((item) => item.client_msg_id === clientMsgId);
    this.items = this.items.filter((item, index) =>
      item.client_msg_id !== clientMsgId || (index === 0 && this.inFlight));
    return matched;
  }
}

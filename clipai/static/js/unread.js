/* Unread counts on the client: the server counts (a summary's `unread`, from `list` results and
   `conversation` events); the page only shows them, and zero once it has read a conversation. */

export class UnreadCounts {
  constructor() {
    this.counts = new Map();
  }

  of(id) { return this.counts.get(id) || 0; }

  set(id, count) { this.counts.set(id, count); }

  markRead(id) { this.counts.set(id, 0); }

  forget(id) { this.counts.delete(id); }

  clear() { this.counts.clear(); }

  /** The sum over ids, or over everything when ids is omitted. */
  total(ids) {
    let sum = 0;
    if (ids) for (const id of ids) sum += this.of(id);
    else this.counts.forEach((count) => { sum += count; });
    return sum;
  }
}

/** The launcher badge: exact up to nine, then "9+". */
export function badgeText(count) {
  return count > 9 ? "9+" : String(count);
}

/* Unread counts on the client: what arrived while nobody was looking. The server's count is the
   starting point (the console's conversation list); live messages add to it until read. */

export class UnreadCounts {
  constructor() {
    this.counts = new Map();
  }

  of(id) { return this.counts.get(id) || 0; }

  set(id, count) { this.counts.set(id, count); }

  add(id, count = 1) { this.counts.set(id, this.of(id) + count); }

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

/* Web storage that never breaks the page: private modes and disabled storage throw, and the
   page then simply keeps its state in memory. */

function area(name) {
  return {
    get(key) {
      try { return window[name].getItem(key); } catch (e) { return null; }
    },
    set(key, value) {
      try { window[name].setItem(key, value); } catch (e) { /* memory only */ }
    },
    remove(key) {
      try { window[name].removeItem(key); } catch (e) { /* nothing stored */ }
    },
    /** Return the JSON value under key, or fallback when absent or unreadable. */
    load(key, fallback) {
      const raw = this.get(key);
      if (raw === null) return fallback;
      try { return JSON.parse(raw); } catch (e) { return fallback; }
    },
    save(key, value) {
      this.set(key, JSON.stringify(value));
    }
  };
}

export const session = area("sessionStorage");
export const local = area("localStorage");

/* JSON calls to the site's own API: no cookie travels (credentials omitted), nothing is cached,
   and a network failure answers status 0 instead of throwing. */

/** Resolve {status, body} for url; options: method, body (sent as JSON), token (bearer). */
export function api(url, options = {}) {
  const headers = { Accept: "application/json" };
  if (options.token) headers.Authorization = "Bearer " + options.token;
  const init = { method: options.method || "GET", headers, credentials: "omit", cache: "no-store" };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  return window.fetch(url, init).then((response) => response.text().then((text) => {
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    return { status: response.status, body };
  }), () => ({ status: 0, body: null }));
}

/** The server's localized error message, or fallback. */
export function apiError(result, fallback) {
  return (result.body && result.body.error && result.body.error.message) || fallback;
}

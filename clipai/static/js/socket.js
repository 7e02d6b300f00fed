/* The Socket.IO side every page shares: loading the vendored client (a classic script that
   defines the global `io`), acknowledged emits, and waiting for a connection. */

/** How long an acknowledgement may take before the emit counts as lost. */
export const ACK_TIMEOUT_MS = 15000;

let clientLoading = null;

/** Resolve the global `io`, loading the client from src on first use (and again after a failure). */
export function loadClient(src) {
  if (window.io) return Promise.resolve(window.io);
  if (clientLoading) return clientLoading;
  clientLoading = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => resolve(window.io);
    script.onerror = () => { clientLoading = null; reject(new Error("client")); };
    document.head.appendChild(script);
  });
  return clientLoading;
}

/** Resolve true once socket is connected (at once if it is), false on refusal or after the timeout. */
export function whenConnected(socket, timeoutMs = ACK_TIMEOUT_MS) {
  if (!socket) return Promise.resolve(false);
  if (socket.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onConnect = () => finish(true);
    const onRefused = (err) => { if (err && err.data && err.data.code === "unauthorized") finish(false); };
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(connected) {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onRefused);
      resolve(connected);
    }
    socket.once("connect", onConnect);
    socket.on("connect_error", onRefused);
  });
}

/** Resolve the ack of event, or {ok: false, error: {code: "timeout"}} when none came in time. */
export function emitWithAck(socket, event, payload, timeoutMs = ACK_TIMEOUT_MS) {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      resolve(err || !ack ? { ok: false, error: { code: "timeout" } } : ack);
    });
  });
}

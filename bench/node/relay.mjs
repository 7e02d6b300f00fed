// The bench's outside anchor: a bare Socket.IO relay on Node.js, the same namespaces as the bare
// Flask-SocketIO relay in bench/baseline_app.py, so the same load generator drives both.
//
//   HOST=127.0.0.1 PORT=5001 node bench/node/relay.mjs
//
// The bench passes the site's Engine.IO settings (clipai/config.py Defaults) in the environment:
// PING_INTERVAL and PING_TIMEOUT in seconds, MAX_HTTP_BUFFER_SIZE in bytes, as python-engineio
// takes them. Nothing is stored, nothing checked: this is what the transport alone costs on Node.
import { createServer } from "node:http";
import { Server } from "socket.io";

const OPERATORS_ROOM = "operators";
const env = process.env;
const seconds = (name, fallback) => Number(env[name] ?? fallback) * 1000;

const http = createServer((request, response) => {
  // Socket.IO answers its own path before this handler runs; everything else is the bench's probe.
  if (request.method === "GET" && request.url === "/healthz") {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ status: "ok" }));
    return;
  }
  response.writeHead(404).end();
});

const io = new Server(http, {
  pingInterval: seconds("PING_INTERVAL", 25),
  pingTimeout: seconds("PING_TIMEOUT", 20),
  maxHttpBufferSize: Number(env.MAX_HTTP_BUFFER_SIZE ?? 32 * 1024),
  transports: ["polling", "websocket"],
  serveClient: false,
  cookie: false,
});

const operators = io.of("/operator");
operators.on("connection", (socket) => socket.join(OPERATORS_ROOM));

// A visitor's message goes to every operator as it came, and the visitor is acked.
io.of("/visitor").on("connection", (socket) => {
  socket.on("message", (data, ack) => {
    operators.to(OPERATORS_ROOM).emit("message", data);
    if (typeof ack === "function") ack({ ok: true });
  });
});

io.of("/echo").on("connection", (socket) => {
  socket.on("message", (data, ack) => {
    if (typeof ack === "function") ack({ ok: true, message: data });
  });
});

// Held connections: joined, answered pings, nothing else.
io.of("/hold");

// The bench stops servers with SIGTERM: close the listener so the process exits promptly.
process.on("SIGTERM", () => io.close(() => process.exit(0)));

http.listen(Number(env.PORT ?? 5001), env.HOST ?? "127.0.0.1", () => {
  console.log(`bare Node.js Socket.IO relay on http://${env.HOST ?? "127.0.0.1"}:${env.PORT ?? 5001}`);
});

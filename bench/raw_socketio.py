"""A lean Socket.IO client for the load generators: raw Engine.IO 4 frames over an aiohttp WebSocket.

python-socketio's asyncio client decodes every frame into a packet object, starts a task for
every event and every ack, and keeps state per namespace. Driving 100 visitors and an operator,
it took 82-87 % of the generator's core at the bare relay's maximum (99-100 % against Node.js),
so that maximum was a floor (docs/benchmarks.md, change 46). This client writes and reads the text frames itself: a namespace
CONNECT, EVENT frames with an ack id, ACK frames matched to their callback, EVENT frames handed
to a plain function, pings answered. That is all the bench needs: no binary packets, no HTTP
long-polling, no reconnection.

Frames (Socket.IO 5 over Engine.IO 4): ``<engine.io type><socket.io type>[<namespace>,][<ack id>][<JSON>]``,
e.g. ``42/chat,7["message",{…}]`` (an event asking for ack 7) and ``43/chat,7[{…}]`` (its ack).
"""

import asyncio
import json

import aiohttp

CONNECT_TIMEOUT = 60
EIO_PATH = "/socket.io/?EIO=4&transport=websocket"


class Refused(Exception):
    """The server did not open the session or refused the namespace."""


class RawClient:
    """One connection to one namespace. ``on`` maps event names to ``handler(*args)``, called in
    the reading task; ``"disconnect"`` is called with a reason when the connection ends."""

    def __init__(self, ws, namespace: str, on: dict | None = None):
        self.ws, self.namespace = ws, namespace
        self.prefix = "" if namespace == "/" else f"{namespace},"
        self.handlers = dict(on or {})
        self.acks: dict[int, object] = {}
        self.next_ack = 0
        self.reader: asyncio.Task | None = None

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, url: str, namespace: str, auth=None,
                      on: dict | None = None) -> "RawClient":
        ws = await session.ws_connect(url.replace("http", "ws", 1) + EIO_PATH, autoping=True, max_msg_size=0)
        client = cls(ws, namespace, on)
        try:
            await asyncio.wait_for(client._join(auth), CONNECT_TIMEOUT)
        except BaseException:
            await ws.close()
            raise
        client.reader = asyncio.create_task(client._read())
        return client

    async def _join(self, auth) -> None:
        opening = await self.ws.receive_str()
        if not opening.startswith("0"):
            raise Refused(opening[:40])
        await self.ws.send_str("40" + self.prefix + json.dumps(auth or {}))
        while True:  # events the connect handler emits may come before the answer
            answer = await self.ws.receive_str()
            if answer.startswith("40" + self.prefix):
                return
            if answer.startswith("44" + self.prefix):
                raise Refused(answer[:80])
            if answer == "2":
                await self.ws.send_str("3")

    async def emit(self, event: str, data, callback=None) -> None:
        """Send ``event`` with ``data``; ``callback(*answer)`` runs when its ack arrives. An ack
        the connection ends before stays unanswered, and the bench counts it so."""
        head = "42" + self.prefix
        if callback is not None:
            head += str(self.next_ack)
            self.acks[self.next_ack] = callback
            self.next_ack += 1
        await self.ws.send_str(head + json.dumps([event, data], separators=(",", ":")))

    async def _read(self) -> None:
        reason = "transport close"
        try:
            async for frame in self.ws:
                if frame.type == aiohttp.WSMsgType.TEXT:
                    await self._receive(frame.data)
        except Exception as error:  # the bench counts what this leaves unanswered
            reason = f"transport error: {type(error).__name__}"
        finally:
            self._ended(reason)

    async def _receive(self, data: str) -> None:
        if data == "2":
            await self.ws.send_str("3")
        elif data.startswith(("42", "43")) and data[2:2 + len(self.prefix)] == self.prefix:
            body = data[2 + len(self.prefix):]
            start = 0
            while start < len(body) and body[start].isdigit():
                start += 1
            if data[1] == "3":
                callback = self.acks.pop(int(body[:start]), None)
                if callback is not None:
                    answer = json.loads(body[start:])
                    callback(*answer)
            elif self.handlers:
                payload = body[start:]  # ["name",…]: only the events asked for are decoded
                handler = self.handlers.get(payload[2:payload.find('"', 2)])
                if handler is not None:
                    handler(*json.loads(payload)[1:])
        elif data.startswith("41" + self.prefix) or data == "1":
            await self.ws.close()

    def _ended(self, reason: str) -> None:
        on_disconnect = self.handlers.get("disconnect")
        if on_disconnect is not None:
            on_disconnect(reason)

    async def disconnect(self) -> None:
        if not self.ws.closed:
            try:
                await self.ws.send_str("41" + self.prefix)
            finally:
                await self.ws.close()
        if self.reader is not None:
            await self.reader

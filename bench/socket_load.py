"""Socket.IO load generators: many asyncio clients in one process, in raw Engine.IO frames
(:mod:`bench.raw_socketio`), so the generator's core is not what limits the bare relay.

Run as ``python -m bench.socket_load SPEC_JSON`` on the generator core; the result is one JSON
line on stdout. Two scenarios:

- ``hold``: connect ``count`` clients to a namespace (they answer pings and read nothing else),
  print ``{"held": n, ...}``, keep them until a line arrives on stdin, then exit (the kernel
  closes every socket at once);
- ``relay``: visitors send ``message`` events at fixed offered rates to a server while one
  operator listens (on ``operator_url``, another process of the site, when given); every ack and
  every delivery is timed and matched by ``client_msg_id``, so lost and duplicated messages are
  counted. A closed-loop run finds the maximum sustained rate.
"""

import asyncio
import gc
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from bench.raw_socketio import RawClient
from bench.servers import cpu_seconds

ACK_TIMEOUT = 30
OVERLOAD = 1.5  # offered rates above this multiple of the measured maximum are not run


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))


# --- hold ----------------------------------------------------------------------------------


async def hold(spec: dict) -> None:
    session = new_session()
    gate = asyncio.Semaphore(spec.get("concurrency", 100))
    clients, failures = [], Counter()

    async def one():
        async with gate:
            try:
                # No handlers: a held visitor answers pings and reads nothing else, so a broadcast
                # to thousands of them costs the generator core (shared with the measurements) little.
                clients.append(await RawClient.connect(session, spec["url"], spec["namespace"], spec.get("auth")))
            except Exception as error:  # counted and reported; the bench goes on
                failures[type(error).__name__] += 1

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(spec["count"])))
    report = {"held": len(clients), "failed": sum(failures.values()), "failures": dict(failures),
              "seconds": round(time.perf_counter() - started, 2)}
    # Thousands of clients are long-lived objects: out of full collections, which would otherwise
    # take this core (shared with the measuring generator) for a few hundred milliseconds at a time.
    gc.collect()
    gc.freeze()
    print(json.dumps(report), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


# --- relay ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """Every message of one run: when it was sent, acked and delivered."""

    sent_at: dict = field(default_factory=dict)
    ack_ms: list = field(default_factory=list)
    delivery_ms: list = field(default_factory=list)
    acked: set = field(default_factory=set)
    failed: Counter = field(default_factory=Counter)
    deliveries: Counter = field(default_factory=Counter)
    delivered_at: list = field(default_factory=list)

    def on_ack(self, client_msg_id: str, answer) -> None:
        now = time.perf_counter()
        if isinstance(answer, dict) and answer.get("ok"):
            self.acked.add(client_msg_id)
            self.ack_ms.append((now - self.sent_at[client_msg_id]) * 1000)
        else:
            code = (answer or {}).get("error", {}).get("code", "?") if isinstance(answer, dict) else "?"
            self.failed[code] += 1

    def on_delivery(self, client_msg_id: str) -> None:
        sent = self.sent_at.get(client_msg_id)
        if sent is None:
            return
        now = time.perf_counter()
        self.deliveries[client_msg_id] += 1
        if self.deliveries[client_msg_id] == 1:
            self.delivery_ms.append((now - sent) * 1000)
            self.delivered_at.append(now)

    def settled(self) -> bool:
        answered = len(self.acked) + sum(self.failed.values())
        return answered >= len(self.sent_at) and all(self.deliveries[i] for i in self.acked)

    def slow_deliveries(self, over_ms: float = 50.0, limit: int = 40) -> list:
        """``[seconds after the first send, milliseconds]`` of the slowest deliveries over ``over_ms``:
        when in the run the stalls came, to tell a start-up burst from periodic work."""
        if not self.sent_at:
            return []
        first = min(self.sent_at.values())
        slow = [(self.delivered_at[i] - ms / 1000 - first, ms) for i, ms in enumerate(self.delivery_ms) if ms > over_ms]
        return [[round(at, 3), round(ms, 1)] for at, ms in sorted(slow, key=lambda item: -item[1])[:limit]]

    def summary(self, wanted_delivery: bool) -> dict:
        lost = [i for i in self.acked if not self.deliveries[i]] if wanted_delivery else []
        return {
            "sent": len(self.sent_at),
            "acked": len(self.acked),
            "failed": dict(self.failed),
            "unanswered": len(self.sent_at) - len(self.acked) - sum(self.failed.values()),
            "delivered": sum(1 for i in self.deliveries if self.deliveries[i]),
            "lost": len(lost),
            "duplicated": sum(count - 1 for count in self.deliveries.values() if count > 1),
            "ack_p50_ms": percentile(self.ack_ms, 0.50),
            "ack_p99_ms": percentile(self.ack_ms, 0.99),
            "delivery_p50_ms": percentile(self.delivery_ms, 0.50),
            "delivery_p99_ms": percentile(self.delivery_ms, 0.99),
            "delivery_max_ms": max(self.delivery_ms, default=None),
            "slow_deliveries": self.slow_deliveries(),
            "acked_ids": sorted(self.acked),
        }


class Relay:
    """Visitors on ``visitor_ns`` and, when given, one operator on ``operator_ns``."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.tally = Tally()
        self.sequence = 0
        self.visitors: list[RawClient] = []
        self.operator = None
        self.colleague = None
        self.operator_disconnects: list[str] = []

    async def open(self):
        self.session = new_session()
        spec = self.spec
        if spec.get("operator_ns"):
            self.operator = await RawClient.connect(self.session, self.operator_url, spec["operator_ns"],
                                                    spec.get("operator_auth"),
                                                    on={"message": self._delivered, "disconnect": self._operator_left})
        gate = asyncio.Semaphore(50)

        async def visitor():
            async with gate:
                return await RawClient.connect(self.session, spec["url"], spec["visitor_ns"])

        self.visitors = await asyncio.gather(*(visitor() for _ in range(spec["visitors"])))

    @property
    def operator_url(self) -> str:
        """Where the operator and the colleague connect: ``operator_url`` (another process of the
        site, to measure scale-out) or the visitors' ``url``."""
        return self.spec.get("operator_url") or self.spec["url"]

    def _operator_left(self, reason=None):
        # Deliveries stop here: "lost" after this is the operator's connection, not the server's store.
        self.operator_disconnects.append(str(reason))

    def _delivered(self, payload):
        if isinstance(payload, dict) and payload.get("client_msg_id"):
            self.tally.on_delivery(payload["client_msg_id"])

    async def send(self, visitor: RawClient, tally: Tally, done: asyncio.Future | None = None):
        self.sequence += 1
        client_msg_id = f"{self.spec['prefix']}-{self.sequence}"

        def acked(answer=None):
            tally.on_ack(client_msg_id, answer)
            if done is not None and not done.done():
                done.set_result(None)

        tally.sent_at[client_msg_id] = time.perf_counter()
        try:
            await visitor.emit("message", {"text": f"bench message {self.sequence}", "client_msg_id": client_msg_id},
                               callback=acked)
        except (ConnectionError, aiohttp.ClientError):  # the server dropped this visitor: counted, not fatal
            acked({"ok": False, "error": {"code": "disconnected"}})

    async def settle(self, tally: Tally, seconds: float):
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and not tally.settled():
            await asyncio.sleep(0.02)

    async def join_colleague(self, after: float) -> float:
        """After ``after`` seconds a second operator comes online: every visitor is sent ``status``."""
        await asyncio.sleep(after)
        joined = time.perf_counter()
        self.colleague = await RawClient.connect(self.session, self.operator_url, self.spec["operator_ns"],
                                                 self.spec["colleague_auth"])
        return round(time.perf_counter() - joined, 3)

    async def offered(self, rate: float, seconds: float, join_after: float | None = None) -> dict:
        """Send ``rate`` messages a second, spread over the visitors, whatever the answers; with
        ``join_after``, a colleague of the operator comes online that many seconds in."""
        self.tally = tally = Tally()
        total, index = int(rate * seconds), 0
        joining = asyncio.create_task(self.join_colleague(join_after)) if join_after is not None else None
        cpu, started = time.process_time(), time.perf_counter()
        while index < total:
            due = min(total, int((time.perf_counter() - started) * rate) + 1)
            while index < due:
                await self.send(self.visitors[index % len(self.visitors)], tally)
                index += 1
            await asyncio.sleep(0.001)
        send_seconds = time.perf_counter() - started
        await self.settle(tally, self.spec.get("drain", 20))
        result = tally.summary(bool(self.operator))
        if joining is not None:
            result.update(joined_after=join_after, join_seconds=await joining)
        result.update(operator_disconnects=list(self.operator_disconnects), offered=rate, achieved=round(total / send_seconds, 1),
                      generator_cpu=round((time.process_time() - cpu) / (time.perf_counter() - started), 2))
        return result

    async def saturate(self, seconds: float, window: int) -> dict:
        """Closed loop: each visitor keeps ``window`` messages in flight; count what gets through.

        With ``server_pid`` in the spec, the server's CPU seconds from the first send until every
        message is answered are reported too (``server_cpu_seconds``), and the share of its core it
        used while the loop ran (``server_cpu``): below 1, the generator was the limit.
        """
        self.tally = tally = Tally()
        server_pid = self.spec.get("server_pid")
        server_cpu = cpu_seconds(server_pid) if server_pid else None
        cpu, started = time.process_time(), time.perf_counter()
        end = started + seconds
        loop = asyncio.get_running_loop()

        async def pump(visitor):
            while time.perf_counter() < end:
                done = loop.create_future()
                await self.send(visitor, tally, done)
                try:
                    await asyncio.wait_for(done, ACK_TIMEOUT)
                except asyncio.TimeoutError:
                    return

        await asyncio.gather(*(pump(v) for v in self.visitors for _ in range(window)))
        elapsed = time.perf_counter() - started
        cpu_share = (time.process_time() - cpu) / elapsed
        server_share = (cpu_seconds(server_pid) - server_cpu) / elapsed if server_pid else None
        # Only what was acked (and delivered) inside the window counts as sustained.
        delivered_in_window = sum(1 for at in tally.delivered_at if at <= end)
        acked_in_window = len(tally.ack_ms)
        await self.settle(tally, self.spec.get("drain", 20))
        result = tally.summary(bool(self.operator))
        result.update(operator_disconnects=list(self.operator_disconnects))
        rate = (delivered_in_window if self.operator else acked_in_window) / seconds
        result.update(sustained=round(rate, 1), generator_cpu=round(cpu_share, 2))
        if server_pid:  # until everything is answered: what a server too fast for this generator spent
            result.update(server_cpu_seconds=round(cpu_seconds(server_pid) - server_cpu, 3),
                          server_cpu=round(server_share, 2))
        return result

    async def close(self):
        for client in [*self.visitors, self.operator, self.colleague]:
            if client is not None:
                try:
                    await asyncio.wait_for(client.disconnect(), 5)
                except Exception:
                    pass
        await self.session.close()


def mark_phase(spec: dict, phase: str) -> None:
    """With ``mark_phases``, say on stdout when the fixed-rate runs start and end, so the caller
    can read the servers' CPU time around them only (not the connecting and the warm-up)."""
    if spec.get("mark_phases"):
        print(json.dumps({"phase": phase}), flush=True)


async def relay(spec: dict) -> None:
    run = Relay(spec)
    await run.open()
    if spec.get("first_message"):  # the site: each visitor's first message starts its conversation
        run.tally = tally = Tally()  # deliveries are counted on run.tally
        await asyncio.gather(*(run.send(v, tally) for v in run.visitors))
        await run.settle(tally, 30)
    await run.offered(spec.get("warmup_rate", 200), spec.get("warmup_seconds", 1))
    results = {"runs": [], "saturation": None}
    if spec.get("saturate_seconds"):  # first: a closed loop leaves no backlog behind for the next run
        results["saturation"] = await run.saturate(spec["saturate_seconds"], spec.get("window", 2))
    ceiling = results["saturation"]["sustained"] if results["saturation"] else None
    mark_phase(spec, "measuring")
    for rate in spec.get("rates", []):
        if spec.get("skip_overload") and ceiling is not None and rate > OVERLOAD * ceiling:
            # Far past what the server sustains, a fixed rate only builds a backlog of many seconds
            # (and starves the pings until connections drop): report it as saturated instead.
            results["runs"].append({"offered": rate, "skipped": True, "ceiling": ceiling})
            continue
        results["runs"].append(await run.offered(rate, spec["seconds"], spec.get("join_after")))
    mark_phase(spec, "measured")
    await run.close()
    print(json.dumps(results), flush=True)


def main():
    spec = json.loads(sys.argv[1])
    scenario = {"hold": hold, "relay": relay}[spec["scenario"]]
    asyncio.run(scenario(spec))


if __name__ == "__main__":
    main()

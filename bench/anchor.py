"""The outside anchor: the durable relay against a bare Node.js Socket.IO relay on the same core.

The other rows compare the site with bare Flask-SocketIO, which shares python-socketio's costs
with it; a bare relay on Node's socket.io (``bench/node/``, version pinned in its own lock) says
what the same protocol costs elsewhere. Site, bare and Node.js runs alternate, ``--pairs`` rounds,
with the same closed-loop generator and the same namespaces, and each one's median is reported.

This generator cannot saturate Node's relay (it runs out of its own core first), so a
closed-loop maximum would measure the generator. Each run therefore also records the server's
CPU time until every message was answered, and the row compares messages delivered per server
CPU-second: one core's capacity. For a saturated server it equals the closed-loop maximum.
"""

import statistics

from bench import servers, socket_runs

SIDES = ("site", "bare", "node")


def drop_if_unavailable(rows: set, say) -> None:
    """Skip the anchor, saying why, where Node.js or the relay's packages are missing."""
    if "anchor" in rows and not servers.node_available():
        say("Node.js or the anchor's packages are missing (`make bench` installs them with "
            "`npm ci --prefix bench/node`): skipping the anchor row")
        rows.discard("anchor")


def measure_anchor(site, bare, token, workdir, args, say) -> dict:
    """Closed-loop runs of the site, the bare relay and the Node.js relay, alternating."""
    runs: dict = {side: [] for side in SIDES}
    with servers.node_relay(workdir) as node:
        for _ in range(args.pairs):
            for server in (site, bare, node):
                runs[server.name].append(closed_loop(server, token, args))
    anchor = {side: summary(side_runs) for side, side_runs in runs.items()}
    anchor["socketio_version"] = servers.node_socketio_version()
    say("anchor: messages per server CPU-second: " + ", ".join(
        f"{side} {anchor[side]['per_cpu_second']:,.0f} (core {anchor[side]['server_cpu']:.0%})" for side in SIDES))
    return {"anchor": anchor}


def closed_loop(server, token, args) -> dict:
    """One closed-loop run, with the server's CPU time, reduced to what the row needs."""
    is_site = server.name == "site"
    spec = socket_runs.relay_spec(server, site=is_site, token=token if is_site else None, rates=[],
                                  seconds=args.seconds, saturate_seconds=args.seconds, visitors=args.relay_visitors)
    spec["server_pid"] = server.worker_pid
    run = socket_runs.drop_acked_ids(socket_runs.relay(server, spec))["saturation"]
    cpu = run["server_cpu_seconds"]
    return {
        "sustained": run["sustained"],
        "delivered": run["delivered"],
        "server_cpu_seconds": cpu,
        "per_cpu_second": round(run["delivered"] / cpu, 1) if cpu > 0 else None,
        "server_cpu": run["server_cpu"],
        "generator_cpu": run["generator_cpu"],
        "lost": run["lost"],
        "duplicated": run["duplicated"],
    }


def summary(runs: list[dict]) -> dict:
    """Medians of the rates; the losses added up; every run kept for the JSON file."""
    rates = [run["per_cpu_second"] for run in runs if run["per_cpu_second"]]
    return {
        "per_cpu_second": statistics.median(rates) if rates else None,
        "sustained": statistics.median(run["sustained"] for run in runs),
        "server_cpu": statistics.median(run["server_cpu"] for run in runs),
        "generator_cpu": max(run["generator_cpu"] for run in runs),
        "lost": sum(run["lost"] for run in runs),
        "duplicated": sum(run["duplicated"] for run in runs),
        "runs": runs,
    }

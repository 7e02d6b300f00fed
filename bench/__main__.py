"""``make bench``: measure the site against a bare baseline served the same way, print one table.

    python -m bench                      # both async modes, about 10 minutes on 2 cores
    python -m bench --quick              # a short smoke run (not written to docs/)
    python -m bench --modes gevent --visitors 5000 --seconds 3
"""

import argparse
import datetime
import json
import platform
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import anchor, report, scaleout, servers, socket_runs
from bench.http_load import fetch, run_wrk, wrk_available

RATES = (200, 1000, 3000)
ACK_RATE = 1000
COLLEAGUE_AFTER_SECONDS = 1.0  # into the held relay run: the broadcast falls inside what is measured
# In the held rows both servers have a full garbage collection due every few seconds: one that ran
# with 19,900 connections held would stop the server for 2.3-2.7 s (docs/benchmarks.md, change 47).
FULL_COLLECTION_DUE_SECONDS = 2
FILES_BESIDES_VISITORS = 100  # listener, database, log, thread-pool pipes of the server
DOCS = servers.PROJECT_ROOT / "docs" / "benchmarks.md"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run with small counts")
    parser.add_argument("--modes", default="eventlet,gevent", help="comma-separated async modes")
    parser.add_argument("--seconds", type=float, help="length of each load run (default 4, quick 1)")
    parser.add_argument("--visitors", type=int, help="held visitors per server (default 20000, quick 300)")
    parser.add_argument("--relay-visitors", type=int, help="visitor connections sending messages (default 100)")
    parser.add_argument("--rows", default="pages,relay,held,anchor,scaleout", help="which groups of rows to run")
    parser.add_argument("--rounds", type=int, help="alternating site/bare wrk rounds, best kept (default 2)")
    parser.add_argument("--pairs", type=int,
                        help="alternating site/bare closed-loop relay runs, medians reported (default 3, quick 1)")
    parser.add_argument("--no-held-relay", action="store_true", help="skip the relay run while visitors are held")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md even after --quick")
    parser.add_argument("--no-write", action="store_true", help="only print the table")
    parser.add_argument("--json", type=Path, help="also save the raw measurements here")
    args = parser.parse_args(argv)
    quick = args.quick
    args.seconds = args.seconds or (1.0 if quick else 4.0)
    args.visitors = args.visitors or (300 if quick else 20_000)
    args.relay_visitors = args.relay_visitors or (20 if quick else 100)
    args.rounds = args.rounds or (1 if quick else 2)
    args.pairs = args.pairs or (1 if quick else 3)
    args.rates = (200, ACK_RATE) if quick else RATES
    args.modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    args.rows = {row.strip() for row in args.rows.split(",")}
    args.write_docs = not args.no_write and (args.write or not quick)
    return args


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- rows ----------------------------------------------------------------------------------


def measure_pages(site, bare, args) -> dict:
    status, headers, body = fetch(site.url + "/privacy")
    etag = headers.get("ETag")
    if status != 200 or not etag:
        raise RuntimeError(f"/privacy answered {status} without an ETag")
    status_304, _, _ = fetch(site.url + "/privacy", {"If-None-Match": etag})
    targets = {
        "site": (site.url + "/privacy", {}),
        "bare": (bare.url + "/bare", {}),
        "conditional": (site.url + "/privacy", {"If-None-Match": etag}),
    }
    for url, headers in targets.values():
        run_wrk(url, 1, headers)  # warm-up
    best: dict = {}
    for _ in range(args.rounds):  # alternate, keep the best of each: noise only ever slows things down
        for name, (url, headers) in targets.items():
            result = run_wrk(url, args.seconds, headers)
            if name not in best or result.requests_per_second > best[name].requests_per_second:
                best[name] = result
    say(f"pages: site {best['site'].requests_per_second:.0f}/s, bare {best['bare'].requests_per_second:.0f}/s, "
        f"304 {best['conditional'].requests_per_second:.0f}/s")
    return {
        "body_bytes": len(body),
        "status_304": status_304,
        "pages": {"site": best["site"].as_dict(), "bare": best["bare"].as_dict()},
        "conditional": {"site": best["conditional"].as_dict(), "bare": best["bare"].as_dict()},
    }


def measure_relay(site, bare, token, database_path, args) -> dict:
    common = {"rates": args.rates, "seconds": args.seconds, "visitors": args.relay_visitors,
              "saturate_seconds": args.seconds}
    site_result = socket_runs.relay(site, socket_runs.relay_spec(site, site=True, token=token, **common))
    integrity = socket_runs.stored_check(database_path, site_result)
    bare_result = socket_runs.drop_acked_ids(
        socket_runs.relay(bare, socket_runs.relay_spec(bare, site=False, token=None, **common)))
    echo = socket_runs.drop_acked_ids(socket_runs.relay(bare, socket_runs.relay_spec(
        bare, site=False, token=None, echo=True, rates=[ACK_RATE], seconds=args.seconds, saturate_seconds=0,
        visitors=args.relay_visitors)))
    extra_site = more_saturation_pairs(site, bare, token, site_result, bare_result, args)
    for result in extra_site:
        more = socket_runs.stored_check(database_path, result)
        for key in ("acked", "not_stored", "stored_twice"):
            integrity[key] += more[key]
    runs = [*site_result["runs"], site_result["saturation"], *(result["saturation"] for result in extra_site)]
    bare_runs = [*bare_result["runs"], bare_result["saturation"]]
    integrity.update(
        lost=sum(run.get("lost", 0) for run in runs if run),
        duplicated=sum(run.get("duplicated", 0) for run in runs if run),
        bare_lost=sum(run.get("lost", 0) for run in bare_runs if run),
        bare_duplicated=sum(run.get("duplicated", 0) for run in bare_runs if run),
        operator_disconnects=max((len(run.get("operator_disconnects", [])) for run in runs if run), default=0),
    )
    site_ack = next(run for run in site_result["runs"] if run["offered"] == ACK_RATE)
    say(f"relay: site max {site_result['saturation']['sustained']:.0f}/s, "
        f"bare max {bare_result['saturation']['sustained']:.0f}/s; integrity {integrity}")
    return {"relay": {"site": site_result, "bare": bare_result},
            "ack": {"site": site_ack, "bare": echo["runs"][0]},
            "integrity": integrity}


def more_saturation_pairs(site, bare, token, site_result, bare_result, args) -> list[dict]:
    """Alternate further closed-loop runs of the site and the bare relay; report the medians.

    One run each moved the ratio by ±0.08 between full runs on a machine whose speed drifts; the
    median of alternating runs holds better. Returns the site's extra results (for the integrity check).
    """
    site_rates, bare_rates, extra_site = [], [], []
    for _ in range(args.pairs - 1):
        spec = dict(rates=[], seconds=args.seconds, saturate_seconds=args.seconds, visitors=args.relay_visitors)
        extra_site.append(socket_runs.relay(site, socket_runs.relay_spec(site, site=True, token=token, **spec)))
        site_rates.append(extra_site[-1]["saturation"]["sustained"])
        bare_rates.append(socket_runs.relay(bare, socket_runs.relay_spec(bare, site=False, token=None, **spec))
                          ["saturation"]["sustained"])
    for result, rates in ((site_result, site_rates), (bare_result, bare_rates)):
        rates.insert(0, result["saturation"]["sustained"])
        result["saturation"].update(sustained=statistics.median(rates), sustained_runs=rates)
    return extra_site


def measure_held(mode, database_url, body_bytes, token, workdir, args) -> dict:
    held = {}
    # One second into the site's run a second operator comes online, and every held visitor is
    # sent the new count (a broadcast to all of them, which used to stall every chat).
    colleague = {"token": servers.colleague_token(database_url), "after": COLLEAGUE_AFTER_SECONDS}
    due = {"GC_FULL_COLLECTION_INTERVAL_SECONDS": FULL_COLLECTION_DUE_SECONDS}
    held["full_collection_due_every"] = FULL_COLLECTION_DUE_SECONDS
    for name in ("site", "bare"):
        server = (servers.site(mode, database_url, workdir, due) if name == "site"
                  else servers.baseline(mode, workdir, body_bytes, due))
        namespace = "/chat" if name == "site" else "/hold"

        def relay_while_held(server=server, name=name):
            # With thousands of connections, full garbage collections show here (gc.freeze trap).
            spec = socket_runs.relay_spec(server, site=name == "site", token=token, rates=[200],
                                          seconds=args.seconds, saturate_seconds=0, visitors=20,
                                          colleague=colleague if name == "site" else None)
            return socket_runs.drop_acked_ids(socket_runs.relay(server, spec))["runs"][0]

        with server:
            held[name] = socket_runs.memory_per_connection(
                server, namespace, args.visitors, None if args.no_held_relay else relay_while_held)
        if "while_held" in held[name]:
            held.setdefault("relay", {})[name] = held[name].pop("while_held")
        say(f"held ({name}): {held[name]['held']:,} of {args.visitors:,} in {held[name]['seconds']}s, "
            f"{held[name]['kib_per_connection']} KiB each")
    return {"held": held}


def run_mode(mode: str, args, workdir: Path) -> dict:
    database_path = workdir / f"site-{mode}.sqlite3"
    database_url = f"sqlite:///{database_path}"
    token = servers.prepare_database(database_url)
    results: dict = {}
    site = servers.site(mode, database_url, workdir)
    with site:
        _, _, body = fetch(site.url + "/privacy")
        body_bytes = len(body)
        with servers.baseline(mode, workdir, body_bytes) as bare:
            if "pages" in args.rows:
                say(f"{mode}: pages")
                results.update(measure_pages(site, bare, args))
            if "relay" in args.rows:
                say(f"{mode}: relay and acks")
                results.update(measure_relay(site, bare, token, str(database_path), args))
            if "anchor" in args.rows:
                say(f"{mode}: the outside anchor (a bare Node.js relay)")
                results.update(anchor.measure_anchor(site, bare, token, workdir, args, say))
    if "held" in args.rows:
        say(f"{mode}: holding {args.visitors:,} visitors")
        results.update(measure_held(mode, database_url, body_bytes, token, workdir, args))
    if "scaleout" in args.rows:
        say(f"{mode}: scale-out, one process and two on Redis")
        results.update(scaleout.measure(mode, workdir, args, say))
    return results


def machine() -> dict:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "server_cpu": servers.SERVER_CPU, "generator_cpu": servers.GENERATOR_CPU, "pinned": servers.can_pin(),
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # A terminated bench still stops the servers and generators it started (``with`` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "pages" in args.rows and not wrk_available():
        say("wrk is not installed (apt-get install wrk): skipping the page rows")
        args.rows.discard("pages")
    anchor.drop_if_unavailable(args.rows, say)
    if "scaleout" in args.rows and (missing := scaleout.unavailable()):
        say(f"{missing}: skipping the scale-out rows")
        args.rows.discard("scaleout")
    limit = servers.raise_file_limit(args.visitors + FILES_BESIDES_VISITORS)
    if limit < args.visitors + FILES_BESIDES_VISITORS:
        # The hard limit needs CAP_SYS_RESOURCE to go up; the server's own files need the margin.
        held = max(100, limit - FILES_BESIDES_VISITORS)
        say(f"only {limit} open files per process allowed: holding {held} visitors instead of {args.visitors}")
        args.visitors_wanted, args.visitors = args.visitors, held
    started = time.monotonic()
    results = {}
    with tempfile.TemporaryDirectory(prefix="clipai-bench-") as workdir:
        for mode in args.modes:
            results[mode] = run_mode(mode, args, Path(workdir))
    meta = {**machine(), "settings": f"{args.seconds:g} s per load run, {args.visitors:,} held visitors, "
                                     f"{args.relay_visitors} sending visitors, total {time.monotonic() - started:.0f} s"}
    print(report.table(results))
    for note in report.generator_notes(results):
        print(f"note: {note}")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    if args.write_docs:
        report.write_docs(DOCS, results, meta)
        say(f"wrote {DOCS.relative_to(servers.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

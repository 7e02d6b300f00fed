"""Turn one run's measurements into the table, and write it into docs/benchmarks.md."""

import re
from pathlib import Path

BEGIN = "<!-- bench:begin (written by `make bench`; edit outside these markers) -->"
END = "<!-- bench:end -->"
SHARED_CORE_NOTE = 0.10  # share of the server core other processes took, past which a scale-out run says so
GENERATOR_LIMIT = 0.8  # share of its core past which the load generator, not the server, may be the limit
DURABLE_RELAY_TARGET = 0.80  # of the bare relay's maximum (issue 20; it was 0.60 before)
DOC_HEADER = """# Benchmarks

`make bench` (`python -m bench`) serves the site and a bare Flask-SocketIO baseline
(`bench/baseline_app.py`) the same way, one process pinned to one core, and drives both from the
other core with `wrk` and python-socketio asyncio clients. Every row compares the site with the
baseline measured in the same run, so the ratio holds on a noisy machine.

"""


def _number(value, digits=0, unit="") -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:  # NaN
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _ratio(site, bare) -> float | None:
    if not site or not bare:
        return None
    return site / bare


def _latency(run: dict, kind: str) -> str:
    if run.get("skipped"):
        return f"saturated (max {run['ceiling']:,.0f} msg/s)"
    return (f"{_number(run[f'{kind}_p50_ms'], 1)} / {_number(run[f'{kind}_p99_ms'], 1)} ms"
            f"{_saturated(run) if kind == 'delivery' else ''}")


def _saturated(run: dict) -> str:
    """Mark a run whose offered rate the server could not keep up with (its latency is a backlog)."""
    behind = run.get("unanswered", 0) > 0 or (run.get("delivery_p99_ms") or 0) > 1000
    return " (saturated)" if behind else ""


def _within(value, bound) -> bool | None:
    """``value ≤ bound``, or no verdict when either is missing (a skipped or saturated run)."""
    return None if value is None or not bound else value <= bound


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**missed**")


def _floor_verdict(ratio: float | None, target: float, site_floor: bool, bare_floor: bool) -> str:
    """A site / bare ratio of maxima where either maximum may be a floor (the generator was the limit).

    A bare floor makes the ratio an upper bound: it can show a miss, never a pass; a site floor the
    other way round.
    """
    if ratio is None:
        return _verdict(None)
    if ratio >= target and bare_floor and not site_floor:
        return "not known: the bare number is a floor"
    if ratio < target and site_floor and not bare_floor:
        return "not known: the site number is a floor"
    if site_floor and bare_floor:
        return "not known: both numbers are floors"
    return _verdict(ratio >= target)


def _rows(mode: str, r: dict) -> list[tuple]:
    rows = []
    pages, cond = r.get("pages"), r.get("conditional")
    if pages:
        ratio = _ratio(pages["site"]["requests_per_second"], pages["bare"]["requests_per_second"])
        rows.append(("pages `/privacy` req/s", _number(pages["site"]["requests_per_second"]),
                     _number(pages["bare"]["requests_per_second"]), _number(ratio, 2), "≥ 0.90",
                     _verdict(ratio >= 0.9 if ratio else None)))
        rows.append(("pages p99", _number(pages["site"]["p99_ms"], 1, " ms"), _number(pages["bare"]["p99_ms"], 1, " ms"),
                     "", "", ""))
    if cond:
        ratio = _ratio(cond["site"]["requests_per_second"], cond["bare"]["requests_per_second"])
        rows.append(("conditional 304 req/s (p99)",
                     f"{_number(cond['site']['requests_per_second'])} ({_number(cond['site']['p99_ms'], 1, ' ms')})",
                     f"{_number(cond['bare']['requests_per_second'])} (bare 200)", _number(ratio, 2), "cheap", ""))
    held = r.get("held")
    if held:
        site, bare = held["site"], held["bare"]
        ratio = _ratio(site["kib_per_connection"], bare["kib_per_connection"])
        ok = ratio is not None and ratio <= 1.1 and site["held"] >= site["requested"]
        rows.append((f"held visitors (of {site['requested']:,})", f"{site['held']:,}", f"{bare['held']:,}", "",
                     f"all {site['requested']:,}", _verdict(site["held"] >= site["requested"])))
        rows.append(("held: KiB per connection", _number(site["kib_per_connection"], 1),
                     _number(bare["kib_per_connection"], 1), _number(ratio, 2), "≤ 1.10", _verdict(ok)))
        if held.get("relay"):
            s, b = held["relay"]["site"], held["relay"]["bare"]
            joined = ", a second operator coming online" if s.get("joined_after") is not None else ""
            joined += (f" and a full garbage collection due every {held['full_collection_due_every']:g} s"
                       if held.get("full_collection_due_every") else "")
            ok = (s["delivery_p99_ms"] is not None and b["delivery_p99_ms"] and s["delivery_max_ms"] is not None
                  and s["delivery_p99_ms"] <= min(30, 3 * b["delivery_p99_ms"]) and s["delivery_max_ms"] <= 150)
            rows.append((f"held: relay p99 / max at {s['offered']:,} msg/s with all held{joined}",
                         f"{_number(s['delivery_p99_ms'], 1)} / {_number(s.get('delivery_max_ms'), 1)} ms",
                         f"{_number(b['delivery_p99_ms'], 1)} / {_number(b.get('delivery_max_ms'), 1)} ms",
                         _number(_ratio(s["delivery_p99_ms"], b["delivery_p99_ms"]), 2),
                         "p99 ≤ 3 × bare and ≤ 30 ms, max ≤ 150 ms", _verdict(ok)))
    relay = r.get("relay")
    if relay:
        site, bare = relay["site"], relay["bare"]
        s_max = site["saturation"]["sustained"] if site.get("saturation") else None
        b_max = bare["saturation"]["sustained"] if bare.get("saturation") else None
        ratio = _ratio(s_max, b_max)
        pairs = len(site["saturation"].get("sustained_runs", [])) if site.get("saturation") else 0
        label = "durable relay: max sustained msg/s" + (f" (median of {pairs} alternating runs)" if pairs > 1 else "")
        floor = [name for name, run in (("site", site), ("bare", bare))
                 if (run.get("saturation") or {}).get("generator_cpu", 0) >= GENERATOR_LIMIT]
        rows.append((label, _number(s_max) + (" (floor)" if "site" in floor else ""),
                     _number(b_max) + (" (floor)" if "bare" in floor else ""), _number(ratio, 2), f"≥ {DURABLE_RELAY_TARGET:.2f}",
                     _floor_verdict(ratio, DURABLE_RELAY_TARGET, "site" in floor, "bare" in floor)))
        for s, b in zip(site["runs"], bare["runs"]):
            target, ok = "", None
            if s["offered"] == 1000:
                target, ok = "p99 ≤ 2 × bare", _within(s.get("delivery_p99_ms"), 2 * (b.get("delivery_p99_ms") or 0))
            rows.append((f"relay p50 / p99 at {s['offered']:,} msg/s", _latency(s, "delivery"), _latency(b, "delivery"),
                         "", target, _verdict(ok)))
    ack = r.get("ack")
    if ack:
        s, b = ack["site"], ack["bare"]
        rows.append((f"ack p50 / p99 at {s['offered']:,} msg/s", _latency(s, "ack"), _latency(b, "ack") + " (echo)",
                     "", "", ""))
    integrity = r.get("integrity")
    if integrity:
        bad = integrity["lost"] + integrity["duplicated"] + integrity["not_stored"] + integrity["stored_twice"]
        dropped = integrity.get("operator_disconnects", 0)
        rows.append(("lost / duplicated / not stored / stored twice",
                     f"{integrity['lost']} / {integrity['duplicated']} / {integrity['not_stored']} / "
                     f"{integrity['stored_twice']} of {integrity['acked']:,} acked"
                     + (f" (the operator's connection dropped {dropped}×)" if dropped else ""),
                     f"{integrity['bare_lost']} / {integrity['bare_duplicated']}", "", "0", _verdict(bad == 0)))
    if r.get("anchor"):
        rows += _anchor_rows(r["anchor"])
    rows += _scaleout_rows(r.get("scaleout"))
    return [(mode, *row) for row in rows]


def _anchor_rows(anchor: dict) -> list[tuple]:
    """The durable relay, then the bare Flask-SocketIO relay, as a fraction of a bare Node.js relay."""
    node = anchor["node"]
    versus = f"vs bare Node.js Socket.IO relay (socket.io {anchor['socketio_version']})"
    site_ratio = _ratio(anchor["site"]["per_cpu_second"], node["per_cpu_second"])
    return [
        (f"durable relay {versus}: msg per server CPU-second", _capacity(anchor["site"]), _capacity(node),
         _number(site_ratio, 2), "≥ 0.40", _verdict(site_ratio >= 0.4 if site_ratio else None)),
        (f"bare Flask-SocketIO relay (in the site column) {versus}", _capacity(anchor["bare"]), _capacity(node),
         _number(_ratio(anchor["bare"]["per_cpu_second"], node["per_cpu_second"]), 2), "", ""),
    ]


def _capacity(side: dict) -> str:
    """Messages per server CPU-second; the closed-loop maximum only where the server had its core full.

    Otherwise the generator (or another process on the machine) was the limit, and the shares say which.
    """
    if side["server_cpu"] >= GENERATOR_LIMIT:
        return f"{_number(side['per_cpu_second'])} (max {_number(side['sustained'])}/s)"
    return (f"{_number(side['per_cpu_second'])} (server {side['server_cpu']:.0%}, "
            f"generator {side['generator_cpu']:.0%} of a core)")


def _scaleout_rows(scaleout: dict | None) -> list[tuple]:
    """Two processes on Redis (in the site column) against one process (in the baseline's)."""
    if not scaleout:
        return []
    two, one = scaleout["two"], scaleout["one"]
    ratio = _ratio(two["server_cpu_ms_per_1000"], one["server_cpu_ms_per_1000"])
    runs = len(two["runs"])
    rows = [(f"scale-out: server CPU ms per 1,000 delivered (two processes on Redis / one)"
             f"{f', median of {runs} alternating runs' if runs > 1 else ''}",
             _number(two["server_cpu_ms_per_1000"]) + _shared_core(two),
             _number(one["server_cpu_ms_per_1000"]) + _shared_core(one),
             _number(ratio, 2), "≤ 1.30", _verdict(ratio <= 1.3 if ratio else None))]
    if two.get("redis_cpu_ms_per_1000") is not None:
        rows.append(("scale-out: Redis CPU ms per 1,000 delivered (information)",
                     _number(two["redis_cpu_ms_per_1000"]), _number(one["redis_cpu_ms_per_1000"]),
                     _number(_ratio(two["redis_cpu_ms_per_1000"], one["redis_cpu_ms_per_1000"]), 2), "", ""))
    rows.append(("scale-out: lost / duplicated / not stored / stored twice across processes",
                 _integrity_counts(scaleout["integrity"]["two"]), _integrity_counts(scaleout["integrity"]["one"]),
                 "", "0", _verdict(_integrity_bad(scaleout["integrity"]["two"]) == 0)))
    return rows


def _shared_core(setup: dict) -> str:
    """Say when other work took the server core during a run (it changes how the site batches)."""
    share = setup.get("others_on_server_core") or 0
    return f" (others used up to {share:.0%} of the core)" if share >= SHARED_CORE_NOTE else ""


def _integrity_counts(integrity: dict) -> str:
    refused = f", {integrity['refused']} refused" if integrity.get("refused") else ""
    return (f"{integrity['lost']} / {integrity['duplicated']} / {integrity['not_stored']} / "
            f"{integrity['stored_twice']} of {integrity['acked']:,} acked{refused}")


def _integrity_bad(integrity: dict) -> int:
    return sum(integrity.get(key, 0) for key in ("lost", "duplicated", "not_stored", "stored_twice", "refused"))


def table(results: dict) -> str:
    header = "| mode | row | site | bare baseline | site / bare | target | |\n|---|---|---|---|---|---|---|\n"
    lines = []
    for mode, measured in results.items():
        lines += ["| " + " | ".join(row) + " |" for row in _rows(mode, measured)]
    return header + "\n".join(lines) + "\n"


def generator_notes(results: dict) -> list[str]:
    """Warn where the load generator itself ran out of CPU: that ceiling then is the generator's."""
    notes = []
    for mode, measured in results.items():
        for name in ("site", "bare"):
            relay = (measured.get("relay") or {}).get(name) or {}
            runs = [*relay.get("runs", []), relay.get("saturation")]
            for run in filter(None, runs):
                if run.get("skipped"):
                    continue
                if run.get("generator_cpu", 0) >= GENERATOR_LIMIT:
                    label = f"{run['offered']:,} msg/s" if "offered" in run else "saturation"
                    notes.append(f"{mode} {name} relay at {label}: the generator used "
                                 f"{run['generator_cpu']:.0%} of its core, so this number is a floor.")
                if run.get("offered") and run.get("achieved", 0) < 0.95 * run["offered"]:
                    notes.append(f"{mode} {name} relay: offered {run['offered']:,} msg/s but the generator "
                                 f"only sent {run['achieved']:,.0f} msg/s.")
    return notes


def section(results: dict, meta: dict) -> str:
    notes = generator_notes(results)
    parts = [
        BEGIN,
        f"Run of {meta['date']} on {meta['cpus']} CPU(s) ({meta['cpu_model']}), Python {meta['python']}; "
        f"server pinned to CPU {meta['server_cpu']}, generators to CPU {meta['generator_cpu']}"
        f"{'' if meta['pinned'] else ' (no pinning: fewer than 2 CPUs)'}; {meta['settings']}.",
        "",
        table(results),
    ]
    if notes:
        parts += ["Generator limits in this run:", "", *[f"- {note}" for note in notes], ""]
    parts.append(END)
    return "\n".join(parts) + "\n"


def write_docs(path: Path, results: dict, meta: dict) -> None:
    """Replace the generated part of ``path``; the hand-written notes around it stay."""
    generated = section(results, meta)
    text = path.read_text() if path.exists() else DOC_HEADER + BEGIN + "\n" + END + "\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: generated, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + generated
    path.write_text(text)

#!/usr/bin/env python3
"""Turns one benchmark run into results/<date>.json, .md and .svg.

Inputs: the JMH result file (-rf json), the JSON of maestral.bench.Measurements, optionally the
JSON of maestral.bench.ScaleMeasurement (many connections), and the run's facts (profile, date,
load average, commit). Every latency row of the table is shown against
the floor measured in the same run: the uds proxy against the raw JDK unix-socket ping-pong,
the shm proxy against the raw shared-memory ping-pong, both against Java RMI.

Usage: report.py --jmh J [J2...] --measurements M [--scale S] --meta META --out PREFIX
(writes PREFIX.json, PREFIX.md, PREFIX.svg), or report.py --scale-table S (prints the "Many
connections" section of S alone). Needs nothing beyond the Python standard library.
"""
import argparse
import html
import json
import math

PKG = "maestral.bench."
TRANSPORTS = ("uds", "shm")
CALLS = (
    ("status", "status()", "no argument, short answer"),
    ("excludedStatus32", "excludedStatus(path)", "32-byte argument"),
    ("payload30KiB", "getConf → 30 KiB list", "480 × 64-char strings"),
    ("throwsNotLinked", "getAccountInfo() throws", "NotLinkedError, caught"),
)
FLOOR_OF = {"uds": "RawUdsBenchmark.pingPong64", "shm": "RawShmBenchmark.pingPong64"}
RMI = "RmiBenchmark.echo64"
TARGETS = {"uds": 1.3, "shm": 5.0}
RMI_FACTOR = 3.0
ERROR_TARGETS = {"uds": 1.5, "shm": 3.0}
CODEC_LIST_US = 10.0
# The same-run floor of each list row: what the JDK's public API costs for the strings alone.
CODEC_FLOORS = {"encodeList": ("StringFloorBenchmark.copyOut", "copy each string's bytes out once"),
                "decodeList": ("StringFloorBenchmark.makeStrings", "make the 480 strings from one array")}
CODEC_ROWS = [("encodeList", "encode the 480 × 64-char list answer"),
              ("decodeList", "decode it"),
              ("encodeStatusCall", "encode a `status()` call"),
              ("decodeStatusCall", "decode it"),
              ("encodeStatusAnswer", "encode its answer"),
              ("decodeStatusAnswer", "decode it")]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Results:
    """The JMH entries, found by short name (Class.method) and transport."""

    def __init__(self, entries):
        self.entries = entries

    def get(self, short, transport=None):
        for e in self.entries:
            if e["benchmark"] == PKG + short and (
                    transport is None or e.get("params", {}).get("transport") == transport):
                return e
        return None

    def pct(self, short, p, transport=None):
        e = self.get(short, transport)
        if e is None:
            return None
        return e["primaryMetric"].get("scorePercentiles", {}).get(p)

    def p50(self, short, transport=None):
        return self.pct(short, "50.0", transport)

    def score(self, short, transport=None, secondary=None):
        e = self.get(short, transport)
        if e is None:
            return None
        if secondary:
            m = e.get("secondaryMetrics", {}).get(secondary)
            return None if m is None else m["score"]
        return e["primaryMetric"]["score"]

    def count(self, short, transport=None):
        e = self.get(short, transport)
        if e is None:
            return None
        pm = e["primaryMetric"]
        if "sampleCount" in pm:
            return pm["sampleCount"]
        raw = pm.get("rawDataHistogram")
        if raw:
            return sum(n for fork in raw for it in fork for _, n in it)
        return None


def num(v, digits=None):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if digits is None:
        digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2 if abs(v) >= 1 else 3
    return f"{v:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fx(v):
    return "n/a" if v is None else f"{v:.2f}×"


def latency_row(r, label, short, transport=None, floor=None, rmi=None, local=None):
    ps = [r.pct(short, p, transport) for p in ("50.0", "90.0", "99.0", "99.9")]
    p50 = ps[0]
    cells = [label] + [num(v) for v in ps] + [num(r.count(short, transport), 0)]
    if floor is not None or rmi is not None or local is not None:
        cells.append(num(local) if local is not None else "–")
        cells.append(num(p50 - local) if p50 is not None and local is not None else "–")
        cells.append(fx(ratio(p50, floor)) if floor is not None else "–")
        cells.append(fx(ratio(p50, rmi)) if rmi is not None else "–")
    return "| " + " | ".join(cells) + " |"


def targets(r):
    out = []
    rmi = r.p50(RMI)
    for t in TRANSPORTS:
        p50 = r.p50("ProxyBenchmark.status", t)
        floor = r.p50(FLOOR_OF[t])
        q = ratio(p50, floor)
        out.append({
            "target": f"{t} proxy status() p50 within {TARGETS[t]}x of the raw {t} floor",
            "value": q, "limit": TARGETS[t], "met": q is not None and q <= TARGETS[t]})
    for t in TRANSPORTS:
        p50 = r.p50("ProxyBenchmark.status", t)
        q = ratio(rmi, p50)
        out.append({
            "target": f"{t} proxy status() p50 at least {RMI_FACTOR:g}x faster than RMI",
            "value": q, "limit": RMI_FACTOR, "met": q is not None and q >= RMI_FACTOR})
    for t in TRANSPORTS:
        q = ratio(r.p50("ProxyBenchmark.throwsNotLinked", t), r.p50("ProxyBenchmark.status", t))
        out.append({
            "target": f"{t} thrown NotLinkedError p50 at most {ERROR_TARGETS[t]}x its status() p50",
            "value": q, "limit": ERROR_TARGETS[t], "met": q is not None and q <= ERROR_TARGETS[t]})
    for t in TRANSPORTS:
        for op in ("encodeList", "decodeList"):
            v = r.p50("CodecBenchmark." + op, t)
            floor_name, floor_label = CODEC_FLOORS[op]
            floor = r.p50(floor_name)
            note = "" if floor is None else (f" (the JDK floor, {floor_label}: {num(floor)} µs; "
                                             f"{sx(ratio(v, floor))} of it)")
            out.append({
                "target": f"{t} codec: {op} (480 × 64 chars) p50 at most {CODEC_LIST_US:g} µs",
                "value": v, "limit": CODEC_LIST_US, "unit": "µs", "note": note,
                "met": v is not None and v <= CODEC_LIST_US})
    return out


def sx(v):
    """A ratio that may be far below 1: as many digits as it needs."""
    return "n/a" if v is None else f"{num(v)}×"


def scale_section(sc):
    """The "Many connections" section: one row per connection count, both transports side by side."""
    rows = {}
    for e in sc.get("scale", []):
        rows.setdefault(e["connections"], {})[e["transport"]] = e
    L = ["## Many connections", "",
         f"One client JVM opens N proxies (one connection each) to a fresh daemon per transport and N; "
         f"N platform threads, each on its own proxy, call `status()` for a {sc.get('windowSeconds', '?')} s "
         f"window after a {sc.get('warmUpSeconds', '?')} s warm-up (`ScaleMeasurement`). Calls per ms are "
         f"the successful calls of the whole process; the transports alternate at each N, their order "
         f"flipping, so both see the same machine state. Failed calls include threads still stuck in a "
         f"call 40 s after the window; connect ms is opening the N connections.", "",
         "| connections | uds calls/ms | shm calls/ms | shm ÷ uds | failed calls uds / shm | connect ms uds / shm |",
         "|---:|---:|---:|---:|---:|---:|"]

    def cell(e, key, digits=None):
        return "n/a" if e is None else num(e.get(key), digits)

    def failed(e):
        if e is None:
            return "n/a"
        v = num(e.get("failedCalls"), 0)
        if e.get("connected") is not None and e["connected"] < e["connections"]:
            v += f" ({e['connected']} of {e['connections']} connected)"
        return v

    failures = []
    for n in sorted(rows):
        u, s = rows[n].get("uds"), rows[n].get("shm")
        L.append(f"| {n} | {cell(u, 'callsPerMs')} | {cell(s, 'callsPerMs')} | "
                 f"{sx(ratio(s and s.get('callsPerMs'), u and u.get('callsPerMs')))} | "
                 f"{failed(u)} / {failed(s)} | {cell(u, 'connectMs')} / {cell(s, 'connectMs')} |")
        for t, e in (("uds", u), ("shm", s)):
            if e is not None and e.get("firstFailure"):
                failures.append(f"- {t}, {n} connections: `{e['firstFailure']}`")
    if failures:
        L += ["", "First failure per transport and N:", ""] + failures
    L.append("")
    return L


def markdown(r, m, meta, tgts, sc=None):
    L = []
    rmi = r.p50(RMI)
    L.append(f"# maestral benchmarks, {meta['date']} ({meta['profile']} profile)")
    L.append("")
    mach = m.get("machine", {})
    L.append(f"Commit `{meta.get('commit', '?')}`, {mach.get('cpus', '?')} CPUs, JDK {mach.get('java', '?')}, "
             f"{mach.get('os', '?')}. Load average before / after the run: {meta.get('loadBefore', '?')} / "
             f"{meta.get('loadAfter', '?')} (anything else running on the machine inflates every figure; "
             f"compare rows of the same run). JMH: `{meta.get('jmhOptions', '')}` "
             f"(the `./maestral status` process: `{meta.get('jmhCommandOptions', '')}`); latencies in µs "
             f"unless marked.")
    L.append("")
    L.append("## Targets")
    L.append("")
    for t in tgts:
        mark = "met" if t["met"] else "**not met**"
        shown = f"{num(t['value'])} µs" if t.get("unit") == "µs" else fx(t['value'])
        L.append(f"- {t['target']}: {shown}{t.get('note', '')} — {mark}")
    L.append("")
    L.append("## Floors, measured in the same run")
    L.append("")
    L.append("| floor | p50 | p90 | p99 | p99.9 | samples |")
    L.append("|---|---:|---:|---:|---:|---:|")
    L.append(latency_row(r, "in-process call, `status()` on a fallback proxy", "DirectBenchmark.status"))
    L.append(latency_row(r, "raw shared memory, 64 B spin ping-pong (2 JVMs)", "RawShmBenchmark.pingPong64"))
    L.append(latency_row(r, "raw JDK unix socket, 64 B ping-pong (2 JVMs)", "RawUdsBenchmark.pingPong64"))
    L.append(latency_row(r, "Java RMI, loopback TCP, 64 B echo (2 JVMs)", RMI))
    L.append("")
    L.append("## Proxy calls to a daemon in another JVM")
    L.append("")
    L.append("Floor: raw uds ping-pong for uds, raw shm ping-pong for shm (64 B each way). The in-process "
             "column is the same call without any transport: the served object's own work, which the payload "
             "and error rows carry too; p50 − in-process is what the transport and the proxy add.")
    L.append("")
    L.append("| call | p50 | p90 | p99 | p99.9 | samples | in-process p50 | p50 − in-process | p50 ÷ floor | p50 ÷ RMI |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for short, label, detail in CALLS:
        local = r.p50("DirectBenchmark." + short)
        for t in TRANSPORTS:
            L.append(latency_row(r, f"{t}: {label} <br><sub>{detail}</sub>", "ProxyBenchmark." + short, t,
                                 floor=r.p50(FLOOR_OF[t]), rmi=rmi, local=local))
    L.append("")
    L.append("## The command-line pattern")
    L.append("")
    L.append("| pattern | p50 | p90 | p99 | p99.9 | samples | in-process p50 | p50 − in-process | p50 ÷ floor | p50 ÷ RMI |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in TRANSPORTS:
        L.append(latency_row(r, f"{t}: connect, `status()`, close (µs)", "ConnectCallCloseBenchmark.connectStatusClose",
                             t, floor=r.p50(FLOOR_OF[t]), rmi=rmi, local=r.p50("DirectBenchmark.status")))
    jv = m.get("startup", {}).get("javaVersionMs", {}).get("median")
    cmd = "CommandBenchmark.maestralStatusProcess"
    ps = [r.pct(cmd, p) for p in ("50.0", "90.0", "99.0", "99.9")]
    L.append("| whole `./maestral status` process (**ms**, wall time) | " + " | ".join(num(v) for v in ps)
             + f" | {num(r.count(cmd), 0)} | – | – | {fx(ratio(ps[0], jv))} of `java -version` ({num(jv)} ms) | – |")
    L.append("")
    L.append("## Throughput of `status()`, calls per ms")
    L.append("")
    L.append("Threads share one proxy (one connection, calls multiplexed). Two processes: this JVM's one "
             "thread + a second client JVM running the same loop at the same time; the total is the sum.")
    L.append("")
    L.append("| transport | 1 thread | 2 threads | 4 threads | 2 processes: this + other = total |")
    L.append("|---|---:|---:|---:|---:|")
    for t in TRANSPORTS:
        a = r.score("TwoProcessThroughputBenchmark.status", t)
        b = r.score("TwoProcessThroughputBenchmark.status", t, secondary="otherProcess")
        tot = None if a is None or b is None else a + b
        L.append(f"| {t} | {num(r.score('ThroughputBenchmark.status1Thread', t))} | "
                 f"{num(r.score('ThroughputBenchmark.status2Threads', t))} | "
                 f"{num(r.score('ThroughputBenchmark.status4Threads', t))} | "
                 f"{num(a)} + {num(b)} = {num(tot)} |")
    L.append("")
    L.append("## Codecs alone (no I/O), µs")
    L.append("")
    L.append("Each transport's codec of the shared wire format: uds encodes as the daemon does (into a "
             "direct Netty buffer) and decodes answers as the client does; shm encodes a frame body into "
             "Chronicle `Bytes` and decodes it.")
    L.append("")
    L.append("| operation | " + " | ".join(f"{t} p50 | {t} p99" for t in TRANSPORTS) + " |")
    L.append("|---|" + "---:|---:|" * len(TRANSPORTS))
    for op, label in CODEC_ROWS:
        cells = []
        for t in TRANSPORTS:
            cells += [num(r.p50("CodecBenchmark." + op, t)), num(r.pct("CodecBenchmark." + op, "99.0", t))]
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    for op, (floor_name, floor_label) in CODEC_FLOORS.items():
        cell = [num(r.p50(floor_name)), num(r.pct(floor_name, "99.0"))]
        L.append(f"| floor of the list's {op[:6]} (JDK alone, no format): {floor_label} | "
                 + " | ".join(cell * len(TRANSPORTS)) + " |")
    L.append("")
    if sc:
        L += scale_section(sc)
    L.append("## Start-up, idle CPU, memory (outside JMH)")
    L.append("")
    s = m.get("startup", {})
    if s:
        L.append(f"- Daemon start to ready (`startMaestralDaemonProcess` → OK), median of {s.get('runs')}: "
                 f"**{num(s['daemonStartMs']['median'])} ms** = **{fx(s.get('startToJavaVersionRatio'))}** "
                 f"`java -version` ({num(s['javaVersionMs']['median'])} ms); the launcher's readiness "
                 f"probe is a 20 ms poll that connects over uds once the daemon has written its record. "
                 f"A proxy of the launching JVM (over shm, whose client sessions the daemon readies "
                 f"just after it is ready), tried every 5 ms from the launch, first answered after "
                 f"{num(s['daemonFirstAnswerMs']['median'])} ms. "
                 + (f"With an AOT cache of the daemon JVM recorded by a training run of the same class "
                    f"path (`maestral.daemon.aotCache`, as `./maestral start` has it): "
                    f"**{num(s['daemonStartAotMs']['median'])} ms** = "
                    f"**{fx(s.get('aotStartToJavaVersionRatio'))}** `java -version`. "
                    if s.get('daemonStartAotMs') else "")
                 + f"Narrowed to the uds transport "
                 f"(`-Dmaestral.transports=uds`, as "
                 f"the `maestral` command's runtime has it) the start takes "
                 f"{num(s.get('daemonStartUdsOnlyMs', {}).get('median'))} ms.")
    ic = m.get("idleCpu", {})
    if ic:
        w = ic.get("windowSeconds")
        parts = []
        for key, label in (("noClient", "no client"), ("udsClient", "an idle uds client"),
                           ("shmClient", "an idle shm client")):
            c = ic.get(key)
            if c:
                parts.append(f"{label}: {num(c['daemonCpuMs'])} ms ({num(c['daemonPercentOfOneCore'], 2)} % "
                             f"of a core; the client JVM {num(c['clientJvmCpuMs'])} ms)")
        L.append(f"- Daemon idle CPU over {w} s (a client's window starts 7 s after its connect) — "
                 + "; ".join(parts) + ".")
    mem = m.get("memory", {})
    if mem:
        L.append(f"- Daemon resident memory (VmRSS): idle {num(mem['idleRssKiB'] / 1024)} MiB; under "
                 f"{mem['loadSeconds']} s of load (2 threads on uds + 2 on shm, {num(mem['loadCalls'], 0)} calls) "
                 f"at most {num(mem['loadMaxRssKiB'] / 1024)} MiB; after the load "
                 f"{num(mem['afterLoadRssKiB'] / 1024)} MiB (high-water mark {num(mem['peakRssKiB'] / 1024)} MiB).")
    L.append("")
    L.append(f"Chart: `{meta['date']}.svg`; raw figures: `{meta['date']}.json`.")
    L.append("")
    return "\n".join(L)


def svg(r, meta):
    groups = [("in-process", "DirectBenchmark.status", None),
              ("raw shm", "RawShmBenchmark.pingPong64", None),
              ("shm proxy", "ProxyBenchmark.status", "shm"),
              ("shm proxy 32 B", "ProxyBenchmark.excludedStatus32", "shm"),
              ("raw uds", "RawUdsBenchmark.pingPong64", None),
              ("uds proxy", "ProxyBenchmark.status", "uds"),
              ("uds proxy 32 B", "ProxyBenchmark.excludedStatus32", "uds"),
              ("RMI", RMI, None)]
    series = (("50.0", "p50", "#1f77b4"), ("90.0", "p90", "#ff7f0e"), ("99.0", "p99", "#d62728"))
    values = [[r.pct(s, p, t) for p, _, _ in series] for _, s, t in groups]
    present = [v for row in values for v in row if v]
    lo = 10 ** math.floor(math.log10(min(present))) if present else 0.01
    hi = 10 ** math.ceil(math.log10(max(present))) if present else 1000
    W, H = 960, 460
    left, right, top, bottom = 70, 20, 60, 90
    pw, ph = W - left - right, H - top - bottom

    def y(v):
        return top + ph - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="16">'
           f'{html.escape("Round-trip latency, µs (log scale): proxies beside their floors")}</text>',
           f'<text x="{W / 2}" y="40" text-anchor="middle" fill="#555">'
           f'{html.escape(meta["date"] + ", " + meta["profile"] + " profile, small calls (status / 32 B / 64 B ping-pong)")}'
           f'</text>']
    d = lo
    while d <= hi * 1.0001:
        yy = y(d)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{W - right}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{num(d)}</text>')
        d *= 10
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#333"/>')
    gw = pw / len(groups)
    bw = gw * 0.7 / len(series)
    for gi, (label, _, _) in enumerate(groups):
        x0 = left + gi * gw + gw * 0.15
        for si, (_, name, color) in enumerate(series):
            v = values[gi][si]
            if not v:
                continue
            yy = y(max(v, lo))
            out.append(f'<rect x="{x0 + si * bw:.1f}" y="{yy:.1f}" width="{bw - 1:.1f}" '
                       f'height="{top + ph - yy:.1f}" fill="{color}"><title>{html.escape(label)} {name}: '
                       f'{num(v)} µs</title></rect>')
            if si == 0:
                out.append(f'<text x="{x0 + bw / 2:.1f}" y="{yy - 4:.1f}" text-anchor="middle" '
                           f'font-size="10">{num(v)}</text>')
        out.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{top + ph + 18}" text-anchor="middle">'
                   f'{html.escape(label)}</text>')
    lx = left + 10
    for _, name, color in series:
        out.append(f'<rect x="{lx}" y="{H - 30}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{lx + 16}" y="{H - 20}">{name}</text>')
        lx += 70
    out.append(f'<text x="{W - right}" y="{H - 20}" text-anchor="end" fill="#555">'
               f'{html.escape("floors measured in the same run; shm and uds proxies call a daemon in another JVM")}'
               f'</text>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jmh", nargs="+", help="JMH result files, merged")
    ap.add_argument("--measurements")
    ap.add_argument("--scale", help="the JSON of ScaleMeasurement (many connections)")
    ap.add_argument("--scale-table", help="only print the many-connections section of this ScaleMeasurement JSON")
    ap.add_argument("--meta")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.scale_table:
        print("\n".join(scale_section(load(a.scale_table))))
        return
    missing = [o for o in ("jmh", "measurements", "meta", "out") if getattr(a, o) is None]
    if missing:
        ap.error("needs " + ", ".join("--" + o for o in missing) + " (or --scale-table alone)")
    jmh = [e for path in a.jmh for e in load(path)]
    m = load(a.measurements)
    meta = load(a.meta)
    sc = load(a.scale) if a.scale else None
    r = Results(jmh)
    tgts = targets(r)
    for e in jmh:  # the histograms are large: keep their sample count only
        pm = e["primaryMetric"]
        if "rawDataHistogram" in pm:
            pm["sampleCount"] = r.count(e["benchmark"][len(PKG):], e.get("params", {}).get("transport"))
            del pm["rawDataHistogram"]
    with open(a.out + ".json", "w", encoding="utf-8") as f:
        merged = {"run": meta, "targets": tgts, "measurements": m}
        if sc is not None:
            merged["scale"] = sc
        merged["jmh"] = jmh
        json.dump(merged, f, indent=1)
        f.write("\n")
    with open(a.out + ".md", "w", encoding="utf-8") as f:
        f.write(markdown(r, m, meta, tgts, sc))
    with open(a.out + ".svg", "w", encoding="utf-8") as f:
        f.write(svg(r, meta))


if __name__ == "__main__":
    main()

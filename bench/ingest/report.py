#!/usr/bin/env python3
"""report.py RESULTS.jsonl VIEWERS.txt FIXTURE: the side-by-side table and the goals."""
import json
import os
import sys

WINDOW_SEGMENTS = 6  # SegmenterConfig.DEFAULT
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
viewers = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) in (6, 7):  # the 7th: server CPU microseconds per request (ROUNDS runs)
        viewers[(f[0], f[1])] = (float(f[2]), float(f[3]), int(f[4]), int(f[5]), float(f[6]) if len(f) == 7 else None)
fixture_bps = os.path.getsize(sys.argv[3]) * 8 / 100.0
window_mib = fixture_bps / 8 * 2 * WINDOW_SEGMENTS / 2**20


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def ratio(ours, theirs, lower_is_better=True):
    if ours is None or theirs in (None, 0):
        return "-"
    return f"{ours / theirs:.2f}x" + (" (lower is better)" if lower_is_better else "")


print("\n| streams | figure | openivs | nginx-rtmp | openivs/nginx |")
print("|---|---|---|---|---|")
goals = []
for n in sorted({r["streams"] for r in runs}):
    # The last run of each (target, N) counts, so a merged earlier run can be superseded.
    o = next((r for r in reversed(runs) if r["streams"] == n and r["target"] == "openivs"), None)
    g = next((r for r in reversed(runs) if r["streams"] == n and r["target"] == "nginx"), None)
    if not o or not g:
        continue
    rows = [
        ("CPU s per stream-minute", "cpu_s_per_stream_minute", ".3f"),
        ("CPU s per stream-minute without JIT compiler threads", "cpu_s_per_stream_minute_without_jit", ".3f"),
        ("RSS per stream (MiB)", "rss_per_stream_mib", ".2f"),
        ("segment latency median (ms)", "latency_ms_median", ".1f"),
        ("segment latency p95 (ms)", "latency_ms_p95", ".1f"),
        ("keyframe logged -> listed median (ms)", "keyframe_to_listed_ms_median", ".1f"),
        ("keyframe logged -> listed p95 (ms)", "keyframe_to_listed_ms_p95", ".1f"),
        ("lost segments", "lost_segments", "d"),
        ("fewest segments seen on a stream", "min_segments_per_stream", "d"),
    ]
    for label, key, spec in rows:
        print(f"| {n} | {label} | {fmt(o.get(key), spec)} | {fmt(g.get(key), spec)} | {ratio(o.get(key), g.get(key), True) if key not in ('lost_segments', 'min_segments_per_stream') else ''} |")
    # nginx's latency from its playlist's mtime: the kernel's coarse clock makes it read early.
    print(f"| {n} | nginx segment latency by playlist mtime median/p95 (ms) | | "
          f"{fmt(g.get('latency_mtime_ms_median'), '.1f')} / {fmt(g.get('latency_mtime_ms_p95'), '.1f')} | |")
    print(f"| {n} | JIT compiler threads, share of server CPU | {fmt(o.get('jit_share_of_cpu'), '.1%')} | | |")
    print(f"| {n} | openivs server-side (last message in -> listed) median/p95 ms | "
          f"{fmt(o['server_internal_ms_median'], '.2f')} / {fmt(o['server_internal_ms_p95'], '.2f')} | | |")
    better = all(o[k] is not None and g[k] is not None and o[k] <= g[k]
                 for k in ("cpu_s_per_stream_minute", "latency_ms_median", "latency_ms_p95"))
    goals.append(f"N={n}: no lost segment: {'MET' if o['lost_segments'] == 0 else 'NOT MET'}; "
                 f"CPU and latency <= nginx: {'MET' if better else 'NOT MET'}; "
                 f"RSS/stream <= window {window_mib:.2f} MiB + 1 MiB: "
                 f"{'MET' if o['rss_per_stream_mib'] <= window_mib + 1 else 'NOT MET'}")
    for r in (o, g):
        if r["publisher_errors"] or r["alive_while_measured"] != n:
            goals.append(f"  note {r['target']} N={n}: {r['alive_while_measured']} publishers alive while measured; "
                         f"errors: {r['publisher_errors']}")

print("\n| viewer load (%s connections) | openivs req/s | p99 ms | errors | nginx req/s | p99 ms | errors | req/s ratio |" % "1,000")
print("|---|---|---|---|---|---|---|---|")
for kind in ("playlist", "segment"):
    o, g = viewers.get(("openivs", kind)), viewers.get(("nginx", kind))
    if o and g and g[0] > 0:
        print(f"| {kind} | {o[0]:.0f} | {o[1]:.2f} | {o[2] + o[3]} | {g[0]:.0f} | {g[1]:.2f} | {g[2] + g[3]} | {o[0] / g[0]:.2f}x |")
        goals.append(f"viewers {kind}: req/s >= nginx and p99 <= nginx: "
                     f"{'MET' if o[0] >= g[0] and o[1] <= g[1] else 'NOT MET'}")
        if o[4] is not None and g[4] is not None and g[4] > 0:
            goals.append(f"viewers {kind}: server CPU per request (median) {o[4]:.1f} us openivs, {g[4]:.1f} us nginx "
                         f"({o[4] / g[4]:.2f}x)")
print()
for line in goals:
    print(line)

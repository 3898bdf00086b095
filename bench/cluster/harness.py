"""The measurements of bench/cluster/run.sh: owner at 127.0.0.1, edge at 127.0.0.2, same ports."""
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

URL, OWNER_PID, EDGE_PID, OWNER_METRICS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
PARTS = int(os.environ["PARTS"])
SECONDS_PER_RUN = int(os.environ["SECONDS_PER_RUN"])
ROUNDS = int(os.environ["ROUNDS"])
PLAYERS = int(os.environ["PLAYERS"])
PLAYER_SECONDS = int(os.environ["PLAYER_SECONDS"])
CONNECTIONS = int(os.environ["CONNECTIONS"])
TICKS = os.sysconf("SC_CLK_TCK")


def on(host, url):
    return re.sub(r"://[^/:]+", "://" + host, url, count=1)


def get(url, timeout=20):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def wait_playable(url):
    for _ in range(150):
        try:
            return get(url).decode()
        except Exception:
            time.sleep(0.2)
    raise SystemExit("not playable: " + url)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def owner_counter(kind):
    text = get(OWNER_METRICS).decode()
    m = re.search(r'openivs_cluster_served_to_edges_total\{kind="%s"} ([0-9.eE+]+)' % kind, text)
    return float(m.group(1)) if m else 0.0


def hint(playlist):
    m = re.search(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([0-9]+)\.([0-9]+)\.m4s"', playlist)
    return int(m.group(1)), int(m.group(2))


master_url = on("127.0.0.1", URL)
master = wait_playable(master_url)
wait_playable(on("127.0.0.2", URL))
media_path = [l for l in master.splitlines() if l.endswith(".m3u8")][0]
owner_media = urllib.parse.urljoin(master_url, media_path)
edge_media = on("127.0.0.2", owner_media)
time.sleep(3)

# 1. Added delay: the same blocking reload and hinted part asked of both nodes at once.
deltas = []
for _ in range(PARTS):
    msn, part = hint(get(owner_media).decode())
    done = {}

    def fetch(name, media):
        get(f"{media}?_HLS_msn={msn}&_HLS_part={part}")
        get(urllib.parse.urljoin(media, f"{msn}.{part}.m4s"))
        done[name] = time.monotonic()

    threads = [threading.Thread(target=fetch, args=(n, m)) for n, m in (("owner", owner_media), ("edge", edge_media))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deltas.append(done["edge"] - done["owner"])
deltas.sort()
print(f"1. edge delay over the owner for a blocking reload + its part ({PARTS} parts): median"
      f" {1000 * statistics.median(deltas):.0f} ms, p95 {1000 * deltas[int(0.95 * (len(deltas) - 1))]:.0f} ms"
      f" (goal <= one part, 333 ms)")


# 2. CPU per request: wrk against each node, the same object; the owner's CPU while the edge serves.
def wrk(url):
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS_PER_RUN}s", url],
                         capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"([0-9]+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: ([0-9]+)", out)
    return total, int(bad.group(1)) if bad else 0


def idle_rate(pid, seconds=3.0):
    """CPU seconds per second the node spends with no viewer (the owner ingests the stream)."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


IDLE = {OWNER_PID: idle_rate(OWNER_PID), EDGE_PID: idle_rate(EDGE_PID)}
print(f"   load average (1/5/15 min) {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores:"
      f" other processes' CPU shows in these figures")
print(f"   idle CPU (subtracted below): owner {100 * IDLE[OWNER_PID]:.1f}% of a core (ingest), edge"
      f" {100 * IDLE[EDGE_PID]:.1f}%")


def newest_segment():
    playlist = get(owner_media).decode()
    return urllib.parse.urljoin(owner_media, [l for l in playlist.splitlines() if l and not l.startswith("#")][-1])


# The newest segment is picked again each round: the LL-HLS window is short, and a run must not outlast it.
targets = {"segment": newest_segment, "playlist": lambda: owner_media}
for name, pick in targets.items():
    url = pick()
    wrk(url)  # warm-up (JIT), both nodes
    wrk(on("127.0.0.2", url))
    cost = {"owner": [], "edge": [], "owner-behind-edge": []}
    bad = 0
    for _ in range(ROUNDS):
        url = pick()
        for node, pid, host in (("owner", OWNER_PID, "127.0.0.1"), ("edge", EDGE_PID, "127.0.0.2")):
            before, owner_before, began = cpu_seconds(pid), cpu_seconds(OWNER_PID), time.monotonic()
            n, b = wrk(on(host, url))
            took = time.monotonic() - began
            bad += b
            cost[node].append(1e6 * (cpu_seconds(pid) - before - IDLE[pid] * took) / n)
            if node == "edge":
                owner_cpu = cpu_seconds(OWNER_PID) - owner_before - IDLE[OWNER_PID] * took
                cost["owner-behind-edge"].append(1e6 * owner_cpu / n)
    # Medians of interleaved rounds: another process's burst lands in one round, not in one node's figure.
    o, e, ob = (statistics.median(cost[k]) for k in ("owner", "edge", "owner-behind-edge"))
    ratios = sorted(100 * ed / ow for ow, ed in zip(cost["owner"], cost["edge"]))
    print(f"2. CPU per {name} request: owner {o:.1f} us, edge {e:.1f} us = {100 * e / o:.0f}% of the owner's"
          f" (goal <= 120%; per round {', '.join(f'{r:.0f}%' for r in ratios)}); the owner meanwhile"
          f" {ob:.1f} us per edge request; non-2xx {bad}; load average {os.getloadavg()[0]:.1f}")

# 3. Upstream requests per object: PLAYERS LL-HLS players on the edge, each following the hint.
seen_parts, seen_segments = set(), set()
lock = threading.Lock()
stop = time.monotonic() + PLAYER_SECONDS


def player():
    msn, part = hint(get(edge_media).decode())
    last_msn = None
    while time.monotonic() < stop:
        text = get(f"{edge_media}?_HLS_msn={msn}&_HLS_part={part}").decode()
        get(urllib.parse.urljoin(edge_media, f"{msn}.{part}.m4s"))
        with lock:
            seen_parts.add((msn, part))
        finished = [int(l.split(".")[0]) for l in text.splitlines() if l.endswith(".m4s") and not l.startswith("#")]
        if finished and finished[-1] != last_msn:
            last_msn = finished[-1]
            get(urllib.parse.urljoin(edge_media, f"{last_msn}.m4s"))
            with lock:
                seen_segments.add(last_msn)
        msn, part = hint(text)


parts_before, segments_before = owner_counter("part"), owner_counter("segment")
threads = [threading.Thread(target=player) for _ in range(PLAYERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
parts, segments = owner_counter("part") - parts_before, owner_counter("segment") - segments_before
print(f"3. {PLAYERS} players on the edge for {PLAYER_SECONDS} s: {len(seen_parts)} distinct parts, owner asked"
      f" {parts:.0f} times ({parts / max(1, len(seen_parts)):.2f} per part); {len(seen_segments)} distinct segments,"
      f" owner asked {segments:.0f} times ({segments / max(1, len(seen_segments)):.2f} per segment) (goal 1.00)")

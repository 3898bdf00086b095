#!/usr/bin/env python3
"""measure.py FFMPEG FIXTURE DURATION SERVER_PID STREAMS_JSON [SERVER_LOG]: the transcoding benchmark's
measurements (see run.sh). CPU is read from /proc: the server JVM's own time, its children's once
reaped (cutime, cstime), and any live descendant's, so the ffmpeg child is counted whether it still
runs or has exited; standalone ffmpeg's from getrusage of this process's children."""
import json
import os
import re
import resource
import subprocess
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(own CPU s, reaped children's CPU s) of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def descendants(pid):
    out, todo = [], children(pid)
    while todo:
        c = todo.pop()
        out.append(c)
        todo += children(c)
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode() for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def server_cpu(server):
    """The server JVM and everything under it: (JVM own, children reaped + live descendants)."""
    own, reaped = stat(server)
    live = 0.0
    for d in descendants(server):
        s = stat(d)
        if s:
            live += s[0] + s[1]
    return own, reaped + live


def newest(url):
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except Exception:
        return None
    numbers = re.findall(r"^(\d+)\.ts$", text, re.M)
    return int(numbers[-1]) if numbers else None


def listed(url):
    """The segment numbers a media playlist lists, or [] when it cannot be read."""
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except Exception:
        return []
    return [int(n) for n in re.findall(r"^(\d+)\.ts$", text, re.M)]


def frames(ffmpeg, url):
    """Video frames in one segment, as ffmpeg copies them (its -progress frame count), or None."""
    r = subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-nostats", "-progress", "pipe:1",
                        "-i", url, "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                       capture_output=True, text=True)
    counts = re.findall(r"^frame=(\d+)$", r.stdout, re.M)
    return int(counts[-1]) if r.returncode == 0 and counts else None


class Watch:
    """Polls a stream's source and 360p30 playlists: when each segment number is first listed in
    each (glass-to-glass cost of the rung = the rung's listing time minus the source's, per segment),
    how far the 160p30 rung is behind, and, once, frames of the same segments in source and 360p30
    (the rung's dropped frames: the source's count minus the rung's)."""

    def __init__(self, stream):
        self.source = stream["playlist"]
        base = self.source.rsplit("/", 1)[0]
        self.rung = base + "/360p30/live.m3u8"
        self.low = base + "/160p30/live.m3u8"
        self.seen_source, self.seen_rung = {}, {}
        self.lag, self.dropped, self.compared = None, None, 0

    def poll(self):
        now = time.time()
        src, rung = listed(self.source), listed(self.rung)
        for n in src:
            self.seen_source.setdefault(n, now)
        for n in rung:
            self.seen_rung.setdefault(n, now)
        low = listed(self.low)
        if src and low:
            self.lag = src[-1] - low[-1]
        return src, rung

    def count_frames(self, ffmpeg, src, rung):
        common = [n for n in src if n in rung][-3:]
        if len(common) < 2:
            return
        base = self.source.rsplit("/", 1)[0]
        a = [frames(ffmpeg, f"{base}/{n}.ts") for n in common]
        b = [frames(ffmpeg, f"{base}/360p30/{n}.ts") for n in common]
        if None not in a and None not in b:
            self.dropped, self.compared = sum(a) - sum(b), sum(a)

    def listing_delay(self):
        """Median seconds between a segment's listing in the source and in 360p30 (first few skipped: startup)."""
        d = sorted(self.seen_rung[n] - self.seen_source[n] for n in self.seen_rung if n in self.seen_source)
        d = d[1:] if len(d) > 2 else d
        return d[len(d) // 2] if d else None


def publish(ffmpeg, fixture, duration, stream):
    return subprocess.Popen([ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-t", str(duration),
                             "-i", fixture, "-c", "copy", "-f", "flv", stream["rtmp"]])


def openivs_run(ffmpeg, fixture, duration, server, stream):
    """Publishes the fixture for duration s; returns CPU s of the JVM and of the child, the child's
    command line, and the stream's Watch (lag, dropped frames, listing delay of 360p30)."""
    before = server_cpu(server)
    pub = publish(ffmpeg, fixture, duration, stream)
    child_cmd = []
    watch = Watch(stream)
    started = time.time()
    while pub.poll() is None:
        time.sleep(1)  # seldom: the JVM's CPU is what is measured here (listing delays: the streams-at-once runs)
        if not child_cmd:
            for d in descendants(server):
                c = cmdline(d)
                if any("openivs-tc" in a for a in c):
                    child_cmd = c
        src, rung = watch.poll()
        if watch.dropped is None and time.time() - started > duration * 0.7:
            watch.count_frames(ffmpeg, src, rung)
    # The session ends; the child is stopped and reaped into the JVM's children time.
    deadline = time.time() + 15
    while time.time() < deadline and any(any("openivs-tc" in a for a in cmdline(d)) for d in descendants(server)):
        time.sleep(0.5)
    time.sleep(1)
    after = server_cpu(server)
    return after[0] - before[0], after[1] - before[1], child_cmd, watch


def standalone_args(fixture, duration, child_cmd, paced=True):
    """The child's command line on the fixture instead of stdin (paced as a publisher is, unless not
    paced) and /dev/null instead of the rung sockets, reporting its progress on stdout."""
    args = list(child_cmd[1:])
    i = args.index("pipe:0")
    # The child reads MPEG-TS from stdin ("-f mpegts -i pipe:0"); here the FLV fixture, for as long.
    args[i - 3:i + 1] = (["-re"] if paced else []) + ["-t", str(duration), "-i", fixture]
    return ["-y", "-nostats", "-progress", "pipe:1"] + ["/dev/null" if a.startswith("unix:") else a for a in args]


def progress(text):
    """ffmpeg's last -progress report: speed (x real time), frames dropped and duplicated."""
    last = lambda key: (re.findall(rf"^{key}=\s*([0-9.]+)x?$", text, re.M) or ["nan"])[-1]
    return float(last("speed")), int(float(last("drop_frames"))), int(float(last("dup_frames")))


def standalone(ffmpeg, fixture, duration, child_cmd):
    """The child's command line on the fixture, paced, into /dev/null: CPU s and its progress."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([ffmpeg] + standalone_args(fixture, duration, child_cmd), check=True,
                       stdout=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), progress(r.stdout)


def standalone_speeds(ffmpeg, fixture, duration, child_cmd, n):
    """n copies of the child's command at once, unpaced: each one's (speed, dropped, duplicated)."""
    procs = [subprocess.Popen([ffmpeg] + standalone_args(fixture, duration, child_cmd, paced=False),
                              stdout=subprocess.PIPE, text=True) for _ in range(n)]
    return [progress(p.communicate()[0]) for p in procs]


def restarts(log):
    try:
        with open(log) as f:
            return f.read().count("restarting in")
    except OSError:
        return 0


def openivs_streams(ffmpeg, fixture, duration, server, streams, log):
    """len(streams) publishers at once on the server: each stream's Watch, and the child restarts."""
    before = restarts(log)
    pubs = [publish(ffmpeg, fixture, duration, s) for s in streams]
    watches = [Watch(s) for s in streams]
    started, counted = time.time(), False
    while any(p.poll() is None for p in pubs):
        time.sleep(0.2)
        polled = [w.poll() for w in watches]
        if not counted and time.time() - started > duration * 0.7:
            counted = True
            for w, (src, rung) in zip(watches, polled):
                w.count_frames(ffmpeg, src, rung)
    time.sleep(3)  # the sessions end and their children stop before the next step
    return watches, restarts(log) - before


def fmt(v, spec=""):
    return "-" if v is None else format(v, spec)


def main():
    ffmpeg, fixture, duration, server = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    streams = json.loads(sys.argv[5])
    log = sys.argv[6] if len(sys.argv) > 6 else ""
    most = int(os.environ.get("MAX_STREAMS", "4"))
    minutes = duration / 60.0
    load = lambda: "load average %.1f %.1f %.1f" % os.getloadavg()
    print(f"{os.cpu_count()} CPUs, {load()} at the start")
    rows = []
    jvm, child, cmd, watch = openivs_run(ffmpeg, fixture, duration, server, streams[0])
    if not cmd:
        sys.exit("no transcoder child was seen: is transcoding on (OPENIVS_TRANSCODE)?")
    rows.append(("openivs cold", jvm, child, watch, None))
    floor1, p1 = standalone(ffmpeg, fixture, duration, cmd)
    rows.append(("ffmpeg standalone", 0.0, floor1, None, p1))
    jvm, child, _, watch = openivs_run(ffmpeg, fixture, duration, server, streams[1])
    rows.append(("openivs warm", jvm, child, watch, None))
    floor2, p2 = standalone(ffmpeg, fixture, duration, cmd)
    rows.append(("ffmpeg standalone", 0.0, floor2, None, p2))
    floor = (floor1 + floor2) / 2
    print(f"input {os.path.basename(fixture)}, {duration} s per run; CPU seconds per stream-minute; {load()}")
    print(f"{'run':<18} {'total':>7} {'JVM':>6} {'ffmpeg':>7} {'vs floor':>9} {'160p lag':>9} "
          f"{'360p dropped':>13} {'ffmpeg speed, drop/dup':>23}")
    for name, j, c, w, p in rows:
        total = (j + c) / minutes
        dropped = None if w is None or w.dropped is None else f"{w.dropped}/{w.compared}"
        print(f"{name:<18} {total:7.1f} {j / minutes:6.1f} {c / minutes:7.1f} {total / (floor / minutes):8.2f}x "
              f"{fmt(w and w.lag):>9} {fmt(dropped):>13} {'' if p is None else f'{p[0]:.2f}x {p[1]}/{p[2]}':>23}")
    rates = [cmd[k + 1] for k, a in enumerate(cmd) if a == "-b:v"]
    print("rungs' video bit rates: " + " ".join(rates) + "; floor = mean of the two standalone runs")
    print("360p dropped: source frames minus 360p30 frames over the same 3 segments (of the source's count);")
    print("360p listed +s (below): median seconds from a segment's listing in the source to its listing in 360p30,")
    print("  playlists polled every 0.2 s: the glass-to-glass cost of a transcoded rendition against the source")

    # How many streams at once: the ladder's ffmpeg alone, unpaced (real time while every copy's speed >= 1.0x
    # without drops), then openivs with that many publishers (real time while no rung falls behind, drops or
    # restarts).
    print(f"\nstreams at once ({load()}):")
    print(f"{'n':>2} {'ffmpeg alone: speeds':<28} {'drop/dup':>9}   {'openivs: 160p lag':<20} {'360p dropped':<16} "
          f"{'restarts':>8} {'360p listed +s':<16} load")
    rest = streams[2:]
    for n in range(1, most + 1):
        speeds = standalone_speeds(ffmpeg, fixture, duration, cmd, n)
        alone_ok = all(sp >= 1.0 and d == 0 for sp, d, _ in speeds)
        if len(rest) < n:
            break
        batch, rest = rest[:n], rest[n:]
        watches, restarted = openivs_streams(ffmpeg, fixture, duration, server, batch, log)
        lags = [w.lag for w in watches]
        drops = [w.dropped for w in watches]
        ok = restarted == 0 and all(l is not None and l <= 1 for l in lags) and all(d == 0 for d in drops)
        delays = [w.listing_delay() for w in watches]
        print(f"{n:>2} {' '.join(f'{sp:.2f}x' for sp, _, _ in speeds):<28} "
              f"{','.join(f'{d}/{u}' for _, d, u in speeds):>9}   {','.join(fmt(l) for l in lags):<20} "
              f"{','.join(fmt(d) for d in drops):<16} {restarted:>8} "
              f"{','.join(fmt(d, '.2f') for d in delays):<16} {os.getloadavg()[0]:.1f}"
              f"{'' if ok else '  <- not in real time'}{'' if alone_ok else ' (ffmpeg alone neither)'}")
        if not ok or not alone_ok:
            break


if __name__ == "__main__":
    main()

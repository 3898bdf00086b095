#!/usr/bin/env python3
"""measure.py FFMPEG FIXTURE DURATION SERVER_PID STREAMS_JSON: the transcoding benchmark's
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


def openivs_run(ffmpeg, fixture, duration, server, stream):
    """Publishes the fixture for duration s; returns CPU s of the JVM and of the child, the child's
    command line, and how many segments the 160p30 rung was behind the source at the end."""
    before = server_cpu(server)
    pub = subprocess.Popen([ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-t", str(duration),
                            "-i", fixture, "-c", "copy", "-f", "flv", stream["rtmp"]])
    child_cmd, lag = [], None
    source = stream["playlist"]
    rung = source.rsplit("/", 1)[0] + "/160p30/live.m3u8"
    while pub.poll() is None:
        time.sleep(1)
        if not child_cmd:
            for d in descendants(server):
                c = cmdline(d)
                if any("openivs-tc" in a for a in c):
                    child_cmd = c
        s, r = newest(source), newest(rung)
        if s is not None and r is not None:
            lag = s - r
    # The session ends; the child is stopped and reaped into the JVM's children time.
    deadline = time.time() + 15
    while time.time() < deadline and any(any("openivs-tc" in a for a in cmdline(d)) for d in descendants(server)):
        time.sleep(0.5)
    time.sleep(1)
    after = server_cpu(server)
    return after[0] - before[0], after[1] - before[1], child_cmd, lag


def standalone(ffmpeg, fixture, duration, child_cmd):
    """The child's command line on the fixture (paced as a publisher is) into /dev/null: CPU s."""
    args = list(child_cmd[1:])
    i = args.index("pipe:0")
    # The child reads MPEG-TS from stdin ("-f mpegts -i pipe:0"); here the FLV fixture, paced, for as long.
    args[i - 3:i + 1] = ["-re", "-t", str(duration), "-i", fixture]
    args = ["-y"] + ["/dev/null" if a.startswith("unix:") else a for a in args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([ffmpeg] + args, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ffmpeg, fixture, duration, server = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    streams = json.loads(sys.argv[5])
    minutes = duration / 60.0
    rows = []
    jvm, child, cmd, lag = openivs_run(ffmpeg, fixture, duration, server, streams[0])
    if not cmd:
        sys.exit("no transcoder child was seen: is transcoding on (OPENIVS_TRANSCODE)?")
    rows.append(("openivs cold", jvm, child, lag))
    floor1 = standalone(ffmpeg, fixture, duration, cmd)
    rows.append(("ffmpeg standalone", 0.0, floor1, None))
    jvm, child, _, lag = openivs_run(ffmpeg, fixture, duration, server, streams[1])
    rows.append(("openivs warm", jvm, child, lag))
    floor2 = standalone(ffmpeg, fixture, duration, cmd)
    rows.append(("ffmpeg standalone", 0.0, floor2, None))
    floor = (floor1 + floor2) / 2
    print(f"input {os.path.basename(fixture)}, {duration} s per run; CPU seconds per stream-minute")
    print(f"{'run':<18} {'total':>8} {'JVM':>8} {'ffmpeg':>8} {'vs floor':>9} {'160p30 lag (segments)':>22}")
    for name, j, c, l in rows:
        total = (j + c) / minutes
        print(f"{name:<18} {total:8.1f} {j / minutes:8.1f} {c / minutes:8.1f} {total / (floor / minutes):8.2f}x "
              f"{'' if l is None else l:>22}")
    rates = [cmd[k + 1] for k, a in enumerate(cmd) if a == "-b:v"]
    print("rungs' video bit rates: " + " ".join(rates) + "; floor = mean of the two standalone runs")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""One publishing run of the ingest benchmark, standard library only.

  harness.py RUN.json

RUN.json names the target ("openivs" or "nginx"), the publishers (RTMP URL, playlist URL, and for
nginx the playlist file), the server's process ids, the ffmpeg executable and fixture, the duration
and, for openivs, the server log holding its per-segment timing lines. Prints one JSON line of
results.

Segment latency is "last frame of a segment sent by ffmpeg" -> "segment listed in the playlist":
  * sent: a sample of publishers run with -debug_ts; ffmpeg logs each packet just before writing it
    and a reader thread stamps the line with the wall clock. A segment ends at a keyframe (the
    fixture has one every 2 s exactly), so the segment ending at stream time E ends just before
    video packet 60*E/2; its last frame is the packet logged before that one.
  * listed: openivs logs the wall clock when a segment enters the window (SegmentTimings, DEBUG);
    nginx writes a new playlist file and renames it over the old one: the harness stamps the wall
    clock when inotify reports the rename. The file's mtime is no substitute: the kernel stamps
    inodes from its coarse clock, which lags the wall clock by up to a tick (4 ms at HZ=250, ~2 ms
    on average), so mtimes make nginx look ~2 ms faster than it is. They are still reported
    (latency_mtime_*) to show that bias.
Also reported: "keyframe logged -> listed", from ffmpeg's log line for the keyframe that closes the
segment. It leaves out how long ffmpeg itself held that keyframe after the segment's last frame
(-re pacing and interleaving with audio), which is the same for both servers.
Lost segments: every playlist is polled over HTTP once a second; a sequence number missing between
the first and last seen is lost (the window is longer than the poll interval).
"""
import ctypes
import ctypes.util
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.request

GOP_SECONDS = 2.0
FRAMES_PER_GOP = 60
SAMPLE = 10          # publishers with per-packet timing
WARMUP = 8           # seconds after the last publisher started before CPU is measured
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / CLK_TCK


def jit_cpu_seconds(pids):
    """CPU time of the JVM's JIT compiler threads ("C1/C2 CompilerThre..."); 0 for other servers."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    head, rest = f.read().rsplit(")", 1)
                if "CompilerThre" in head:
                    fields = rest.split()
                    total += int(fields[11]) + int(fields[12])
            except OSError:
                pass
    return total / CLK_TCK


def rss_bytes(pids):
    """Resident memory of the processes. openivs keeps finished segments in unlinked tmpfs files
    (sendfile); their pages count only partly in VmRSS (those a reader touched through the mapping,
    as RssShmem), so for a process with such files the files' whole size replaces RssShmem."""
    total = 0
    for pid in pids:
        try:
            fields = {}
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(("VmRSS:", "RssShmem:")):
                        fields[line.split(":")[0]] = int(line.split()[1]) * 1024
            files = segment_file_bytes(pid)
            total += fields.get("VmRSS", 0) + (files - fields.get("RssShmem", 0) if files else 0)
        except OSError:
            pass
    return total


def segment_file_bytes(pid):
    total = 0
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(f"{fd_dir}/{fd}").startswith(f"/dev/shm/openivs-{pid}-"):
                total += os.stat(f"{fd_dir}/{fd}").st_size
        except OSError:
            pass
    return total


class Publisher:
    def __init__(self, index, spec, run):
        self.index = index
        self.spec = spec
        self.sampled = index < SAMPLE
        self.before_keyframe = {}   # keyframe number -> ns the packet before it was sent
        self.keyframe = {}          # keyframe number -> ns ffmpeg logged the keyframe itself
        self.sequences = {}         # media sequence -> duration (s), from polled playlists
        self.listed = {}            # media sequence -> ns listed (nginx: playlist renamed, seen by inotify)
        self.listed_mtime = {}      # nginx: media sequence -> playlist mtime (ns)
        cmd = [run["ffmpeg"], "-hide_banner", "-nostdin", "-nostats"]
        cmd += ["-debug_ts"] if self.sampled else ["-loglevel", "error"]
        cmd += ["-re", "-readrate_initial_burst", "0", "-i", run["fixture"], "-t", str(run["duration"]),
                "-c", "copy", "-f", "flv", spec["rtmp"]]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.errors = []
        threading.Thread(target=self.read_log, daemon=True).start()

    def read_log(self):
        video = 0
        previous = None
        for raw in self.proc.stderr:
            now = time.time_ns()
            if b"muxer <-" in raw:
                if raw.startswith(b"[vost"):
                    if video % FRAMES_PER_GOP == 0 and previous is not None:
                        self.before_keyframe[video // FRAMES_PER_GOP] = previous
                        self.keyframe[video // FRAMES_PER_GOP] = now
                    video += 1
                previous = now
            elif not self.sampled or b"rror" in raw:
                self.errors.append(raw.decode(errors="replace").strip())


PLAYLIST_ENTRY = re.compile(r"#EXTINF:([0-9.]+),[^\n]*\n([^\n#]+)")


def parse_playlist(text):
    m = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text)
    if not m:
        return []
    first = int(m.group(1))
    return [(first + i, float(d)) for i, (d, _) in enumerate(PLAYLIST_ENTRY.findall(text))]


def poll_http(publishers, stop):
    while not stop.is_set():
        started = time.monotonic()
        for p in publishers:
            try:
                with urllib.request.urlopen(p.spec["playlist"], timeout=2) as r:
                    for seq, duration in parse_playlist(r.read().decode()):
                        p.sequences.setdefault(seq, duration)
            except OSError:
                pass
        stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


class Inotify:
    """Linux inotify through libc: renames into watched directories, stamped when read."""
    MOVED_TO, CLOSE_WRITE = 0x80, 0x08

    def __init__(self):
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = self.libc.inotify_init1(0)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")

    def watch(self, directory):
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(directory), self.MOVED_TO | self.CLOSE_WRITE)
        if wd < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch " + directory)
        return wd

    def events(self):
        """Blocks; yields (now_ns, wd, name) for each event of one read."""
        data = os.read(self.fd, 65536)
        now = time.time_ns()
        offset = 0
        while offset < len(data):
            wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
            name = data[offset + 16:offset + 16 + length].rstrip(b"\0").decode()
            offset += 16 + length
            yield now, wd, name


def record_playlist(p, path, listed_ns):
    """nginx: the playlist at path was listed at listed_ns; also keeps its mtime."""
    try:
        mtime = os.stat(path).st_mtime_ns
        with open(path) as f:
            entries = parse_playlist(f.read())
    except OSError:
        return
    for seq, duration in entries:
        p.sequences.setdefault(seq, duration)
        p.listed.setdefault(seq, listed_ns)
        p.listed_mtime.setdefault(seq, mtime)


def watch_files(publishers, stop):
    """nginx: the playlist is listed when nginx renames its new version into place."""
    inotify = Inotify()
    by_wd = {}
    waiting = list(publishers)
    while waiting and not stop.is_set():   # nginx makes each stream's directory when it starts publishing
        for p in list(waiting):
            directory = os.path.dirname(p.spec["file"])
            if os.path.isdir(directory):
                by_wd[inotify.watch(directory)] = p
                waiting.remove(p)
                record_playlist(p, p.spec["file"], time.time_ns())  # a playlist written before the watch
        time.sleep(0.01)
    while not stop.is_set():
        for now, wd, name in inotify.events():
            p = by_wd.get(wd)
            if p is not None and name == os.path.basename(p.spec["file"]):
                record_playlist(p, p.spec["file"], now)


def read_server_timings(log_path, publishers):
    """openivs: 'segment NAME SEQ listed MICROS lastFrame MICROS duration TICKS' lines."""
    by_name = {p.spec["name"]: p for p in publishers}
    internal = []
    pattern = re.compile(r"segment (\S+) (\d+) listed (\d+) lastFrame (\d+) duration (\d+)")
    with open(log_path, errors="replace") as f:
        for line in f:
            m = pattern.search(line)
            if not m or m.group(1) not in by_name:
                continue
            p = by_name[m.group(1)]
            seq, listed, last, ticks = int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))
            p.listed[seq] = listed * 1000
            p.sequences[seq] = ticks / 90000
            if last > 0:
                internal.append((listed - last) / 1000)
    return internal


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    with open(sys.argv[1]) as f:
        run = json.load(f)
    pids = run["pids"]
    n = len(run["streams"])
    rss_idle = rss_bytes(pids)
    stop = threading.Event()
    publishers = []
    stagger = GOP_SECONDS / max(1, n)   # keyframes of different streams do not all land at once
    for i, spec in enumerate(run["streams"]):
        publishers.append(Publisher(i, spec, run))
        time.sleep(stagger)
    threading.Thread(target=poll_http, args=(publishers, stop), daemon=True).start()
    if run["target"] == "nginx":
        threading.Thread(target=watch_files, args=(publishers[:SAMPLE], stop), daemon=True).start()

    time.sleep(WARMUP)
    cpu0, jit0, t0 = cpu_seconds(pids), jit_cpu_seconds(pids), time.monotonic()
    measure = max(5, run["duration"] - WARMUP - 4)
    time.sleep(measure)
    cpu1, jit1, t1 = cpu_seconds(pids), jit_cpu_seconds(pids), time.monotonic()
    rss_live = rss_bytes(pids)
    alive = sum(1 for p in publishers if p.proc.poll() is None)
    for p in publishers:
        p.proc.wait()
    time.sleep(3)
    stop.set()

    internal = []
    if run["target"] == "openivs":
        internal = read_server_timings(run["server_log"], publishers)
    latencies, from_keyframe, by_mtime, mtime_early = [], [], [], []
    for p in publishers[:SAMPLE]:
        end = 0.0
        for seq in sorted(p.sequences):
            end += p.sequences[seq]
            keyframe = int(round(end / GOP_SECONDS))
            if seq in p.listed and keyframe in p.before_keyframe:
                latencies.append((p.listed[seq] - p.before_keyframe[keyframe]) / 1e6)
                from_keyframe.append((p.listed[seq] - p.keyframe[keyframe]) / 1e6)
                if seq in p.listed_mtime:
                    by_mtime.append((p.listed_mtime[seq] - p.before_keyframe[keyframe]) / 1e6)
                    mtime_early.append((p.listed[seq] - p.listed_mtime[seq]) / 1e6)
    lost = 0
    min_segments = None
    for p in publishers:
        seqs = sorted(p.sequences)
        if seqs:
            lost += (seqs[-1] - seqs[0] + 1) - len(seqs)
        min_segments = len(seqs) if min_segments is None else min(min_segments, len(seqs))
    errors = [e for p in publishers for e in p.errors][:5]
    stream_minutes = n * (t1 - t0) / 60
    print(json.dumps({
        "target": run["target"], "streams": n, "alive_while_measured": alive,
        "cpu_s_per_stream_minute": (cpu1 - cpu0) / stream_minutes,
        "jit_share_of_cpu": (jit1 - jit0) / (cpu1 - cpu0) if cpu1 > cpu0 else None,
        "cpu_s_per_stream_minute_without_jit": (cpu1 - cpu0 - (jit1 - jit0)) / stream_minutes,
        "rss_idle_mib": rss_idle / 2**20, "rss_live_mib": rss_live / 2**20,
        "rss_per_stream_mib": (rss_live - rss_idle) / n / 2**20,
        "latency_ms_median": statistics.median(latencies) if latencies else None,
        "latency_ms_p95": percentile(latencies, 0.95), "latency_samples": len(latencies),
        "keyframe_to_listed_ms_median": statistics.median(from_keyframe) if from_keyframe else None,
        "keyframe_to_listed_ms_p95": percentile(from_keyframe, 0.95),
        "latency_mtime_ms_median": statistics.median(by_mtime) if by_mtime else None,
        "latency_mtime_ms_p95": percentile(by_mtime, 0.95),
        "rename_seen_after_mtime_ms": [percentile(mtime_early, q) for q in (0.05, 0.5, 0.95)] if mtime_early else None,
        "server_internal_ms_median": statistics.median(internal) if internal else None,
        "server_internal_ms_p95": percentile(internal, 0.95),
        "lost_segments": lost, "min_segments_per_stream": min_segments,
        "publisher_errors": errors,
    }))


if __name__ == "__main__":
    main()

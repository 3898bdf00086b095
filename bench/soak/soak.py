#!/usr/bin/env python3
"""soak.py SPEC.json: drives one openivs process for a set time and samples it.

Legitimate load: publishers (ffmpeg -c copy of a looped fixture) that stay for a random while, leave and
come back; viewers reading each live channel's media playlist and newest segment every second; signed API
calls (ListChannels, GetChannel, GetStream, Create/DeleteChannel). Hostile load beside it: playback and
API connections trickling a request head a byte at a time, garbage and half handshakes on RTMP,
random and handshake-shaped datagrams on SRT, and publishes with a wrong stream key.

Every INTERVAL seconds it prints the server's RSS, open file descriptors, threads and Java heap (used
after a full GC when heap_gc is on, so the figure is what is live, not what waits for collection), then a
verdict: for each figure, the median of the run's last third against that of its first third (after the
warm-up), growth past a tolerance called out.
"""
import datetime
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "control"))
from presign import _credentials, presign  # noqa: E402  (the control benchmark's SigV4 signer)

spec = json.load(open(sys.argv[1]))
API = spec["api"]
PID = spec["pid"]
STOP = threading.Event()
LOCK = threading.Lock()
COUNTS = {}
RUNNING = set()  # publishers' ffmpeg processes, stopped with the run


def count(name, n=1):
    with LOCK:
        COUNTS[name] = COUNTS.get(name, 0) + n


def call(op, payload):
    """A signed API call; its JSON answer, or None for an empty one (DeleteChannel)."""
    body = json.dumps(payload, separators=(",", ":"))
    now = datetime.datetime.now(datetime.timezone.utc)
    url = API + presign(urllib.parse.urlsplit(API).netloc, op, body, *_credentials(), now)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def sleep(seconds):
    return STOP.wait(seconds)


# --- legitimate load

def make_channels(n):
    out = []
    for i in range(n):
        created = call("CreateChannel", {"name": f"soak-{i}", "insecureIngest": True, "type": "BASIC"})
        path = urllib.parse.urlsplit(created["channel"]["playbackUrl"]).path
        out.append({
            "arn": created["channel"]["arn"],
            "rtmp": f"rtmp://127.0.0.1:{spec['rtmp_port']}/app/{created['streamKey']['value']}",
            "playlist": f"http://127.0.0.1:{spec['playback_port']}{path[:-len('.m3u8')]}/live.m3u8",
        })
    return out


def publisher(ch):
    # Staggered starts: all publishers connect from one address, where more than 16 connections not yet
    # publishing are refused (an unauthenticated peer's limit).
    sleep(random.uniform(0, 10))
    while not STOP.is_set():
        stay = random.uniform(spec["publish_min"], spec["publish_max"])
        p = subprocess.Popen(
            [spec["ffmpeg"], "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
             "-i", spec["fixture"], "-c", "copy", "-t", f"{stay:.0f}", "-f", "flv", ch["rtmp"]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        count("publishes")
        with LOCK:
            RUNNING.add(p)
        try:
            _, err = p.communicate(timeout=stay + 30)
            if p.returncode != 0 and not STOP.is_set():
                count("publish failures")
                text = re.sub(r"sk_[\w-]+", "sk_***", err.decode(errors="replace")[-300:])  # no keys in logs
                sys.stderr.write(f"publisher exit {p.returncode}: {text}\n")
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        with LOCK:
            RUNNING.discard(p)
        if STOP.is_set():
            break
        sleep(random.uniform(2, 6))  # away, then back: a new session


def gaps(last, body):
    """(segments skipped since the last playlist of this session, the newest sequence number now).

    A viewer polling every second sees each segment of a live window several segments long; a sequence number
    that never appeared between two polls is a segment the server never listed."""
    m = re.search(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)", body, re.M)
    n = sum(1 for line in body.splitlines() if line.startswith("#EXTINF"))
    if not m or n == 0:
        return 0, last
    first, newest = int(m.group(1)), int(m.group(1)) + n - 1
    if last is None or newest < last:
        return 0, newest  # first sight, or a new session numbered afresh
    return max(0, first - last - 1), newest


def viewer(channels):
    newest = {}
    while not STOP.is_set():
        for ch in channels:
            try:
                with urllib.request.urlopen(ch["playlist"], timeout=10) as r:
                    body = r.read().decode()
                count("viewer playlists")
                skipped, newest[ch["arn"]] = gaps(newest.get(ch["arn"]), body)
                if skipped:
                    count("segment gaps (segments never listed)", skipped)
                segments = [line for line in body.splitlines() if line and not line.startswith("#")]
                if segments:
                    url = ch["playlist"].rsplit("/", 1)[0] + "/" + segments[-1]
                    with urllib.request.urlopen(url, timeout=10) as r:
                        r.read()
                    count("viewer segments")
            except urllib.error.HTTPError as e:
                newest.pop(ch["arn"], None)  # between sessions
                count("viewer 404 (not live)" if e.code == 404 else f"viewer HTTP {e.code}")
            except OSError:
                count("viewer errors")
        sleep(1)


def api_user(channels):
    i = 0
    while not STOP.is_set():
        i += 1
        ch = random.choice(channels)
        try:
            call("ListChannels", {"maxResults": 100})
            call("GetChannel", {"arn": ch["arn"]})
            try:
                call("GetStream", {"channelArn": ch["arn"]})
            except urllib.error.HTTPError as e:
                if e.code != 404:
                    raise
            if i % 10 == 0:
                arn = call("CreateChannel", {"name": f"churn-{i}"})["channel"]["arn"]
                call("DeleteChannel", {"arn": arn})
            count("api rounds")
        except (OSError, ValueError) as e:
            count("api errors")
            sys.stderr.write(f"api: {e}\n")
        sleep(0.5)


# --- hostile load

def slow_heads(port, name):
    """Holds connections that trickle a request head, one byte every 2 s; the server should close them."""
    held = []
    head = b"GET /slow HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 4000
    while not STOP.is_set():
        # At most a fifth of them opened per round: the server closes each a header timeout after it opened,
        # so connections opened together would all go and come back together, and the descriptor count
        # sampled would swing with that wave rather than with what the server keeps.
        for _ in range(max(1, spec["slow_heads"] // 5)):
            if len(held) >= spec["slow_heads"]:
                break
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.setblocking(False)  # the checks below must not wait
                held.append([s, 0])
            except OSError:
                count(f"{name} slow-head connect failures")
                break
        for entry in list(held):
            s, i = entry
            try:
                try:
                    if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                        raise ConnectionResetError("closed")  # the server's FIN
                except BlockingIOError:
                    pass  # nothing from the server: still open
                s.send(head[i % len(head):i % len(head) + 1])
                entry[1] += 1
            except OSError:
                count(f"{name} slow heads closed by the server")
                s.close()
                held.remove(entry)
        sleep(2)
    for s, _ in held:
        s.close()


def rtmp_garbage():
    while not STOP.is_set():
        try:
            with socket.create_connection(("127.0.0.1", spec["rtmp_port"]), timeout=5) as s:
                if random.random() < 0.5:
                    s.sendall(os.urandom(random.randint(1, 4096)))
                else:  # a valid C0+C1, then chunks declaring large messages, then silence for a while
                    s.sendall(b"\x03" + os.urandom(1536))
                    s.sendall(os.urandom(1536))
                    s.sendall(bytes([0x04, 0, 0, 0, 0x7f, 0xff, 0xff, 0x14, 1, 0, 0, 0]) + os.urandom(128))
                    s.settimeout(random.uniform(0.5, 3))
                    try:
                        s.recv(65536)
                    except OSError:
                        pass
            count("rtmp garbage connections")
        except OSError:
            count("rtmp garbage refused")
        sleep(0.2)


def srt_noise():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    while not STOP.is_set():
        for _ in range(20):
            if random.random() < 0.5:
                data = os.urandom(random.randint(1, 1500))
            else:  # a control packet of type handshake (induction-shaped), random fields
                data = bytes([0x80, 0x00, 0, 0]) + os.urandom(12) + (4).to_bytes(4, "big") + os.urandom(44)
            try:
                sock.sendto(data, ("127.0.0.1", spec["srt_port"]))
                count("srt datagrams")
            except OSError:
                count("srt send errors")
        sleep(0.5)
    sock.close()


def wrong_keys():
    while not STOP.is_set():
        subprocess.run(
            [spec["ffmpeg"], "-hide_banner", "-loglevel", "quiet", "-re", "-i", spec["fixture"], "-t", "2",
             "-c", "copy", "-f", "flv", f"rtmp://127.0.0.1:{spec['rtmp_port']}/app/sk_us-west-2_wrong{random.randint(0, 1 << 30)}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        count("wrong-key publishes")
        sleep(3)


# --- sampling

def proc_figures():
    status = open(f"/proc/{PID}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    fds = len(os.listdir(f"/proc/{PID}/fd"))
    return rss, fds, threads


def heap_mib():
    if spec["heap_gc"]:
        subprocess.run(["jcmd", str(PID), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(PID), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    used = [int(k) for k in re.findall(r"used (\d+)K", out)]
    # ParallelGC lists the young generation and its spaces, then the old: young + old, without the spaces.
    gens = re.findall(r"^\s*(\w+Gen|garbage-first heap)\s+total \d+K, used (\d+)K", out, re.M)
    if gens:
        return sum(int(u) for _, u in gens) / 1024
    return (used[0] / 1024) if used else float("nan")


def main():
    channels = make_channels(spec["streams"])
    threads = [threading.Thread(target=publisher, args=(ch,), daemon=True) for ch in channels]
    threads += [threading.Thread(target=viewer, args=(channels,), daemon=True) for _ in range(spec["viewers"])]
    threads += [threading.Thread(target=api_user, args=(channels,), daemon=True) for _ in range(spec["api_users"])]
    if spec["hostile"]:
        threads += [
            threading.Thread(target=slow_heads, args=(spec["playback_port"], "playback"), daemon=True),
            threading.Thread(target=slow_heads, args=(spec["api_port"], "api"), daemon=True),
            threading.Thread(target=rtmp_garbage, daemon=True),
            threading.Thread(target=srt_noise, daemon=True),
            threading.Thread(target=wrong_keys, daemon=True),
        ]
    for t in threads:
        t.start()
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())

    start = time.monotonic()
    samples = []
    print(f"{'t (s)':>6} {'RSS MiB':>8} {'fds':>5} {'threads':>7} {'heap MiB':>8}", flush=True)
    while not STOP.is_set():
        t = time.monotonic() - start
        try:
            rss, fds, nthreads = proc_figures()
            heap = heap_mib()
        except (OSError, AttributeError, subprocess.SubprocessError) as e:
            print(f"the server is gone: {e}", flush=True)
            STOP.set()
            sys.exit(1)
        if spec.get("nmt") and t >= spec["warmup"] and not any(s[0] >= spec["warmup"] for s in samples):
            subprocess.run(["jcmd", str(PID), "VM.native_memory", "baseline"], capture_output=True, timeout=60)
        samples.append((t, rss, fds, nthreads, heap))
        print(f"{t:6.0f} {rss:8.1f} {fds:5d} {nthreads:7d} {heap:8.1f}", flush=True)
        if t >= spec["duration"]:
            break
        sleep(spec["interval"])
    STOP.set()
    with LOCK:
        for p in RUNNING:
            p.terminate()
    for t in threads:
        t.join(timeout=40)

    if spec.get("nmt"):
        diff = subprocess.run(["jcmd", str(PID), "VM.native_memory", "summary.diff", "scale=KB"],
                              capture_output=True, text=True, timeout=60).stdout
        print("\nnative memory since the warm-up (committed KB, categories that moved):")
        for line in diff.splitlines():
            m = re.match(r"^[-\s]*(Total|[A-Za-z][\w ]*?)[:\s(]+reserved=.*committed=(\d+)KB ([+-]\d+)KB", line)
            if m and abs(int(m.group(3))) >= 256:
                print(f"  {m.group(1):<28} {m.group(2):>9} ({m.group(3)})")
    print("\nactivity:", ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())))
    measured = [s for s in samples if s[0] >= spec["warmup"]]
    if len(measured) < 6:
        print("verdict: too few samples after the warm-up to judge (run longer or sample more often)")
        return
    third = len(measured) // 3
    first, last = measured[:third], measured[-third:]
    grew = []
    # (name, column, relative tolerance, absolute tolerance): a figure grew if its median over the last third
    # is above the first third's by more than both.
    for name, col, rel, absolute in (("RSS MiB", 1, 0.10, 20), ("fds", 2, 0.10, 10), ("threads", 3, 0.10, 5),
                                     ("heap MiB", 4, 0.20, 10)):
        a = statistics.median(s[col] for s in first)
        b = statistics.median(s[col] for s in last)
        verdict = "GREW" if b - a > max(a * rel, absolute) else "flat"
        if verdict == "GREW":
            grew.append(name)
        print(f"{name:>9}: first third median {a:8.1f}, last third {b:8.1f} ({b - a:+.1f}) {verdict}")
    print("verdict: " + ("GREW: " + ", ".join(grew) if grew else "flat: no figure grew past its tolerance")
          + f"; segment gaps: {COUNTS.get('segment gaps (segments never listed)', 0)}")


main()

#!/usr/bin/env bash
# SRT ingest benchmark (issue 18): CPU per stream-minute of openivs receiving N SRT callers (ffmpeg -c copy of
# a ~1 Mbps H.264+AAC MPEG-TS fixture, 2 s GOP, latency 200 ms), against, in the same run, the same N publishers
# over RTMP to openivs (the anchor: what the project's own RTMP ingest costs) and against srt-live-transmit
# (Debian's srt-tools, the reference SRT implementation) receiving the same N callers and discarding the stream.
# openivs remuxes to HLS as well; srt-live-transmit only receives, so it is the floor of SRT's own cost.
#
#   bench/srt/run.sh                       # N = 1 5, 40 s measured per phase after 10 s settling
#   STREAMS="1 10" DURATION=60 WARMUP=60 bench/srt/run.sh   # WARMUP: one SRT and one RTMP publisher first, unreported
#   PBKEYLEN=16 bench/srt/run.sh           # SRT encrypted (AES-128; 24, 32: AES-192, 256), as IVS channels are by
#                                          # default: openivs with each channel's passphrase, srt-live-transmit too
#
# Prints per N and target: CPU seconds per stream-minute; memory per stream (openivs: its RSS growth over the
# phase, from idle with no stream, over N; srt-live-transmit: its receivers' RSS over N); and the machine's load
# average before and after each phase (a shared machine: figures of a loaded run are high and noisy).
# Everything listens on 127.0.0.1; servers and publishers are stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/server/target/openivs.jar}"
STREAMS="${STREAMS:-1 5}"
DURATION="${DURATION:-40}"
SETTLE="${SETTLE:-10}"
WARMUP="${WARMUP:-90}"
WARMUP_STREAMS="${WARMUP_STREAMS:-5}"
IDLE="${IDLE:-10}"
PACE="${PACE:-4}"
BASE_PORT="${BASE_PORT:-24180}"
API="http://127.0.0.1:$BASE_PORT"
PLAYBACK_PORT=$((BASE_PORT + 1)); RTMP_PORT=$((BASE_PORT + 2)); RTMPS_PORT=$((BASE_PORT + 3)); SRT_PORT=$((BASE_PORT + 4))
SLT_BASE_PORT=$((BASE_PORT + 100))
PBKEYLEN="${PBKEYLEN:-0}"
SLT_PASSPHRASE="bench-srt-passphrase"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/openivs-bench"
export BENCH_ACCESS_KEY=AKIABENCH000000000000
export BENCH_SECRET_KEY=benchsecret

need() { command -v "$1" >/dev/null 2>&1; }
need srt-live-transmit || { apt-get update -qq && apt-get install -y -qq srt-tools >/dev/null; }
need python3 || { echo "python3 is required" >&2; exit 1; }

# ffmpeg: $FFMPEG, else the bytedeco jar's (extracted by any ffmpeg test; it links libsrt), whose executables
# want libva.so.2 / libva-drm.so.2, shipped unversioned.
if [ -z "${FFMPEG:-}" ]; then
    FFMPEG="$(ls -d "$HOME"/.javacpp/cache/ffmpeg-*-linux-x86_64-gpl.jar/org/bytedeco/ffmpeg/linux-x86_64-gpl/ffmpeg 2>/dev/null | tail -1 || true)"
    [ -n "$FFMPEG" ] || { echo "run an ffmpeg test once (or set FFMPEG to an ffmpeg with libsrt)" >&2; exit 1; }
    LIBS="$(dirname "$FFMPEG")"
    mkdir -p "$CACHE/libs"
    ln -sf "$LIBS/libva.so" "$CACHE/libs/libva.so.2"; ln -sf "$LIBS/libva-drm.so" "$CACHE/libs/libva-drm.so.2"
    export LD_LIBRARY_PATH="$CACHE/libs:$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

mkdir -p "$CACHE"
FIXTURE="$CACHE/fixture-720p30-1mbps.ts"
if [ ! -f "$FIXTURE" ]; then
    echo "generating the fixture (100 s, 1280x720 30 fps, 900 kb/s H.264 GOP 60 + 96 kb/s AAC, MPEG-TS) ..." >&2
    "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 100 \
        -c:v libx264 -preset veryfast -profile:v main -b:v 900k -maxrate 900k -bufsize 1800k \
        -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 96k -ac 2 -f mpegts "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
fi
if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && ./mvnw -q -B -ntp -pl server -DskipTests package)
fi

WORK="$(mktemp -d /tmp/openivs-srt-bench.XXXXXX)"
SERVER_PID=""; PUBLISHERS=(); RECEIVERS=(); URLS=(); FORMATS=(); RESTARTS=0
stop_pid() { # politely, then firmly
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
stop_all() {
    for p in "${PUBLISHERS[@]}" "${RECEIVERS[@]}"; do stop_pid "$p"; done
    PUBLISHERS=(); RECEIVERS=(); URLS=(); FORMATS=(); RESTARTS=0
}
cleanup() {
    stop_all; stop_pid "$SERVER_PID"
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

cpu_ticks() { # utime + stime of the given processes, in clock ticks
    local total=0 p f
    for p in "$@"; do
        f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
        f="${f##*) }"
        set -- $f
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
rss_kib() { # summed VmRSS of the given processes
    local total=0 p k
    for p in "$@"; do
        k="$(awk '/VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null)" || continue
        total=$((total + ${k:-0}))
    done
    echo "$total"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# memory LABEL N BEFORE_KIB PIDS...: RSS now, and per stream (growth since BEFORE_KIB, over N)
memory() {
    local label="$1" n="$2" before="$3"; shift 3
    local now; now="$(rss_kib "$@")"
    python3 -c 'import sys
label, n, before, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"{label:<22} N={n:<3} RSS {now / 1024:7.1f} MiB, {(now - before) / 1024 / n:6.2f} MiB per stream"
      f" (from {before / 1024:.1f} MiB before)")
with open(sys.argv[5], "a") as f:
    f.write(f"{label}\t{n}\tmem\t{(now - before) / 1024 / n:.1f}\n")' "$label" "$n" "$before" "$now" "$WORK/results"
}

start_openivs() {
    mkdir -p "$WORK/data"
    OPENIVS_TRANSCODE=false OPENIVS_JAR="$JAR" JAVA_OPTS="${JAVA_OPTS:-} -Dlogback.configurationFile=$ROOT/bench/ingest/logback.xml" \
        "$ROOT/bin/openivs" serve --data-dir "$WORK/data" \
        --bind 127.0.0.1 --api-port "$BASE_PORT" --playback-port "$PLAYBACK_PORT" --rtmp-port "$RTMP_PORT" \
        --rtmps-port "$RTMPS_PORT" --srt-port "$SRT_PORT" \
        --access-key "$BENCH_ACCESS_KEY" --secret-key "$BENCH_SECRET_KEY" >"$WORK/openivs.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 150); do
        kill -0 "$SERVER_PID" 2>/dev/null || break  # e.g. a port in use: BASE_PORT=... moves them all
        grep -q "control API" "$WORK/openivs.log" && return 0
        sleep 0.2
    done
    echo "openivs did not start" >&2; cat "$WORK/openivs.log" >&2; exit 1
}

publish() { # publish URL FORMAT: one real-time ffmpeg -c copy of the fixture, looped
    "$FFMPEG" -hide_banner -loglevel error -re -stream_loop -1 -i "$FIXTURE" -c copy -f "$2" "$1" \
        </dev/null >/dev/null 2>>"$WORK/publishers.log" &
    PUBLISHERS+=($!)
    URLS+=("$1"); FORMATS+=("$2")
}

# publish_paced FORMAT URL...: starts the publishers PACE a second, then restarts (up to twice each) any that
# exited while the others came up. Both ingests guard against floods from one address (RTMP: 16 connections not
# yet publishing per address; SRT: 20 handshake packets a second and 8 handshakes in flight per address), and
# 50 publishers started at once from 127.0.0.1 on a loaded host tripped them: only 20 of 50 RTMP publishers came up.
publish_paced() {
    local format="$1"; shift
    local u i try
    for u in "$@"; do publish "$u" "$format"; sleep "$(python3 -c "print(1 / $PACE)")"; done
    for try in 1 2; do
        sleep 3
        for i in "${!PUBLISHERS[@]}"; do
            kill -0 "${PUBLISHERS[$i]}" 2>/dev/null && continue
            wait "${PUBLISHERS[$i]}" 2>/dev/null || true
            RESTARTS=$((RESTARTS + 1))
            "$FFMPEG" -hide_banner -loglevel error -re -stream_loop -1 -i "$FIXTURE" -c copy -f "${FORMATS[$i]}" \
                "${URLS[$i]}" </dev/null >/dev/null 2>>"$WORK/publishers.log" &
            PUBLISHERS[$i]=$!
            sleep "$(python3 -c "print(1 / $PACE)")"
        done
    done
}

# idle PID: the server's CPU with no stream over IDLE seconds, just before a phase: work left over from the
# last phase (streams ending, their files, GC, the JIT) that would otherwise be charged to the next one
idle() {
    local t0 t1 tck; tck="$(getconf CLK_TCK)"
    t0="$(cpu_ticks "$1")"; sleep "$IDLE"; t1="$(cpu_ticks "$1")"
    python3 -c 'import sys
ticks, tck, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"openivs idle                 CPU {ticks / tck:7.2f} s over {seconds} s = {ticks / tck / seconds * 60:6.3f} s per minute"
      f" with no stream (load average {sys.argv[4]})")' "$((t1 - t0))" "$tck" "$IDLE" "$(load)"
}

# measure LABEL N PIDS...: CPU of PIDS over DURATION once SETTLE has passed, per stream-minute; for openivs, the
# threads that spent it
measure() {
    local label="$1" n="$2"; shift 2
    sleep "$SETTLE"
    local l0; l0="$(load)"
    local up0; up0="$(live_publishers)"
    [ "$n" -gt 0 ] && [ "${label#openivs}" != "$label" ] && python3 "$HERE/threads.py" "$1" "$WORK/threads"
    local t0 t1; t0="$(cpu_ticks "$@")"; sleep "$DURATION"; t1="$(cpu_ticks "$@")"
    local tck; tck="$(getconf CLK_TCK)"
    local live; live="$(live_publishers)"
    python3 -c 'import sys
label, n, ticks, tck, seconds, up0, live = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
cpu = ticks / tck
valid = "" if up0 == n and live == n else "  NOT A FIGURE: publishers missing"
print(f"{label:<22} N={n:<3} CPU {cpu:7.2f} s over {seconds} s = {cpu / n / (seconds / 60):6.3f} s per stream-minute"
      f"  ({up0}/{n} publishers up at the start, {live}/{n} at the end, {sys.argv[10]} restarted while starting;"
      f" load average {sys.argv[8]} before, {sys.argv[9]} after){valid}")
with open(sys.argv[11], "a") as f:
    tag = " (invalid)" if valid else ""
    f.write(f"{label}\t{n}\t{cpu / n / (seconds / 60):.3f}{tag}\n")' \
        "$label" "$n" "$((t1 - t0))" "$tck" "$DURATION" "$up0" "$live" "$l0" "$(load)" "$RESTARTS" "$WORK/results"
    if [ -f "$WORK/threads" ]; then
        python3 "$HERE/threads.py" "$1" "$WORK/threads" "$WORK/jit"
        python3 -c 'import sys
ticks, tck, jit, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"    without the JIT compiler ({jit:.2f} s): {(ticks / tck - jit) / n / (seconds / 60):6.3f} s per stream-minute")' \
            "$((t1 - t0))" "$tck" "$(cat "$WORK/jit")" "$n" "$DURATION"
    fi
    return 0
}
live_publishers() {
    local live=0 p
    for p in "${PUBLISHERS[@]}"; do kill -0 "$p" 2>/dev/null && live=$((live + 1)); done
    echo "$live"
}

# srt_urls PREFIX N: creates N channels and sets urls to their SRT callers' URLs (with each channel's passphrase when
# PBKEYLEN is set; the passphrase goes in the URL, which nothing prints)
srt_urls() {
    local key pass
    urls=()
    if [ "$PBKEYLEN" = 0 ]; then
        while read -r key; do
            urls+=("srt://127.0.0.1:$SRT_PORT?mode=caller&latency=200000&streamid=$key")
        done < <(python3 "$HERE/channels.py" "$API" "$2" "$1")
    else
        while IFS=$'\t' read -r key pass; do
            urls+=("srt://127.0.0.1:$SRT_PORT?mode=caller&latency=200000&streamid=$key&passphrase=$pass&pbkeylen=$PBKEYLEN")
        done < <(python3 "$HERE/channels.py" "$API" "$2" "$1" secure)
    fi
}
SLT_CRYPTO=""
[ "$PBKEYLEN" = 0 ] || SLT_CRYPTO="&passphrase=$SLT_PASSPHRASE&pbkeylen=$PBKEYLEN"

start_openivs
echo "SRT encryption: $([ "$PBKEYLEN" = 0 ] && echo none || echo "AES-$((PBKEYLEN * 8))")"
echo "openivs $(basename "$JAR"), fixture $(basename "$FIXTURE"), $DURATION s measured per phase after $SETTLE s"
echo "$(nproc) cores; uptime at the start: $(uptime)"
# Warm-up, not reported: WARMUP_STREAMS SRT and as many RTMP publishers for WARMUP seconds, so the JIT compiles both
# paths first (a long-running server has long done so). With one stream for 25 s, C2 was still compiling the SRT
# path in the first measured phase: 0.59 s of its 0.85 s (the one-stream SRT figure, 2.25-2.55, was mostly that).
srt_urls warmup-srt "$WARMUP_STREAMS"
publish_paced mpegts "${urls[@]}"
mapfile -t keys < <(python3 "$HERE/channels.py" "$API" "$WARMUP_STREAMS" warmup-rtmp)
urls=(); for k in "${keys[@]}"; do urls+=("rtmp://127.0.0.1:$RTMP_PORT/app/$k"); done
publish_paced flv "${urls[@]}"
sleep "$WARMUP"
stop_all; sleep 3
run=0
for n in $STREAMS; do
    run=$((run + 1))
    # SRT into openivs: a fresh channel per publisher (a channel takes one publisher).
    srt_urls "srt$run" "$n"
    idle "$SERVER_PID"
    rss0="$(rss_kib "$SERVER_PID")"
    publish_paced mpegts "${urls[@]}"
    measure "openivs SRT" "$n" "$SERVER_PID"
    memory "openivs SRT" "$n" "$rss0" "$SERVER_PID"
    stop_all; sleep 3

    # The same publishers over RTMP into openivs.
    mapfile -t keys < <(python3 "$HERE/channels.py" "$API" "$n" "rtmp$run")
    idle "$SERVER_PID"
    rss0="$(rss_kib "$SERVER_PID")"
    urls=(); for k in "${keys[@]}"; do urls+=("rtmp://127.0.0.1:$RTMP_PORT/app/$k"); done
    publish_paced flv "${urls[@]}"
    measure "openivs RTMP" "$n" "$SERVER_PID"
    memory "openivs RTMP" "$n" "$rss0" "$SERVER_PID"
    stop_all; sleep 3

    # srt-live-transmit: one listener per caller (it takes one), the stream thrown away.
    for i in $(seq 0 $((n - 1))); do
        srt-live-transmit -q "srt://127.0.0.1:$((SLT_BASE_PORT + i))?mode=listener&latency=200$SLT_CRYPTO" file://con \
            </dev/null >/dev/null 2>>"$WORK/slt.log" &
        RECEIVERS+=($!)
    done
    sleep 1
    urls=(); for i in $(seq 0 $((n - 1))); do urls+=("srt://127.0.0.1:$((SLT_BASE_PORT + i))?mode=caller&latency=200000$SLT_CRYPTO"); done
    publish_paced mpegts "${urls[@]}"
    measure "srt-live-transmit" "$n" "${RECEIVERS[@]}"
    memory "srt-live-transmit" "$n" 0 "${RECEIVERS[@]}"
    stop_all; sleep 3
done
echo "uptime at the end: $(uptime)"
# The issue's table: CPU seconds per stream-minute (memory per stream) per N and target.
python3 - "$WORK/results" <<'PY'
import sys
cpu, mem, ns = {}, {}, []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    n = int(f[1])
    if n not in ns:
        ns.append(n)
    if f[2] == "mem":
        mem[(f[0], n)] = f[3]
    else:
        cpu[(f[0], n)] = f[2]
targets = ["openivs SRT", "openivs RTMP", "srt-live-transmit"]
print("\n| N | " + " | ".join(targets) + " |\n| --- |" + " --- |" * len(targets))
for n in ns:
    cells = [f"{cpu.get((t, n), '-')} ({mem.get((t, n), '-')} MiB)" for t in targets]
    print(f"| {n} | " + " | ".join(cells) + " |")
PY

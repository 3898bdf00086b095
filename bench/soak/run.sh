#!/usr/bin/env bash
# Soak (project issue 15): the packaged jar under legitimate and hostile load for a set time, its RSS, open
# file descriptors, threads and Java heap printed over time, and a verdict on whether they grew.
#
#   bench/soak/run.sh                          # 30 min, 20 publishers coming and going, 4 viewers, 2 API users
#   DURATION=300 STREAMS=4 bench/soak/run.sh   # a short run
#   HOSTILE=0 ...                              # legitimate load only (a baseline for the figures)
#   INTERVAL=15 WARMUP=60 HEAP_GC=1            # sample period, samples left out of the verdict, full GC per sample
#   NMT=1 ...                                  # JVM native memory tracking: what native memory grew, by category
#
# Legitimate: each publisher streams a 1 Mbps fixture (ffmpeg -c copy, looped) for PUBLISH_MIN..PUBLISH_MAX s,
# leaves for 2-6 s and comes back (a new session); viewers read every channel's media playlist and newest
# segment each second; API users call ListChannels, GetChannel, GetStream twice a second and create and
# delete a channel every tenth round. Hostile, all the while: SLOW_HEADS connections each on the playback
# and API ports trickling a head a byte every 2 s, garbage and half handshakes with large declared
# messages on RTMP, random and handshake-shaped datagrams on SRT, a publish with a wrong key every ~5 s.
# Everything listens on 127.0.0.1; the server and the load stop on exit.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/server/target/openivs.jar}"
DURATION="${DURATION:-1800}"
STREAMS="${STREAMS:-20}"
VIEWERS="${VIEWERS:-4}"
API_USERS="${API_USERS:-2}"
SLOW_HEADS="${SLOW_HEADS:-50}"
HOSTILE="${HOSTILE:-1}"
INTERVAL="${INTERVAL:-15}"
WARMUP="${WARMUP:-60}"
HEAP_GC="${HEAP_GC:-1}"
PUBLISH_MIN="${PUBLISH_MIN:-20}"
PUBLISH_MAX="${PUBLISH_MAX:-90}"
BASE_PORT="${BASE_PORT:-19180}"
API="http://127.0.0.1:$BASE_PORT"
PLAYBACK_PORT=$((BASE_PORT + 1)); RTMP_PORT=$((BASE_PORT + 2)); RTMPS_PORT=$((BASE_PORT + 3)); SRT_PORT=$((BASE_PORT + 4))
export BENCH_ACCESS_KEY=AKIASOAK000000000000
export BENCH_SECRET_KEY=soaksecret

command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd (from the JDK) is required for the heap figures" >&2; exit 1; }

# ffmpeg and the fixture: the ingest benchmark's (the bytedeco executable the tests use, else the system one).
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/openivs-bench"
mkdir -p "$CACHE"
if [ -z "${FFMPEG:-}" ]; then
    FFMPEG="$(ls -d "$HOME"/.javacpp/cache/ffmpeg-*-linux-x86_64-gpl.jar/org/bytedeco/ffmpeg/linux-x86_64-gpl/ffmpeg 2>/dev/null | tail -1 || true)"
    if [ -n "$FFMPEG" ]; then
        LIBS="$(dirname "$FFMPEG")"
        mkdir -p "$CACHE/libs"
        ln -sf "$LIBS/libva.so" "$CACHE/libs/libva.so.2"; ln -sf "$LIBS/libva-drm.so" "$CACHE/libs/libva-drm.so.2"
        export LD_LIBRARY_PATH="$CACHE/libs:$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    else
        FFMPEG="$(command -v ffmpeg || true)"
    fi
fi
[ -n "$FFMPEG" ] || { echo "no ffmpeg: run any ffmpeg test once (it extracts the bytedeco one) or set FFMPEG" >&2; exit 1; }
FIXTURE="$CACHE/soak-fixture-360p30.flv"
if [ ! -f "$FIXTURE" ]; then
    echo "generating the fixture (20 s, 640x360 30 fps, H.264 GOP 60 + AAC) ..." >&2
    "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 \
        -c:v libx264 -preset veryfast -b:v 800k -maxrate 800k -bufsize 1600k -g 60 -keyint_min 60 -sc_threshold 0 \
        -pix_fmt yuv420p -c:a aac -b:a 96k -ac 2 -f flv "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
fi
if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && ./mvnw -q -B -ntp -pl server -am -DskipTests package)
fi

WORK="$(mktemp -d /tmp/openivs-soak.XXXXXX)"
SERVER_PID=""; SOAK_PID=""
stop_pid() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop_pid "$SOAK_PID"; stop_pid "$SERVER_PID"
    [ "${KEEP:-0}" = 1 ] && echo "kept: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# The server makes the data folder itself (0700).
NMT="${NMT:-0}"
[ "$NMT" = 1 ] && export JAVA_OPTS="${JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
OPENIVS_TRANSCODE=false OPENIVS_JAR="$JAR" "$ROOT/bin/openivs" serve --data-dir "$WORK/data" \
    --bind 127.0.0.1 --api-port "$BASE_PORT" --playback-port "$PLAYBACK_PORT" --rtmp-port "$RTMP_PORT" \
    --rtmps-port "$RTMPS_PORT" --srt-port "$SRT_PORT" --access-key "$BENCH_ACCESS_KEY" --secret-key "$BENCH_SECRET_KEY" \
    >"$WORK/openivs.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do curl -s -o /dev/null -X POST "$API/ListChannels" && break; sleep 0.2; done
curl -s -o /dev/null -X POST "$API/ListChannels" || { echo "openivs did not start" >&2; cat "$WORK/openivs.log" >&2; exit 1; }
# bin/openivs execs java: the server's process is the launcher's.
JAVA_PID="$SERVER_PID"

python3 -c 'import json, sys
a = sys.argv
print(json.dumps({"api": a[1], "pid": int(a[2]), "rtmp_port": int(a[3]), "playback_port": int(a[4]),
    "api_port": int(a[5]), "srt_port": int(a[6]), "ffmpeg": a[7], "fixture": a[8], "duration": int(a[9]),
    "streams": int(a[10]), "viewers": int(a[11]), "api_users": int(a[12]), "slow_heads": int(a[13]),
    "hostile": a[14] == "1", "interval": float(a[15]), "warmup": float(a[16]), "heap_gc": a[17] == "1",
    "publish_min": float(a[18]), "publish_max": float(a[19]), "nmt": a[20] == "1"}))' \
    "$API" "$JAVA_PID" "$RTMP_PORT" "$PLAYBACK_PORT" "$BASE_PORT" "$SRT_PORT" "$FFMPEG" "$FIXTURE" "$DURATION" \
    "$STREAMS" "$VIEWERS" "$API_USERS" "$SLOW_HEADS" "$HOSTILE" "$INTERVAL" "$WARMUP" "$HEAP_GC" \
    "$PUBLISH_MIN" "$PUBLISH_MAX" "$NMT" >"$WORK/spec.json"

echo "== openivs soak: $(nproc) cores, ${DURATION} s, $STREAMS publishers, $VIEWERS viewers, $API_USERS API users, hostile=$HOSTILE" >&2
python3 "$HERE/soak.py" "$WORK/spec.json" 2>"$WORK/soak-errors.log" &
SOAK_PID=$!
wait "$SOAK_PID"; SOAK_PID=""
kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died:" >&2; tail -20 "$WORK/openivs.log" >&2; exit 1; }
echo "server log: $(wc -l <"$WORK/openivs.log") lines ($(grep -c ' ERROR ' "$WORK/openivs.log" || true) ERROR, $(grep -c ' WARN ' "$WORK/openivs.log" || true) WARN); load errors: $(wc -l <"$WORK/soak-errors.log") lines" >&2
[ -s "$WORK/soak-errors.log" ] && tail -5 "$WORK/soak-errors.log" >&2 || true

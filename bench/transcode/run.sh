#!/usr/bin/env bash
# Transcoding benchmark (project issue 17): CPU per stream-minute of a transcoded STANDARD channel
# (the openivs JVM and its ffmpeg child together) against the same ffmpeg command line run standalone
# on the same input in the same run (the floor: what the ladder's encodes cost without openivs).
#
#   bench/transcode/run.sh                 # 1080p30 4.5 Mbps input, 40 s per measurement
#   DURATION=30 SIZE=1280x720 RATE=3000k bench/transcode/run.sh
#
# Order: openivs cold (a fresh JVM: its JIT compiles while it works), the standalone floor, openivs
# warm (a second stream on the same JVM), the floor again. The standalone command is the server
# child's own, read from /proc while it runs, with the fixture (paced with -re) instead of stdin and
# /dev/null instead of the rung sockets. Also printed: how far the child kept up (its rungs' newest
# segment against the source's), the 360p30 rung's dropped frames and listing delay against the source
# (the glass-to-glass cost of transcoding), and how many streams at once stay in real time: n copies
# of the ladder's ffmpeg alone (speed, drops), then n publishers on openivs, n = 1.. MAX_STREAMS (4)
# until one is not. Load averages are printed: the machine may be shared. Everything listens on 127.0.0.1; what it starts is stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/server/target/openivs.jar}"
DURATION="${DURATION:-40}"
SIZE="${SIZE:-1920x1080}"
RATE="${RATE:-4500k}"
MAX_STREAMS="${MAX_STREAMS:-4}"
BASE_PORT="${BASE_PORT:-19580}"
API="http://127.0.0.1:$BASE_PORT"
PLAYBACK_PORT=$((BASE_PORT + 1)); RTMP_PORT=$((BASE_PORT + 2)); RTMPS_PORT=$((BASE_PORT + 3)); SRT_PORT=$((BASE_PORT + 4))
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/openivs-bench"
export BENCH_ACCESS_KEY=AKIABENCH000000000000
export BENCH_SECRET_KEY=benchsecret
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -B -ntp -pl server -DskipTests package)
WORK="$(mktemp -d /tmp/openivs-transcode-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

# The ffmpeg the server runs: the one bundled in the jar (its -gpl build has libx264).
FFMPEG="$(java -cp "$JAR" "$ROOT/bench/playback/FindFfmpeg.java" "$WORK/libs")"
export LD_LIBRARY_PATH="$WORK/libs:$(dirname "$FFMPEG")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

mkdir -p "$CACHE"
FIXTURE="$CACHE/fixture-$SIZE-30-$RATE-$((DURATION + 10))s.flv"
if [ ! -f "$FIXTURE" ]; then
    echo "generating the fixture ($((DURATION + 10)) s, $SIZE 30 fps, $RATE H.264 GOP 60 + 128 kb/s AAC) ..." >&2
    "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=$SIZE:rate=30" \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t $((DURATION + 10)) \
        -c:v libx264 -preset veryfast -profile:v high -b:v "$RATE" -maxrate "$RATE" -bufsize "$RATE" \
        -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 -f flv "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
fi

mkdir -p "$WORK/data"
OPENIVS_JAR="$JAR" "$ROOT/bin/openivs" serve --data-dir "$WORK/data" --bind 127.0.0.1 --api-port "$BASE_PORT" \
    --playback-port "$PLAYBACK_PORT" --rtmp-port "$RTMP_PORT" --rtmps-port "$RTMPS_PORT" --srt-port "$SRT_PORT" \
    --access-key "$BENCH_ACCESS_KEY" --secret-key "$BENCH_SECRET_KEY" --max-transcodes "$MAX_STREAMS" \
    >"$WORK/openivs.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do grep -q 'openivs: ready' "$WORK/openivs.log" && break; sleep 0.2; done
grep -q 'openivs: ready' "$WORK/openivs.log" || { cat "$WORK/openivs.log" >&2; exit 1; }

# Two channels for the cold and warm runs, then fresh ones for each step of 1..MAX_STREAMS streams at once.
CHANNELS=$((2 + MAX_STREAMS * (MAX_STREAMS + 1) / 2))
MAX_STREAMS="$MAX_STREAMS" python3 "$HERE/measure.py" "$FFMPEG" "$FIXTURE" "$DURATION" "$SERVER_PID" \
    "$(python3 "$ROOT/bench/ingest/channels.py" "$API" "$CHANNELS" "$RTMP_PORT" "$PLAYBACK_PORT")" "$WORK/openivs.log"

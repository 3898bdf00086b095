#!/usr/bin/env bash
# Cluster benchmark (project issue 19): an owner node and one edge node on this machine, one PostgreSQL
# database (127.0.0.1:5432, user postgres; a fresh database, dropped at the end), an LL-HLS channel
# (LOW, FRAGMENTED_MP4) published to the owner by the bundled ffmpeg. Prints, each against the owner in
# the same run:
#   1. the edge's added delay: a blocking reload for the hinted part, then that part, asked of both
#      nodes at the same instant; the edge's completion time minus the owner's (goal: at most one part,
#      ~0.33 s; what a player at the live edge loses by going through the edge);
#   2. CPU per viewer request (wrk on the newest segment and on the media playlist), edge vs owner, from
#      /proc (goal: within 20 %), and the owner's CPU while the edge serves;
#   3. upstream requests per object: PLAYERS simulated LL-HLS players on the edge; the owner's count of
#      edge requests per distinct part and segment they fetched (goal: exactly 1).
#
#   bench/cluster/run.sh                 # 40 parts, 2 x 5 s of wrk per node and URL, 20 players for 20 s
#   PARTS=20 SECONDS_PER_RUN=3 PLAYERS=50 bench/cluster/run.sh
#
# The owner listens on 127.0.0.1 and the edge on 127.0.0.2, on the same ports (as a cluster's nodes do).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/server/target/openivs.jar"
export PARTS="${PARTS:-40}" SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}" ROUNDS="${ROUNDS:-2}"
export PLAYERS="${PLAYERS:-20}" PLAYER_SECONDS="${PLAYER_SECONDS:-20}" CONNECTIONS="${CONNECTIONS:-32}"
BASE_PORT="${BASE_PORT:-19280}"
export AWS_ACCESS_KEY_ID=AKIABENCHCLUSTER0000
export AWS_SECRET_ACCESS_KEY=benchclustersecret
export AWS_DEFAULT_REGION=us-west-2
ACCOUNT=123456789012
DB="openivs_bench_cluster_$$"
# Nodes on one database share its store key (README, "How to run a cluster").
export OPENIVS_STORE_KEY="${OPENIVS_STORE_KEY:-$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')}"

need() { command -v "$1" >/dev/null 2>&1; }
need wrk || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
need aws || { echo "the AWS CLI is required (it drives the control API)" >&2; exit 1; }
need psql || { echo "psql is required (it makes the benchmark's database)" >&2; exit 1; }
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -B -ntp -pl server -DskipTests package)

WORK="$(mktemp -d /tmp/openivs-cluster-bench.XXXXXX)"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null

# node NAME BIND: starts a node; its java pid goes to $WORK/NAME.pid
node() {
    OPENIVS_JAR="$JAR" "$ROOT/bin/openivs" serve --data-dir "$WORK/$1" --bind "$2" --api-port "$BASE_PORT" \
        --playback-port $((BASE_PORT + 1)) --rtmp-port $((BASE_PORT + 2)) --rtmps-port $((BASE_PORT + 3)) \
        --srt-port $((BASE_PORT + 4)) --public-host 127.0.0.1 --no-transcode \
        --db-url "jdbc:postgresql://127.0.0.1:5432/$DB?user=postgres" \
        --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" --account-id "$ACCOUNT" \
        >"$WORK/$1.log" 2>&1 &
    PIDS+=($!)
    echo $! >"$WORK/$1.pid"
    for _ in $(seq 150); do grep -q 'openivs: ready' "$WORK/$1.log" && return; sleep 0.2; done
    cat "$WORK/$1.log"
    exit 1
}
node owner 127.0.0.1
node edge 127.0.0.2

API="http://127.0.0.1:$BASE_PORT"
aws ivs --endpoint-url "$API" create-channel --name bench --insecure-ingest --latency-mode LOW \
    --container-format FRAGMENTED_MP4 >"$WORK/channel.json"
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d$2)" "$1"; }
FFMPEG="$(java -cp "$JAR" "$ROOT/bench/playback/FindFfmpeg.java" "$WORK/libs")"
LD_LIBRARY_PATH="$WORK/libs" "$FFMPEG" -hide_banner -loglevel error -re \
    -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine \
    -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -c:a aac -f flv \
    "rtmp://127.0.0.1:$((BASE_PORT + 2))/app/$(field "$WORK/channel.json" "['streamKey']['value']")" \
    </dev/null >"$WORK/ffmpeg.log" 2>&1 &
PIDS+=($!)

python3 "$HERE/harness.py" "$(field "$WORK/channel.json" "['channel']['playbackUrl']")" \
    "$(cat "$WORK/owner.pid")" "$(cat "$WORK/edge.pid")" "http://127.0.0.1:$BASE_PORT/metrics"

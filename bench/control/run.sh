#!/usr/bin/env bash
# Control-API benchmark (project issue 2): signed GetChannel, ListChannels (1,000 channels, maxResults 100)
# and CreateChannel at concurrency 1, 16 and 64, replayed by wrk from pools of presigned requests, each case
# measured against openivs and against a static nginx answer (the anchor) in the same run.
#
#   bench/control/run.sh                 # 10 s per case
#   DURATION=3 bench/control/run.sh      # quicker look
#   PROFILE=1 bench/control/run.sh       # also sample the server's threads during GetChannel at 64
#   OPS=GetChannel bench/control/run.sh  # only some operations (default: GetChannel ListChannels CreateChannel)
#   OPENIVS_JVM_OPTS= bench/control/run.sh  # the JVM's defaults instead of bin/openivs's options
#                                           # (JAVA_OPTS adds options to either)
#
# Everything listens on 127.0.0.1 only; the server and nginx are stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/server/target/openivs.jar"
DURATION="${DURATION:-10}"
# CreateChannel cases run shorter: each starts on an empty database and must stay under the 5,000-channel quota.
CREATE_DURATION="${CREATE_DURATION:-$(( DURATION < 5 ? DURATION : 5 ))}"
API_PORT="${API_PORT:-18080}"
NGINX_PORT="${NGINX_PORT:-18090}"
CHANNELS=1000
export BENCH_ACCESS_KEY=AKIABENCH000000000000
export BENCH_SECRET_KEY=benchsecret
ACCOUNT=123456789012
OURS="http://127.0.0.1:$API_PORT"
ANCHOR="http://127.0.0.1:$NGINX_PORT"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need nginx; then
    apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null || apt-get install -y -qq wrk nginx >/dev/null
fi
need python3 || { echo "python3 is required" >&2; exit 1; }
if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && ./mvnw -q -DskipTests package)
fi

WORK="$(mktemp -d /tmp/openivs-bench.XXXXXX)"
SERVER_PID=""
NGINX_PID=""
stop_server() { # up to 20 s: the first run of a new jar writes bin/openivs's class-data archive as it stops
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    if [ -n "$NGINX_PID" ]; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

wait_http() { # any HTTP answer (even 403) means the listener is up; give up after 30 s
    for _ in $(seq 150); do
        if curl -s -o /dev/null -X POST "$1/ListChannels"; then return 0; fi
        sleep 0.2
    done
    echo "nothing answers at $1" >&2
    return 1
}

start_server() { # $1: data dir
    mkdir -p "$1"
    # The README's launcher, with its JVM options (ParallelGC among them).
    # SRT on a port of this run (not the default 9000, which another run may hold).
    OPENIVS_SRT_PORT=$((API_PORT + 4)) OPENIVS_JAR="$JAR" "$ROOT/bin/openivs" serve --data-dir "$1" --bind 127.0.0.1 --api-port "$API_PORT" \
        --playback-port $((API_PORT + 1)) --rtmp-port $((API_PORT + 2)) --rtmps-port $((API_PORT + 3)) \
        --access-key "$BENCH_ACCESS_KEY" --secret-key "$BENCH_SECRET_KEY" --account-id "$ACCOUNT" \
        >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_http "$OURS"
}

# wrk_case URL POOL CONCURRENCY SECONDS -> "rps p50_us p99_us status_errors socket_errors"
wrk_case() {
    local threads=2
    [ "$3" -lt 2 ] && threads=1
    POOL="$2" timeout $(( $4 + 30 )) wrk -t"$threads" -c"$3" -d"$4"s -s "$HERE/replay.lua" "$1" \
        | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== openivs control API benchmark: $(nproc) cores, ${DURATION}s per case (CreateChannel ${CREATE_DURATION}s), load average $LOAD_START, JVM options '${OPENIVS_JVM_OPTS-bin/openivs} ${JAVA_OPTS:-}', work dir $WORK" >&2
start_server "$WORK/data"
python3 "$HERE/presign.py" create "$OURS" "$CHANNELS" "$WORK/arns"
for op in GetChannel ListChannels CreateChannel; do
    python3 "$HERE/presign.py" pool "$OURS" "$op" "$WORK/arns" "$WORK/$op.pool" 1000
done

# The anchor answers every request with one real GetChannel answer, so bytes on the wire are alike.
ANSWER="$(curl -s -X POST -H 'Content-Type: application/json' \
    --data-binary "$(head -1 "$WORK/GetChannel.pool" | cut -f2)" "$OURS$(head -1 "$WORK/GetChannel.pool" | cut -f1)")"
case "$ANSWER" in *'"channel"'*) ;; *) echo "GetChannel did not answer a channel: $ANSWER" >&2; exit 1 ;; esac
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/body;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            default_type application/json;
            return 200 '${ANSWER//\'/\\\'}';
        }
    }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
wait_http "$ANCHOR"

# JIT warm-up, not reported.
wrk_case "$OURS" "$WORK/GetChannel.pool" 16 5 >/dev/null

server_ticks() { # user + system CPU ticks of the whole server process so far
    awk '{print $14 + $15}' /proc/"$SERVER_PID"/stat
}
thread_ticks() { # "tid cpu_ticks name" for each server thread
    for t in /proc/"$SERVER_PID"/task/*; do
        echo "${t##*/} $(awk '{print $14 + $15}' "$t/stat") $(tr ' ' _ <"$t/comm")"
    done 2>/dev/null | sort
}
profile() { # samples while GetChannel at 64 runs: CPU per server thread over 5 s, then the busiest frames
    sleep 3
    thread_ticks >"$WORK/ticks-a"; sleep 5; thread_ticks >"$WORK/ticks-b"
    join "$WORK/ticks-a" "$WORK/ticks-b" | awk -v hz="$(getconf CLK_TCK)" '$4 > $2 {printf "%5.1f%% %s\n", 100 * ($4 - $2) / hz / 5, $5}' \
        | sort -nr | head -20 >"$WORK/profile-top.txt"
    for _ in 1 2 3 4 5; do jcmd "$SERVER_PID" Thread.print 2>/dev/null; sleep 0.3; done >"$WORK/profile-stacks.txt"
}

RESULTS="$WORK/results"
: >"$RESULTS"
for op in ${OPS:-GetChannel ListChannels CreateChannel}; do
    for c in 1 16 64; do
        if [ "$op" = CreateChannel ]; then
            # A fresh database per case keeps the account under its 5,000-channel quota.
            stop_server
            start_server "$WORK/data-create-$c"
            wrk_case "$OURS" "$WORK/ListChannels.pool" 16 3 >/dev/null
        fi
        if [ "${PROFILE:-0}" = 1 ] && [ "$op" = GetChannel ] && [ "$c" = 64 ]; then
            profile & PROFILER=$!
        fi
        seconds="$DURATION"
        [ "$op" = CreateChannel ] && seconds="$CREATE_DURATION"
        ticks_before="$(server_ticks)"
        ours="$(wrk_case "$OURS" "$WORK/$op.pool" "$c" "$seconds")"
        ticks_after="$(server_ticks)"
        [ -n "${PROFILER:-}" ] && { wait "$PROFILER"; PROFILER=""; }
        anchor="$(wrk_case "$ANCHOR" "$WORK/$op.pool" "$c" "$seconds")"
        # Server CPU time per answered request: less at the mercy of other load on the machine than req/s.
        cpu_us="$(echo "$ours" | awk -v t=$(( ticks_after - ticks_before )) -v hz="$(getconf CLK_TCK)" -v s="$seconds" \
            '{ n = $1 * s; printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
        echo "$op $c $ours $anchor $cpu_us" | tee -a "$RESULTS" >&2
    done
done

echo
echo "Load average (1, 5, 15 min): $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
awk 'BEGIN {
    printf "| %-13s | %4s | %11s | %8s | %8s | %7s | %11s | %8s | %8s | %11s | %11s |\n", "operation", "conc", "ours req/s", "p50 ms", "p99 ms", "errors", "nginx req/s", "p50 ms", "p99 ms", "ours/nginx", "CPU us/req"
    printf "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", "---------------", "------", "-------------", "----------", "----------", "---------", "-------------", "----------", "----------", "-------------", "-------------"
} {
    printf "| %-13s | %4d | %11.0f | %8.2f | %8.2f | %7d | %11.0f | %8.2f | %8.2f | %10.1f%% | %11d |\n", $1, $2, $3, $4/1000, $5/1000, $6 + $7, $8, $9/1000, $10/1000, 100 * $3 / $8, $13
}' "$RESULTS"

awk '$1 == "GetChannel" && $2 == 64 {
    ok = ($3 >= 20000 && $5 < 10000 && $6 + $7 == 0)
    printf "\nGoal GetChannel @64: >= 20000 req/s with p99 < 10 ms -> %s (%.0f req/s, p99 %.2f ms)\n", ok ? "MET" : "NOT MET", $3, $5 / 1000
}' "$RESULTS"

if [ "${PROFILE:-0}" = 1 ] && [ -s "$WORK/profile-top.txt" ]; then
    echo; echo "Server threads by CPU over 5 s of GetChannel @64 (100% = one core):"
    sed 's/^/  /' "$WORK/profile-top.txt"
    echo; echo "Most frequent top frames of RUNNABLE threads (5 jcmd samples):"
    awk '/java.lang.Thread.State: RUNNABLE/ {getline; if (sub(/^[ \t]+at /, "")) print}' \
        "$WORK/profile-stacks.txt" | sort | uniq -c | sort -nr | head -12
fi

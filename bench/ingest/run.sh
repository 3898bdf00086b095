#!/usr/bin/env bash
# Ingest benchmark (project issue 3): N RTMP publishers (ffmpeg -c copy of a ~1 Mbps H.264+AAC fixture,
# 2 s GOP) against openivs and against nginx with its RTMP module doing the same remux to HLS
# (2 s fragments), in the same run; then 1,000 wrk connections on a playlist and on a segment.
#
#   bench/ingest/run.sh                   # N = 1 10 50, 60 s each
#   STREAMS="1 10" DURATION=40 bench/ingest/run.sh
#   WARMUP=30 WARMUP_STREAMS=10 ...       # shorter warm-up (default: 60 s at the largest N, at least 10)
#   VIEWER_LOAD=0 ...                     # publishers only, no viewer load
#   ROUNDS=3 WARMUP=10 bench/ingest/run.sh   # viewer load only: both servers up, wrk alternating,
#                                            # plus server CPU per request (ROUNDS at most 3)
#   COLD=1 bench/ingest/run.sh            # the same, cold: fresh servers for each kind (playlist,
#                                            # segment), no warm-up, one 30 s cell each
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ...   # the server on another JDK (default: java
#                                            # from PATH), through bin/openivs as always
#
# Prints openivs's start-up (wall clock and CPU until the control API first answers, JIT threads' share)
# and, per N and server: CPU seconds per stream-minute, RSS per stream, segment latency (last frame
# sent -> playlist lists the segment: median and p95), lost segments; then viewer req/s and p99.
# Everything listens on 127.0.0.1; the servers and publishers are stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="${JAR:-$ROOT/server/target/openivs.jar}"
# The JDK the server runs on: bin/openivs takes it from JAVA_HOME (and picks AppCDS or, on 25+, the
# AOT cache by its version).
JAVA="${JAVA:-java}"
SERVER_JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")"
STREAMS="${STREAMS-1 10 50}"  # empty: only the viewer phase
DURATION="${DURATION:-60}"
VIEWER_SECONDS="${VIEWER_SECONDS:-8}"
# Warm-up before anything is measured, on the same server process: a long-running server has long
# finished compiling its hot paths, so JIT compile time is left out by design (README.md). The largest
# N of the run by default, so every code path the measured runs take (e.g. many streams per event
# loop) has been hot for a while, and at least 10; one play of the fixture (100 s) bounds its length.
WARMUP="${WARMUP:-60}"
LARGEST=10; for n in $STREAMS; do [ "$n" -le "$LARGEST" ] || LARGEST=$n; done
WARMUP_STREAMS="${WARMUP_STREAMS:-$LARGEST}"
if [ "$WARMUP" -gt 95 ]; then echo "WARMUP=$WARMUP is longer than one play of the fixture (at most 95)" >&2; exit 2; fi
CONNECTIONS="${CONNECTIONS:-1000}"
# Cold viewer load: a fresh JVM (and nginx) for each kind of request, measured at once for 30 s.
if [ "${COLD:-0}" = 1 ]; then ROUNDS="${ROUNDS:-1}"; STREAMS=""; VIEWER_SECONDS="${VIEWER_SECONDS_COLD:-30}"; fi
# nginx sends files with sendfile(2), zero-copy, as Debian's stock nginx.conf sets; off: read + write.
NGINX_SENDFILE="${NGINX_SENDFILE:-on}"
BASE_PORT="${BASE_PORT:-19080}"
API="http://127.0.0.1:$BASE_PORT"
PLAYBACK_PORT=$((BASE_PORT + 1)); RTMP_PORT=$((BASE_PORT + 2)); RTMPS_PORT=$((BASE_PORT + 3))
NGINX_HTTP=$((BASE_PORT + 10)); NGINX_RTMP=$((BASE_PORT + 11))
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/openivs-bench"
export BENCH_ACCESS_KEY=AKIABENCH000000000000
export BENCH_SECRET_KEY=benchsecret

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need nginx || [ ! -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
    apt-get update -qq && apt-get install -y -qq wrk nginx libnginx-mod-rtmp >/dev/null
fi
need python3 || { echo "python3 is required" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n 4096

# ffmpeg: $FFMPEG, else the executable of the bytedeco jar the tests use (extracted by JavaCPP on
# first use, e.g. by any ffmpeg test), else the system one.
mkdir -p "$CACHE"
bytedeco_ffmpeg() {
    ls -d "$HOME"/.javacpp/cache/ffmpeg-*-linux-x86_64-gpl.jar/org/bytedeco/ffmpeg/linux-x86_64-gpl/ffmpeg 2>/dev/null | tail -1 || true
}
if [ -z "${FFMPEG:-}" ]; then
    FFMPEG="$(bytedeco_ffmpeg)"
    if [ -z "$FFMPEG" ]; then
        # Not extracted yet (no ffmpeg test has run here): let JavaCPP extract it from the jars the
        # build fetched (./mvnw package resolves them). Debian 12's ffmpeg 5.1 lacks
        # -readrate_initial_burst, so the system one is only the last resort.
        M2="$HOME/.m2/repository/org/bytedeco"
        CP="$(ls "$M2"/javacpp/*/javacpp-*.jar "$M2"/ffmpeg/*/ffmpeg-*[0-9].jar "$M2"/ffmpeg/*/ffmpeg-*-linux-x86_64-gpl.jar 2>/dev/null | tr '\n' ':' || true)"
        printf 'public class FfmpegPath { public static void main(String[] a) throws Exception {\n  System.out.println(org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class)); } }\n' >"$CACHE/FfmpegPath.java"
        # Twice: on a fresh machine the first run has been seen to extract the libraries but not the
        # executable.
        for _ in 1 2; do
            [ -z "$CP" ] || java -cp "$CP" "$CACHE/FfmpegPath.java" >/dev/null 2>&1 || true
            FFMPEG="$(bytedeco_ffmpeg)"
            [ -z "$FFMPEG" ] || break
        done
    fi
    if [ -n "$FFMPEG" ]; then
        # Its executables want libva.so.2 / libva-drm.so.2, shipped unversioned.
        LIBS="$(dirname "$FFMPEG")"
        mkdir -p "$CACHE/libs"
        ln -sf "$LIBS/libva.so" "$CACHE/libs/libva.so.2"; ln -sf "$LIBS/libva-drm.so" "$CACHE/libs/libva-drm.so.2"
        export LD_LIBRARY_PATH="$CACHE/libs:$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    else
        need ffmpeg || apt-get install -y -qq ffmpeg >/dev/null
        FFMPEG="$(command -v ffmpeg)"
    fi
fi
FIXTURE="$CACHE/fixture-720p30-1mbps.flv"
if [ ! -f "$FIXTURE" ]; then
    echo "generating the fixture (100 s, 1280x720 30 fps, 900 kb/s H.264 GOP 60 + 96 kb/s AAC) ..." >&2
    "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 100 \
        -c:v libx264 -preset veryfast -profile:v main -b:v 900k -maxrate 900k -bufsize 1800k \
        -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 96k -ac 2 -f flv "$FIXTURE.tmp"
    mv "$FIXTURE.tmp" "$FIXTURE"
fi
if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && ./mvnw -q -B -ntp -pl server -DskipTests package)
fi

WORK="$(mktemp -d /tmp/openivs-ingest-bench.XXXXXX)"
SERVER_PID=""; NGINX_PID=""; VIEWER_PID=""
stop_pid() { # politely, then firmly (60 s: the first run of a new jar writes bin/openivs's class-data
    # archive or, on JDK 25+, its AOT cache as it stops; the latter takes ~8 s on an idle machine)
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || true
    for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop_pid "$VIEWER_PID"; stop_pid "$SERVER_PID"; stop_pid "$NGINX_PID"
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' INT TERM  # stop here: without exit, bash would carry on with the next step

start_openivs() {
    rm -rf "$WORK/data"; mkdir -p "$WORK/data"
    # The launcher the README runs the server with: its JVM options (OPENIVS_JVM_OPTS replaces them),
    # then JAVA_OPTS.
    # nginx-rtmp only remuxes: so does openivs here (OPENIVS_TRANSCODE=false; builds before transcoding ignore it).
    # SRT on a port of this run too (an environment variable: builds before SRT ingest ignore it), so
    # runs with different BASE_PORTs do not collide on the default 9000.
    local t0; t0="$(date +%s.%N)"
    JAVA_HOME="$SERVER_JAVA_HOME" OPENIVS_SRT_PORT=$((BASE_PORT + 4)) OPENIVS_TRANSCODE=false OPENIVS_JAR="$JAR" JAVA_OPTS="${JAVA_OPTS:-} -Dlogback.configurationFile=$HERE/logback.xml" \
        "$ROOT/bin/openivs" serve --data-dir "$WORK/data" \
        --bind 127.0.0.1 --api-port "$BASE_PORT" --playback-port "$PLAYBACK_PORT" --rtmp-port "$RTMP_PORT" \
        --rtmps-port "$RTMPS_PORT" --access-key "$BENCH_ACCESS_KEY" --secret-key "$BENCH_SECRET_KEY" \
        >"$WORK/openivs.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 600); do
        if curl -s -o /dev/null -X POST "$API/ListChannels"; then
            # Start-up, when the API first answers: the JVM's CPU, its JIT compiler threads' part,
            # and its waited children's (keytool making a fresh data directory's RTMPS
            # certificate; the launcher's check of a new archive, once).
            python3 -c 'import sys, time
sys.path.insert(0, sys.argv[1]); import harness
pid, t0, java = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with open(f"/proc/{pid}/stat") as f: fields = f.read().rsplit(")", 1)[1].split()
children = (int(fields[13]) + int(fields[14])) / harness.CLK_TCK
cpu, jit = harness.cpu_seconds([pid]), harness.jit_cpu_seconds([pid])
print(f"openivs start-up ({java}): {time.time() - t0:.2f} s to the first API answer, JVM {cpu:.2f} CPU-s "
      f"(JIT threads {jit:.2f}, {jit / cpu:.0%}), children {children:.2f} CPU-s")' \
                "$HERE" "$SERVER_PID" "$t0" "$JAVA" | tee -a "$WORK/startup.txt" >&2
            return 0
        fi
        sleep 0.05
    done
    echo "openivs did not start" >&2; cat "$WORK/openivs.log" >&2; exit 1
}

start_nginx() {
    rm -rf "$WORK/nginx"; mkdir -p "$WORK/nginx/hls"
    # Workers run as an unprivileged user when started by root: let them write fragments and read them back.
    chmod 755 "$WORK" "$WORK/nginx"; chmod 777 "$WORK/nginx/hls"
    cat >"$WORK/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes auto;
worker_rlimit_nofile 65536;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 8192; }
rtmp {
    server {
        listen 127.0.0.1:$NGINX_RTMP;
        chunk_size 4096;
        application app {
            live on;
            hls on;
            hls_path $WORK/nginx/hls;
            hls_nested on;
            hls_fragment 2s;
            hls_playlist_length 12s;
        }
    }
}
http {
    access_log off;
    sendfile $NGINX_SENDFILE;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/body;
    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
    server {
        listen 127.0.0.1:$NGINX_HTTP;
        location /hls/ { alias $WORK/nginx/hls/; add_header Cache-Control max-age=1; }
    }
}
CONF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
    NGINX_PID=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_HTTP/" && return 0; sleep 0.2; done
    echo "nginx did not start" >&2; cat "$WORK/nginx/error.log" >&2; exit 1
}

server_pids() { # the server's processes: openivs is one JVM; nginx a master and its workers
    if [ "$1" = nginx ]; then echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"; else echo "$SERVER_PID"; fi
}

# run_spec TARGET N DURATION -> path of the harness's RUN.json
run_spec() {
    local target="$1" n="$2" duration="$3" spec="$WORK/run-$1-$2.json"
    if [ "$target" = openivs ]; then
        python3 "$HERE/channels.py" "$API" "$n" "$RTMP_PORT" "$PLAYBACK_PORT" >"$WORK/streams.json"
    else
        # Fresh names per run: nginx continues the numbering of a playlist it finds on disk.
        python3 -c 'import json, sys
n, rtmp, http, hls, run = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
names = [f"r{run}s{i}" for i in range(n)]
print(json.dumps([{"name": s, "rtmp": f"rtmp://127.0.0.1:{rtmp}/app/{s}",
                   "playlist": f"http://127.0.0.1:{http}/hls/{s}/index.m3u8",
                   "file": f"{hls}/{s}/index.m3u8"} for s in names]))' \
            "$n" "$NGINX_RTMP" "$NGINX_HTTP" "$WORK/nginx/hls" "$(date +%s%N)" >"$WORK/streams.json"
    fi
    python3 -c 'import json, sys
print(json.dumps({"target": sys.argv[1], "ffmpeg": sys.argv[2], "fixture": sys.argv[3], "duration": int(sys.argv[4]),
                  "pids": [int(p) for p in sys.argv[5].split()], "server_log": sys.argv[6],
                  "streams": json.load(open(sys.argv[7]))}))' \
        "$target" "$FFMPEG" "$FIXTURE" "$duration" "$(server_pids "$target")" "$WORK/openivs.log" "$WORK/streams.json" >"$spec"
    echo "$spec"
}

# Warm-up (JIT, allocator pools), not reported; the measured runs follow on the same server. Both
# servers get the same one.
warm_up() {
    [ "$WARMUP" -gt 0 ] || return 0
    echo "-- $1: warm-up, $WARMUP_STREAMS publishers for $WARMUP s" >&2
    python3 "$HERE/harness.py" "$(run_spec "$1" "$WARMUP_STREAMS" "$WARMUP")" >/dev/null
}

start() { if [ "$1" = nginx ]; then start_nginx; else start_openivs; fi; }
stop() {
    if [ "$1" = nginx ]; then stop_pid "$NGINX_PID"; NGINX_PID=""; return; fi
    local t0; t0="$(date +%s.%N)"
    stop_pid "$SERVER_PID"; SERVER_PID=""
    # Long once per jar and JDK: the launcher's archive or AOT cache is written as the JVM stops.
    echo "openivs stop: $(python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$t0") s" | tee -a "$WORK/startup.txt" >&2
}

# wrk_case URL [SECONDS] -> "req/s p99_ms non2xx socket_errors"
wrk_case() {
    wrk -t2 -c"$CONNECTIONS" -d"${2:-$VIEWER_SECONDS}"s --latency "$1" 2>&1 | awk '
        /Requests\/sec/ {rps = $2}
        /^ +99%/ {v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
                  p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v}
        /Non-2xx/ {bad = $NF}
        /Socket errors/ {gsub(/,/, ""); errs = $4 + $6 + $8 + $10}
        END {printf "%.0f %.2f %d %d\n", rps, p99, bad, errs}'
}

RESULTS="$WORK/results.jsonl"; : >"$RESULTS"
VIEWERS="$WORK/viewers.txt"; : >"$VIEWERS"
# MERGE=DIR adds the results of an earlier run kept with KEEP=1 (e.g. one target at a time).
if [ -n "${MERGE:-}" ]; then cat "$MERGE/results.jsonl" >>"$RESULTS"; cat "$MERGE/viewers.txt" >>"$VIEWERS"; fi
echo "== openivs ingest benchmark: $(nproc) cores, streams: ${ROUNDS:+(viewer rounds: $ROUNDS) }$STREAMS, ${DURATION} s each, ffmpeg $FFMPEG" >&2
# utime+stime clock ticks of these processes so far
cpu_ticks() {
    local total=0 pid f
    for pid in $1; do
        f="$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null)" || continue
        total=$((total + $(echo "$f" | awk '{print $12 + $13}')))
    done
    echo "$total"
}

# wrk_cell KIND PLAYLIST_URL -> wrk_case's line for one cell of VIEWER_SECONDS on the playlist or its
# newest segment. A segment stays listed for the window (12 s on openivs), so a longer cell (COLD=1:
# 30 s) is back-to-back pieces of at most 10 s, each on the segment newest when it starts: requests
# and errors summed, req/s over the whole cell, p99 the worst piece's.
wrk_cell() {
    local kind="$1" playlist="$2" left="$VIEWER_SECONDS" secs url all=""
    while [ "$left" -gt 0 ]; do
        secs=$((left > 10 ? 10 : left)); left=$((left - secs))
        url="$playlist"
        if [ "$kind" = segment ]; then url="${url%/*}/$(curl -s "$url" | grep -v '^#' | tail -1 || true)"; fi
        all="$all$secs $(wrk_case "$url" "$secs")
"
    done
    printf '%s' "$all" | awk '{n += $1 * $2; t += $1; if ($3 > p) p = $3; bad += $4; errs += $5}
        END {printf "%.0f %.2f %d %d\n", n / t, p, bad, errs}'
}

# Viewer load with both servers up, wrk alternating between them ROUNDS times (playlist: openivs,
# nginx, openivs, ...; then the same on segments, each kind with fresh publishers, one per server):
# load from other processes on the machine then hits both alike. Each case also reports the
# server's CPU time per request (its processes' utime+stime over the wrk run / requests), which
# depends far less on what else runs. The report gets the medians per server.
interleaved_viewers() {
    local rounds="$1" target spec kind round url line before pids
    # The fixture lasts 100 s and each publisher plays it once.
    if [ $((rounds * 2 * (VIEWER_SECONDS + 2) + 30)) -gt 95 ]; then
        echo "ROUNDS=$rounds does not fit in one play of the fixture with VIEWER_SECONDS=$VIEWER_SECONDS" >&2; exit 2
    fi
    declare -A PLAYLIST
    if [ "${COLD:-0}" != 1 ]; then
        for target in openivs nginx; do
            start "$target"
            warm_up "$target"
        done
    fi
    for kind in playlist segment; do
        pids=""
        if [ "${COLD:-0}" = 1 ]; then  # fresh processes, nothing warmed but the one publisher's ingest
            stop openivs; stop nginx
            for target in openivs nginx; do start "$target"; done
        fi
        for target in openivs nginx; do
            spec="$(run_spec "$target" 1 $((rounds * 2 * (VIEWER_SECONDS + 2) + 30)))"
            PLAYLIST[$target]="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["streams"][0]["playlist"])' "$spec")"
            python3 "$HERE/harness.py" "$spec" >/dev/null &
            pids="$pids $!"
        done
        sleep 14
        if [ "${COLD:-0}" != 1 ]; then
            for target in openivs nginx; do wrk -t2 -c100 -d3s "${PLAYLIST[$target]}" >/dev/null 2>&1 || true; done
        fi
        for round in $(seq "$rounds"); do
            for target in openivs nginx; do
                before="$(cpu_ticks "$(server_pids "$target")")"
                line="$(wrk_cell "$kind" "${PLAYLIST[$target]}")"
                echo "$target $kind $line $(python3 -c 'import sys
ticks, tck, rps, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(round(ticks / tck * 1e6 / max(rps * secs, 1), 1))' $(($(cpu_ticks "$(server_pids "$target")") - before)) \
                    "$(getconf CLK_TCK)" "${line%% *}" "$VIEWER_SECONDS")" | tee -a "$WORK/rounds.txt" >&2
            done
        done
        for target in openivs nginx; do
            python3 -c 'import statistics, sys
t, k = sys.argv[2], sys.argv[3]
rows = [l.split() for l in open(sys.argv[1]) if l.split()[:2] == [t, k]]
med = lambda i: statistics.median(float(r[i]) for r in rows)
print(t, k, round(med(2)), med(3), sum(int(r[4]) for r in rows), sum(int(r[5]) for r in rows), med(6))' \
                "$WORK/rounds.txt" "$target" "$kind" | tee -a "$VIEWERS" >&2
        done
        for p in $pids; do wait "$p" || true; done  # the publishers end on their own
    done
    stop openivs; stop nginx
}

if [ -n "${ROUNDS:-}" ]; then
    interleaved_viewers "$ROUNDS"
else
    # Both servers stay up and each N runs on one, then the other: the machine's load drifts over a
    # run of this length, and measuring the two servers minutes apart, not half an hour, keeps that
    # drift out of their ratio. A server waiting idle costs the other next to nothing.
    TARGET_LIST="${TARGETS:-openivs nginx}"
    for target in $TARGET_LIST; do
        start "$target"
        warm_up "$target"
    done
    for n in $STREAMS; do
        for target in $TARGET_LIST; do
            echo "-- $target, $n publishers" >&2
            python3 "$HERE/harness.py" "$(run_spec "$target" "$n" "$DURATION")" | tee -a "$RESULTS" >&2
        done
    done
    # Viewer load: one publisher live, 1,000 connections on its media playlist, then on its newest segment.
    for target in $TARGET_LIST; do
        [ "${VIEWER_LOAD:-1}" = 0 ] && break
        python3 "$HERE/harness.py" "$(run_spec "$target" 1 $((VIEWER_SECONDS * 2 + 30)))" >/dev/null &
        VIEWER_PID=$!
        sleep 14
        playlist="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["playlist"])' "$WORK/streams.json")"
        wrk -t2 -c100 -d3s "$playlist" >/dev/null 2>&1 || true   # warm-up, not reported
        echo "$target playlist $(wrk_case "$playlist")" | tee -a "$VIEWERS" >&2
        newest="$(curl -s "$playlist" | grep -v '^#' | tail -1)"
        echo "$target segment $(wrk_case "${playlist%/*}/$newest")" | tee -a "$VIEWERS" >&2
        wait "$VIEWER_PID" || true; VIEWER_PID=""
    done
    for target in $TARGET_LIST; do stop "$target"; done
fi

python3 "$HERE/report.py" "$RESULTS" "$VIEWERS" "$FIXTURE"
[ ! -s "$WORK/startup.txt" ] || cat "$WORK/startup.txt"

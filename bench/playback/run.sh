#!/usr/bin/env bash
# Playback benchmark (project issue 4): segment requests per second for a private channel (every request
# carries a viewer token that is checked) against a public channel, both live, in the same run. Goal: the
# private rate is at least 90 % of the public one.
#
#   bench/playback/run.sh                    # 3 s warm-up each, then 4 rounds of 5 s per channel, 64 connections
#   ROUNDS=2 SECONDS_PER_RUN=3 bench/playback/run.sh
#
# Both channels carry the same generated stream (ffmpeg bundled in the openivs jar, 160x90, low bitrate, so
# per-request cost rather than bytes copied dominates). Rounds alternate public/private and always ask for
# the newest segment (the live window holds 6 segments of 2 s). Everything listens on 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/server/target/openivs.jar"
ROUNDS="${ROUNDS:-4}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}"
CONNECTIONS="${CONNECTIONS:-64}"
BASE_PORT="${BASE_PORT:-19180}"
API="http://127.0.0.1:$BASE_PORT"
export AWS_ACCESS_KEY_ID=AKIABENCHPLAYBACK000
export AWS_SECRET_ACCESS_KEY=benchplaybacksecret
export AWS_DEFAULT_REGION=us-west-2
ACCOUNT=123456789012

need() { command -v "$1" >/dev/null 2>&1; }
need wrk || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
need aws || { echo "the AWS CLI is required (it drives the control API)" >&2; exit 1; }
need python3 || { echo "python3 is required" >&2; exit 1; }
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -B -ntp -pl server -DskipTests package)

WORK="$(mktemp -d /tmp/openivs-playback-bench.XXXXXX)"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

OPENIVS_JAR="$JAR" "$ROOT/bin/openivs" serve --data-dir "$WORK/data" --bind 127.0.0.1 --api-port "$BASE_PORT" \
    --playback-port $((BASE_PORT + 1)) --rtmp-port $((BASE_PORT + 2)) --rtmps-port $((BASE_PORT + 3)) \
    --public-host 127.0.0.1 --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" \
    --account-id "$ACCOUNT" >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 150); do grep -q 'openivs: ready' "$WORK/server.log" && break; sleep 0.2; done
grep -q 'openivs: ready' "$WORK/server.log" || { cat "$WORK/server.log"; exit 1; }

ivs() { aws ivs --endpoint-url "$API" "$@"; }
java -jar "$JAR" keys generate --out-dir "$WORK" >/dev/null
ivs import-playback-key-pair --public-key-material "file://$WORK/playback-public.pem" >/dev/null
ivs create-channel --name private --authorized --insecure-ingest >"$WORK/private.json"
ivs create-channel --name public --insecure-ingest >"$WORK/public.json"
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d$2)" "$1"; }

FFMPEG="$(java -cp "$JAR" "$HERE/FindFfmpeg.java" "$WORK/libs")"
publish() {
    LD_LIBRARY_PATH="$WORK/libs" "$FFMPEG" -hide_banner -loglevel error -re \
        -f lavfi -i testsrc2=size=160x90:rate=15 -f lavfi -i sine \
        -c:v libx264 -preset ultrafast -g 15 -b:v 64k -c:a aac -b:a 32k -f flv \
        "rtmp://127.0.0.1:$((BASE_PORT + 2))/app/$1" </dev/null >"$WORK/ffmpeg-$2.log" 2>&1 &
    PIDS+=($!)
}
publish "$(field "$WORK/private.json" "['streamKey']['value']")" private
publish "$(field "$WORK/public.json" "['streamKey']['value']")" public

PRIVATE_URL="$(java -jar "$JAR" token --channel-arn "$(field "$WORK/private.json" "['channel']['arn']")" \
    --key "$WORK/playback-private.pem" --ttl 1h --playback-url "$(field "$WORK/private.json" "['channel']['playbackUrl']")")"
PUBLIC_URL="$(field "$WORK/public.json" "['channel']['playbackUrl']")"

# newest_segment MASTER_URL -> absolute URL of the newest segment (token carried over by the playlists)
newest_segment() {
    python3 - "$1" <<'PY'
import sys, urllib.request, urllib.parse
def get(u):
    return urllib.request.urlopen(u, timeout=5).read().decode()
master = sys.argv[1]
media = urllib.parse.urljoin(master, [l for l in get(master).splitlines() if l and not l.startswith("#")][0])
print(urllib.parse.urljoin(media, [l for l in get(media).splitlines() if l and not l.startswith("#")][-1]))
PY
}
for _ in $(seq 100); do
    newest_segment "$PRIVATE_URL" >/dev/null 2>&1 && newest_segment "$PUBLIC_URL" >/dev/null 2>&1 && break
    sleep 0.3
done
newest_segment "$PRIVATE_URL" >/dev/null
# Let a few more segments pile up so the newest one stays in the window for a whole run.
sleep 4

# run NAME MASTER -> appends "NAME rps non2xx bytes" to results
run() {
    local seg out rps bad size
    seg="$(newest_segment "$2")"
    size="$(curl -s -o /dev/null -w '%{size_download}' "$seg")"
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$seg")"
    rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
    bad="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
    echo "$1 $rps ${bad:-0} $size" | tee -a "$WORK/results"
}
# Warm-up (JIT, connection pools), not counted.
SECONDS_PER_RUN=3 run public "$PUBLIC_URL" >/dev/null
SECONDS_PER_RUN=3 run private "$PRIVATE_URL" >/dev/null
: >"$WORK/results"
echo "channel requests/s non-2xx segment-bytes"
for _ in $(seq "$ROUNDS"); do
    run public "$PUBLIC_URL"
    run private "$PRIVATE_URL"
done
python3 - "$WORK/results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
def mean(name):
    v = [float(r[1]) for r in rows if r[0] == name]
    return sum(v) / len(v)
pub, priv = mean("public"), mean("private")
bad = sum(int(r[2]) for r in rows)
print(f"mean public {pub:.0f} req/s, private {priv:.0f} req/s: private = {100 * priv / pub:.1f}% of public"
      f" (goal >= 90%); non-2xx answers: {bad}")
PY

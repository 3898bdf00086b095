#!/usr/bin/env python3
"""report.py OUT [FRAME [DEPTH]]: a summary of async-profiler's collapsed stacks (bench/profile/run.sh): the share of
the samples per thread group (a pool's numbered threads as one), self and inclusive per frame (a frame counted once a
stack however often it recurs), and the kernel's share; with FRAME, the callers (DEPTH frames, 3 by default) of the
frames whose name holds FRAME. Frame names keep async-profiler's annotations: _[j] compiled, _[i] inlined, _[1] C1,
_[0] interpreted, _[k] kernel."""
import collections
import re
import sys


TIERS = {"j": "compiled", "i": "compiled", "1": "C1", "0": "interpreted"}


def stacks(path):
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, n = line.rsplit(" ", 1)
            yield stack.split(";"), int(n)


def group(thread):
    # "[name tid=123]" -> name with its numbers dropped, so a pool's threads are one group
    name = re.sub(r"\s*tid=\d+\]$", "", thread.lstrip("["))
    return re.sub(r"[-#\s]*\d+$", "", name) or name


def pct(v, total):
    return f"{100 * v / total:5.1f}%"


def summary(path, top=30):
    total = 0
    groups, own, incl = collections.Counter(), collections.Counter(), collections.Counter()
    kernel = 0
    tiers = collections.Counter()
    for frames, n in stacks(path):
        total += n
        groups[group(frames[0])] += n
        own[frames[-1]] += n
        kernel += n if frames[-1].endswith("_[k]") else 0
        java = [fr for fr in frames if re.search(r"_\[[ji01]\]$", fr)]
        if java:
            tiers[TIERS[java[-1][-2]]] += n
        for fr in set(frames[1:]):
            incl[fr] += n
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples; in the kernel {pct(kernel, total)}")
    java = sum(tiers.values())
    if java:
        print(f"under Java code {pct(java, total)}, its innermost Java frame: "
              + ", ".join(f"{k} {pct(v, java).strip()}" for k, v in tiers.most_common()))
    print("by thread group:")
    for k, v in groups.most_common(12):
        print(f"  {pct(v, total)} {k}")
    print("self:")
    for k, v in own.most_common(top):
        print(f"  {pct(v, total)} {k[:160]}")
    print("inclusive (the project's and Netty's frames):")
    for k, v in [kv for kv in incl.most_common() if "openivs" in kv[0] or "netty" in kv[0]][:top]:
        print(f"  {pct(v, total)} {k[:160]}")


def callers(path, needle, depth):
    total, found = 0, collections.Counter()
    for frames, n in stacks(path):
        total += n
        for i, fr in enumerate(frames):
            if needle in fr:
                found[" <- ".join(reversed(frames[max(1, i - depth) : i + 1]))] += n
                break
    for k, v in found.most_common(25):
        print(f"{pct(v, total)} {k[:300]}")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        callers(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    else:
        summary(sys.argv[1])

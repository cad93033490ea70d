#!/usr/bin/env python3
"""Summarises a dotnet-trace speedscope file: where the server's threads spent their sampled time.

Usage: summarize.py trace.speedscope.json [top] [filter-substring]
Prints the frames with the most inclusive and exclusive time over the samples where a thread was running code
(dotnet-trace's sampled-thread-time profile marks them with a CPU_TIME leaf); with a filter, only stacks holding a
frame that contains it.
"""
import json
import sys
from collections import Counter

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
needle = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
doc = json.load(open(path))
frames = [f["name"] for f in doc["shared"]["frames"]]
inclusive, exclusive = Counter(), Counter()
total = 0.0
for profile in doc["profiles"]:
    stack, last = [], None
    for ev in profile["events"]:
        at = ev["at"]
        if last is not None and stack:
            dt = at - last
            names = [frames[i] for i in stack]
            # Only samples of a thread running code (leaf CPU_TIME), not waiting.
            if names[-1] == "CPU_TIME" and len(names) > 1 and (needle is None or any(needle in n for n in names)):
                total += dt
                exclusive[names[-2]] += dt
                for n in set(names[:-1]):
                    inclusive[n] += dt
        last = at
        if ev["type"] == "O":
            stack.append(ev["frame"])
        elif stack:
            stack.pop()

def show(title, counter):
    print(f"\n{title} (of {total:.0f} ms sampled)")
    for name, t in counter.most_common(top):
        print(f"{100 * t / total:6.1f}%  {name[:170]}")

show("inclusive", inclusive)
show("exclusive", exclusive)

# Optional: who calls a frame (SUMMARIZE_CALLERS=substring): the most common 8-frame call paths above it.
import os
target = os.environ.get("SUMMARIZE_CALLERS")
if target:
    paths = Counter()
    for profile in doc["profiles"]:
        stack, last = [], None
        for ev in profile["events"]:
            at = ev["at"]
            if last is not None and stack:
                names = [frames[i] for i in stack]
                if names[-1] == "CPU_TIME":
                    hits = [k for k, n in enumerate(names) if target in n]
                    if hits:
                        k = hits[-1]
                        paths[" <- ".join(n.split("!")[-1][:90] for n in reversed(names[max(0, k - 8):k + 1]))] += at - last
            last = at
            if ev["type"] == "O":
                stack.append(ev["frame"])
            elif stack:
                stack.pop()
    print(f"\ncallers of {target}")
    for p, t in paths.most_common(8):
        print(f"{100 * t / total:6.1f}%  {p}\n")

#!/usr/bin/env python3
"""Allocation, GC and CPU cost per turn from a dotnet-counters CSV and the wrk output of the same run."""
import csv
import sys
from collections import defaultdict

wrk = next(l for l in open(sys.argv[2]) if l.startswith("BENCH "))
values = dict(kv.split("=") for kv in wrk.split()[1:])
rps = int(values["requests"]) / (int(values["duration_us"]) / 1e6)
series = defaultdict(list)
for row in list(csv.reader(open(sys.argv[1])))[1:]:
    if len(row) >= 5:
        series[row[2]].append(float(row[4]))

def mean(name):
    v = series.get(name, [])
    return sum(v) / len(v) if v else 0.0

print(f"turns/s {rps:,.0f} (p99 {int(values['p99_us']) / 1000:.2f} ms)")
print(f"allocated per turn: {mean('dotnet.gc.heap.total_allocated (By / 1 sec)') / rps:,.0f} bytes")
for gen in ("gen0", "gen1", "gen2"):
    print(f"{gen} GCs per 1000 turns: {mean(f'dotnet.gc.collections ({{collection}} / 1 sec)[gc.heap.generation={gen}]') / rps * 1000:.2f}")
cpu = mean("dotnet.process.cpu.time (s / 1 sec)[cpu.mode=user]") + mean("dotnet.process.cpu.time (s / 1 sec)[cpu.mode=system]")
print(f"CPU per turn: {cpu / rps * 1e6:,.0f} us ({100 * cpu:.0f}% of a core)")
print(f"GC pause: {100 * mean('dotnet.gc.pause.time (s / 1 sec)'):.1f}% of the time")
print(f"lock contentions per turn: {mean('dotnet.monitor.lock_contentions ({contention} / 1 sec)') / rps:.2f}")
print(f"working set: {max(series.get('dotnet.process.memory.working_set (By)', [0])) / 2**20:.0f} MB")

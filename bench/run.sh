#!/usr/bin/env bash
# The benchmark in one command: installs what it needs (wrk, nginx-light, the SDK's npm packages), builds Release,
# then measures, in one run on this machine: the ceiling, the Bot Framework SDK (JS) echo bot, and TeamsBot's message
# and invoke turns in local mode and with JWT validation; then the Graph round trips of each flow.
# Results: the table on stdout, JSON under bench/results/. Settings: BENCH_DURATION (15), BENCH_WARMUP_BURSTS (10),
# BENCH_ONLY (comma-separated row keys), BENCH_SKIP_FLOWS=1, BENCH_SKIP_LOAD=1.
set -euo pipefail
cd "$(dirname "$0")"
BENCH=$PWD
RESULTS=$BENCH/results
mkdir -p "$RESULTS/bin" "$RESULTS/run"

LOAD=$([ "${BENCH_SKIP_LOAD:-0}" = 1 ] && echo 0 || echo 1)
FLOWS=$([ "${BENCH_SKIP_FLOWS:-0}" = 1 ] && echo 0 || echo 1)

need() { command -v "$1" >/dev/null 2>&1; }
# The load rows' tools; the flow costs (BENCH_SKIP_LOAD=1) need none of them.
if [ "$LOAD" = 1 ]; then
  if ! need wrk || ! need nginx; then
    echo "[bench] installing wrk and nginx-light (Debian)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
  fi
  need taskset || { echo "taskset (util-linux) is required" >&2; exit 1; }
  if [ "$(nproc)" -lt 2 ]; then echo "[bench] needs 2 cores (server on core 1, load on core 0)" >&2; exit 1; fi

  if [ ! -d botbuilder/node_modules/botbuilder ]; then
    echo "[bench] npm ci (botbuilder 4.23.3, restify 11.1.0)" >&2
    (cd botbuilder && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
  fi
fi

echo "[bench] building Release" >&2
# Local mode runs through the development launcher (the bot plus the simulated tenant): the local load rows and the flows.
dotnet build ../src/TeamsBot.Local -c Release -o "$RESULTS/bin/local" -nologo -v q >/dev/null
if [ "$LOAD" = 1 ]; then
  dotnet publish ../src/TeamsBot -c Release -o "$RESULTS/bin/bot" -nologo -v q >/dev/null
  dotnet publish Ceiling -c Release -o "$RESULTS/bin/ceiling" -nologo -v q >/dev/null
  dotnet publish Issuer -c Release -o "$RESULTS/bin/issuer" -nologo -v q >/dev/null
fi
if [ "$FLOWS" = 1 ]; then
  dotnet publish Flows -c Release -o "$RESULTS/bin/flows" -nologo -v q >/dev/null
fi

if [ "$LOAD" = 1 ]; then
  python3 bench.py
fi
if [ "$FLOWS" = 1 ]; then
  echo "[bench] flow costs in Graph round trips (simulated tenant)" >&2
  dotnet "$RESULTS/bin/flows/Flows.dll" --bot "$RESULTS/bin/local/TeamsBot.Local" --db "$RESULTS/run/flows.db" 2>"$RESULTS/run/flows.log"
fi

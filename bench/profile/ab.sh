#!/usr/bin/env bash
# A/B of two bot builds on CPU time per turn (steadier than turns/s on a shared machine): runs the given bench.py rows
# for build A and build B in turn, ROUNDS times. Usage: bench/profile/ab.sh DIR_A DIR_B rows [rounds]
# ENV_A / ENV_B: runtime settings for each side ("DOTNET_gcServer=0 ..."), to compare settings on one build.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1; B=$2; ROWS=$3; ROUNDS=${4:-2}
for r in $(seq "$ROUNDS"); do
  for side in A B; do
    dir=$A; envs=${ENV_A:-}; [ $side = B ] && dir=$B && envs=${ENV_B:-}
    BENCH_BOT_ENV=$envs BENCH_BOT_DIR=$dir BENCH_ONLY=$ROWS BENCH_DURATION=${BENCH_DURATION:-6} BENCH_WARMUP_BURSTS=${BENCH_WARMUP_BURSTS:-8} \
      python3 bench.py 2>&1 | grep "^\[bench\].*CPU us" | sed "s/^\[bench\]/$side/"
  done
done

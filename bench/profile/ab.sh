#!/usr/bin/env bash
# A/B of two bot builds on CPU time per turn (steadier than turns/s on a shared machine): runs the given bench.py rows
# for build A and build B in turn, ROUNDS times. Usage: bench/profile/ab.sh DIR_A DIR_B rows [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1; B=$2; ROWS=$3; ROUNDS=${4:-2}
for r in $(seq "$ROUNDS"); do
  for side in A B; do
    dir=$A; [ $side = B ] && dir=$B
    BENCH_BOT_DIR=$dir BENCH_ONLY=$ROWS BENCH_DURATION=${BENCH_DURATION:-6} BENCH_WARMUP_BURSTS=${BENCH_WARMUP_BURSTS:-8} \
      python3 bench.py 2>&1 | grep "^\[bench\].*CPU us" | sed "s/^\[bench\]/$side/"
  done
done

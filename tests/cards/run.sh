#!/usr/bin/env bash
# Card check entry point for the repo's test command.
#   tests/cards/run.sh <dir>        check every *.json card in <dir> against verbs.json
#   tests/cards/run.sh --self-test  run the checker's own tests
# Installs adaptivecards (npm ci) on first use. Closing line: `cards: N passed, N failed`.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -d "$HERE/node_modules/adaptivecards" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  echo "cards: installing npm packages (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || { echo "cards: 0 passed, 1 failed"; exit 1; }
fi
if [ "${1:-}" = "--self-test" ]; then
  cd "$HERE" && exec node --test
fi
exec node "$HERE/check-cards.mjs" "$@"

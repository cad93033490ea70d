#!/usr/bin/env bash
# Builds the Teams app package for an environment:
#   manifest/build-package.sh local            -> manifest/build/local/TeamsBot.zip
#   manifest/build-package.sh path/to/prod.env -> manifest/build/prod/TeamsBot.zip
#   options: --out <dir>
# Installs the pinned npm tools (package-lock.json) on first use.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <local|env-file> [--out dir]" >&2
  exit 2
fi
if [[ ! -d "$here/node_modules" ]]; then
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
exec node "$here/tools/build-package.mjs" "$@"

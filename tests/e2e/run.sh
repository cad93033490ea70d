#!/usr/bin/env bash
# End-to-end suite: Debian Chromium + Agents Playground per persona + the bot, headless.
# Installs what is missing (chromium via apt, npm packages via npm ci), builds the bot once in
# Release, runs the suite and ends with `e2e: N passed, N failed` (non-zero exit on failure).
#
#   tests/e2e/run.sh                     build the bot, start it, run specs/
#   E2E_FLOWS=1 tests/e2e/run.sh         also the multi-persona flows in flows/
#   E2E_BOT_NO_BUILD=1 tests/e2e/run.sh  use the existing build (E2E_BOT_CONFIGURATION, default Release)
#   BOT_URL=http://127.0.0.1:3978 tests/e2e/run.sh   use a bot that already runs
#   E2E_BOT_URL=http://127.0.0.1:3988 E2E_PORT_BASE=57150 tests/e2e/run.sh   other ports (a demo runs)
#   extra arguments go to node --test, e.g. --test-name-pattern=help
set -uo pipefail
E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$E2E/../.." && pwd)"
cd "$E2E"
# Below Linux's ephemeral range (32768-60999), so that no outbound connection or port-0 listener can take a
# Playground's port in the middle of a run. The demo keeps the Playground's usual 56150.
export E2E_PORT_BASE="${E2E_PORT_BASE:-28150}"

give_up() {
  echo "e2e: $1" >&2
  echo "e2e: 0 passed, 1 failed"
  exit 1
}

if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing Debian chromium (apt-get install -y chromium)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } ||
    give_up "could not install chromium"
fi

if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@microsoft/m365agentsplayground ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "e2e: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error || give_up "npm ci failed"
fi

if [ -z "${BOT_URL:-}" ]; then
  export E2E_BOT_CONFIGURATION="${E2E_BOT_CONFIGURATION:-Release}"
  if [ "${E2E_BOT_NO_BUILD:-}" != "1" ]; then
    echo "e2e: building the bot (dotnet build src/TeamsBot.Local -c $E2E_BOT_CONFIGURATION)"
    dotnet build "$ROOT/src/TeamsBot.Local" -c "$E2E_BOT_CONFIGURATION" -nologo -v quiet ||
      give_up "the bot does not build"
    export E2E_BOT_NO_BUILD=1
  fi
fi

exec node run-suite.mjs "$@"

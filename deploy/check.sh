#!/usr/bin/env bash
# Packaging checks for the Teams app package (manifest/) and the Azure deployment (deploy/).
# Runs from a clean clone: installs the pinned npm tools (npm ci) and restores the Bicep compiler
# from NuGet. Prints one line per check and ends with "packaging: N passed, N failed";
# exits non-zero if any check failed.
#   deploy/check.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$root/manifest"
deploy="$root/deploy"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
started=$(date +%s)

now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100)); }

# check <name> <command...>: runs the command quietly; on failure shows the end of its output.
check() {
  local name="$1"
  shift
  local log="$work/log.txt" t0
  t0=$(now_ms)
  if "$@" >"$log" 2>&1; then
    printf 'ok    %-66s %6s\n' "$name" "$(since "$t0")"
    passed=$((passed + 1))
    return 0
  fi
  printf 'FAIL  %s\n' "$name"
  tail -n 40 "$log" | sed 's/^/      /'
  failed=$((failed + 1))
  return 1
}

not_run() {
  printf 'FAIL  %s (not run: %s)\n' "$1" "$2"
  failed=$((failed + 1))
}

# Counts a test runner's own results: one check per test.
count_tests() {
  local name="$1" log="$2" ok="${3:-0}" bad="${4:-0}"
  passed=$((passed + ok))
  failed=$((failed + bad))
  printf '%-5s %-66s %s passed, %s failed\n' "$([[ $bad -eq 0 && $ok -gt 0 ]] && echo ok || echo FAIL)" "$name" "$ok" "$bad"
  if [[ $bad -ne 0 || $ok -eq 0 ]]; then
    grep -E '^not ok|^# Subtest|error|Error|expected|actual' "$log" | head -n 60 | sed 's/^/      /'
    [[ $ok -eq 0 && $bad -eq 0 ]] && failed=$((failed + 1))
  fi
}

# node_tests <name> <path> [env assignments...]: runs node's test runner, one check per test.
node_tests() {
  local name="$1" path="$2" log="$work/node-test.txt"
  shift 2
  env "$@" node --test --test-reporter=tap "$path" >"$log" 2>&1
  count_tests "$name" "$log" \
    "$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)" \
    "$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)"
}

# bicep exits 0 on warnings: a clean compile is one that prints nothing at all.
bicep_clean() {
  local out
  out="$("$bicep" "$@" 2>&1)"
  local rc=$?
  [[ -n "$out" ]] && echo "$out"
  [[ $rc -eq 0 && -z "$out" ]]
}

echo "== Teams app package (manifest/)"
npm_ready=false
if check "npm ci (manifest/package-lock.json)" \
  bash -c "cd '$manifest' && rm -rf node_modules && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error"; then
  npm_ready=true
fi
if $npm_ready; then
  check "icons match their drawing script (tools/draw-icons.mjs --check)" node "$manifest/tools/draw-icons.mjs" --check
  check "build the 'local' package (renders, validates, zips)" \
    node "$manifest/tools/build-package.mjs" local --out "$work/package-local"
  check "validate the built zip and its unpacked manifest" \
    node "$manifest/tools/validate.mjs" "$work/package-local/TeamsBot.zip" "$work/package-local/manifest.json"
  check "the raw template is rejected (placeholders are not a package)" \
    bash -c "! node '$manifest/tools/validate.mjs' '$manifest/manifest.json'"
  node_tests "validator self-tests (manifest/tests)" "$manifest/tests/"
else
  not_run "manifest checks" "npm ci failed"
fi

echo "== Azure deployment (deploy/)"
bicep=""
restore() {
  dotnet restore "$deploy/Deploy.Check.csproj" --verbosity quiet || return 1
  bicep="$(dotnet msbuild "$deploy/Deploy.Check.csproj" -getProperty:BicepPath -nologo)" || return 1
  [[ -f "$bicep" ]] || { echo "no bicep binary at '$bicep'"; return 1; }
  [[ -x "$bicep" ]] || chmod +x "$bicep"
  "$bicep" --version
}
# Not through check(): restore() sets $bicep in this shell.
t0=$(now_ms)
if restore >"$work/restore.txt" 2>&1; then
  printf 'ok    %-66s %6s\n' "restore the Bicep CLI (Azure.Bicep.CommandLine.linux-x64)" "$(since "$t0")"
  passed=$((passed + 1))
  check "bicep build main.bicep (+ modules): no warnings, no errors" \
    bicep_clean build "$deploy/main.bicep" --outdir "$work/arm"
  check "bicep build-params main.bicepparam: no warnings, no errors" \
    bicep_clean build-params "$deploy/main.bicepparam" --outfile "$work/arm/main.parameters.json"
  # The gate itself must catch what bicep only warns about (unused parameter, unknown property).
  cat >"$work/warns.bicep" <<'EOF'
param unused string
resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'x'
  location: 'westeurope'
  properties: {
    notAProperty: true
  }
}
EOF
  check "the warning gate rejects a template bicep only warns about" \
    bash -c "out=\$('$bicep' build '$work/warns.bicep' --stdout 2>&1 >/dev/null); echo \"\$out\"; \
      grep -q 'no-unused-params' <<<\"\$out\" && grep -q 'BCP037' <<<\"\$out\""
  if [[ -f "$work/arm/main.json" && -f "$work/arm/main.parameters.json" ]]; then
    node_tests "compiled template: keys wired, resources hardened (deploy/tests)" \
      "$deploy/tests/compiled-template.test.mjs" ARM_DIR="$work/arm"
  else
    not_run "compiled template tests" "no compiled template"
  fi
else
  printf 'FAIL  restore the Bicep CLI\n'
  tail -n 30 "$work/restore.txt" | sed 's/^/      /'
  failed=$((failed + 1))
  not_run "bicep builds" "no bicep binary"
fi

check "grant-graph-permissions.sh parses (bash -n)" bash -n "$deploy/grant-graph-permissions.sh"
bash "$deploy/tests/grant-graph-permissions.test.sh" >"$work/grant-test.txt" 2>&1
count_tests "grant-graph-permissions.sh against a fake az (deploy/tests)" "$work/grant-test.txt" \
  "$(grep -c '^ok - ' "$work/grant-test.txt")" "$(grep -c '^not ok - ' "$work/grant-test.txt")"
if command -v shellcheck >/dev/null; then
  check "shellcheck: deploy and manifest scripts" \
    shellcheck "$deploy/check.sh" "$deploy/grant-graph-permissions.sh" "$deploy/tests/"*.sh "$manifest/build-package.sh"
else
  echo "skip  shellcheck not installed (apt-get install shellcheck)"
fi

# docker build cannot run here (no engine); check what can be checked without one.
dockerfile_sources_exist() {
  local missing=0 src
  while read -r src; do
    [[ -e "$root/$src" ]] || { echo "COPY source missing: $src"; missing=1; }
  done < <(awk '/^COPY / && !/--from=/ { for (i = 2; i < NF; i++) print $i }' "$deploy/Dockerfile")
  grep -q '^USER ' "$deploy/Dockerfile" || { echo "no USER (image would run as root)"; missing=1; }
  grep -A 2 '^HEALTHCHECK ' "$deploy/Dockerfile" | grep -q '/healthz' || { echo "no HEALTHCHECK on /healthz"; missing=1; }
  grep -q '^EXPOSE 8080' "$deploy/Dockerfile" || { echo "no EXPOSE 8080"; missing=1; }
  return $missing
}
check "Dockerfile: COPY sources exist, non-root, HEALTHCHECK, port 8080" dockerfile_sources_exist

# What is deployed is the production host alone: the simulated tenant ships only with src/TeamsBot.Local.
published_without_simulated_tenant() {
  dotnet publish "$root/src/TeamsBot/TeamsBot.csproj" -c Release -o "$work/publish" -nologo -v q || return 1
  [[ -f "$work/publish/TeamsBot.dll" ]] || { echo "no TeamsBot.dll in the publish output"; return 1; }
  local found
  found=$(find "$work/publish" -iname '*DevTenant*')
  if [[ -n "$found" ]]; then
    echo "the publish output holds the simulated tenant:"
    echo "$found"
    return 1
  fi
}
check "dotnet publish src/TeamsBot: no TeamsBot.DevTenant in the output" published_without_simulated_tenant

echo "packaging checks took $(($(date +%s) - started))s"
echo "packaging: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

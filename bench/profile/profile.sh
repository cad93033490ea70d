#!/usr/bin/env bash
# Profiles the bot under load: starts it like bench.py does (local mode or JWT), warms it up, then samples it with
# dotnet-trace while wrk posts one activity, and prints where the time went.
# Usage: bench/profile/profile.sh local|jwt message|unknown|invoke [seconds]
# Needs: bench/run.sh built once (results/bin), dotnet-trace (dotnet tool install -g dotnet-trace).
# BENCH_BOT_DIR: profile another build (a dotnet build -o folder); BENCH_RESULTS: another results folder.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-local}; FLOW=${2:-message}; SECONDS_=${3:-8}
RESULTS=$(realpath -m "${BENCH_RESULTS:-results}")
RUN=$RESULTS/run; BIN=$RESULTS/bin; OUT=$RESULTS/profile; mkdir -p "$OUT" "$RUN/nginx/tmp"
case $FLOW in
  message) BODY=$RUN/message-my-requests.json ;;
  unknown) BODY=$RUN/message-unknown.json ;;
  invoke) BODY=$RUN/invoke-tap-mine.json ;;
  *) echo "flow: message|unknown|invoke" >&2; exit 2 ;;
esac
[ -f "$BODY" ] || { echo "run bench/run.sh once first (it writes $BODY)" >&2; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
taskset -c 0 nginx -p "$RUN/nginx" -c "$PWD/connector/nginx.conf" >/dev/null 2>&1 & pids+=($!)
# As deployed (deploy/Dockerfile): see README, "Tier-up".
export DOTNET_TC_DelaySingleProcMultiplier=${DOTNET_TC_DelaySingleProcMultiplier:-1}
export Storage__SqlitePath=$RUN/profile.db Urls=http://127.0.0.1:3978
rm -f "$Storage__SqlitePath"*
TOKEN=
if [ "$MODE" = local ]; then
  export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning Graph__SimulatedPort=0
else
  taskset -c 0 dotnet $BIN/issuer/Issuer.dll --out $RUN/issuer --audience 5d0c2a4e-1111-4222-8333-944455566677 \
    --service-url http://127.0.0.1:3990/ >/dev/null 2>&1 & pids+=($!)
  sleep 2
  TOKEN=$RUN/issuer/token.txt
  export ASPNETCORE_ENVIRONMENT=Production Bot__AppId=5d0c2a4e-1111-4222-8333-944455566677 \
    Bot__TenantId=7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d Bot__ClientCredential__SourceType=ClientSecret \
    Bot__ClientCredential__ClientSecret=bench-client-secret \
    Bot__OpenIdMetadataUrl=http://127.0.0.1:3983/v1/.well-known/openidconfiguration \
    Bot__AuthorityHost=https://127.0.0.1:3984/ Graph__Mode=Live SSL_CERT_FILE=$RUN/issuer/ca.pem
fi
# Local mode runs the launcher that holds the simulated tenant (TeamsBot.Local); a build from before it has the bot alone.
DIR=${BENCH_BOT_DIR:-$BIN/$([ "$MODE" = local ] && echo local || echo bot)}
PROGRAM=TeamsBot; [ "$MODE" = local ] && [ -x "$DIR/TeamsBot.Local" ] && PROGRAM=TeamsBot.Local
(cd "$DIR" && exec taskset -c 1 "./$PROGRAM") >"$OUT/bot.log" 2>&1 & BOT=$!; pids+=($BOT)
until curl -sf -o /dev/null --max-time 60 http://127.0.0.1:3978/readyz; do sleep 0.1; done
export BENCH_BODY=$BODY BENCH_TOKEN=$TOKEN
for i in $(seq 10); do taskset -c 0 wrk -t2 -c32 -d1s -s load/post.lua http://127.0.0.1:3978/api/messages >/dev/null; sleep 0.5; done
NAME=$OUT/$MODE-$FLOW
if [ "${PROFILE_COUNTERS:-0}" = 1 ]; then
  # Allocation and GC counters instead of a trace: bytes per turn do not depend on what else runs on the machine.
  rm -f "$NAME.counters.csv"
  taskset -c 0 wrk -t2 -c32 -d$((SECONDS_ + 3))s -s load/post.lua http://127.0.0.1:3978/api/messages > "$NAME.wrk.txt" &
  sleep 1
  taskset -c 0 ~/.dotnet/tools/dotnet-counters collect -p $BOT --counters System.Runtime --refresh-interval 1 \
    --duration 00:00:00:$(printf %02d "$SECONDS_") --format csv -o "$NAME.counters.csv" >/dev/null 2>&1 || true
  wait %3 2>/dev/null || true
  python3 profile/per_turn.py "$NAME.counters.csv" "$NAME.wrk.txt"
  exit 0
fi
rm -f "$NAME".nettrace "$NAME".speedscope.json
taskset -c 0 wrk -t2 -c32 -d$((SECONDS_ + 4))s -s load/post.lua http://127.0.0.1:3978/api/messages | grep BENCH &
sleep 1
taskset -c 0 ~/.dotnet/tools/dotnet-trace collect -p $BOT --profile dotnet-sampled-thread-time --duration 00:00:00:$(printf %02d "$SECONDS_") \
  -o "$NAME.nettrace" --format Speedscope >/dev/null 2>&1 || true
wait %3 2>/dev/null || true
python3 profile/summarize.py "$NAME.speedscope.json" 45 "${FILTER:-}"

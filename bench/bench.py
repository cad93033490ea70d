#!/usr/bin/env python3
"""Runs the benchmark matrix on this machine and prints one table. Started by bench/run.sh (which builds first).

Every server runs pinned to core 1 (taskset -c 1); wrk and the fake connector (nginx) share core 0. Each row gets a
fresh process: cold start is timed from spawn to the first 200 on /healthz and on /api/messages, then warm-up bursts
(wrk for 1 s, 0.5 s idle, N times: the runtime tiers up in the gaps), then one measured wrk run (-t2 -c32). Memory is
the process's peak RSS (VmHWM) at the end, warm-up and load included.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

BENCH = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.environ.get("BENCH_RESULTS") or os.path.join(BENCH, "results")
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
BURSTS = int(os.environ.get("BENCH_WARMUP_BURSTS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
ONLY = [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s]

TENANT = "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d"
APP_ID = "5d0c2a4e-1111-4222-8333-944455566677"
CONNECTOR = "http://127.0.0.1:3990/"
BOT_PORT, CEILING_PORT, SDK_PORT, ISSUER_HTTP, ISSUER_HTTPS = 3978, 3981, 3982, 3983, 3984

RUN = os.path.join(RESULTS, "run")
BIN = os.path.join(RESULTS, "bin")


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def body(template, placeholder, value, name):
    with open(os.path.join(BENCH, "load", template)) as f:
        text = f.read().replace(placeholder, value)
    path = os.path.join(RUN, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def http_status(url, data=None, headers=None, timeout=2.0):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return None


def wait_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.01)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def cpu_seconds(pid):
    """User + system CPU time of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


class Server:
    def __init__(self, name, argv, env, cwd, port, log_name):
        self.name, self.argv, self.env, self.cwd, self.port = name, argv, env, cwd, port
        self.log_path = os.path.join(RUN, log_name)
        self.proc = None

    def start(self, probe_body, probe_headers, readyz):
        """Spawns the server; returns ms to the first 200 on /healthz, on /api/messages and (if asked) on /readyz."""
        env = dict(os.environ)
        env.update(self.env)
        logf = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", "1", *self.argv], cwd=self.cwd, env=env, stdout=logf, stderr=subprocess.STDOUT)
        healthz = first_turn = ready = None
        base = f"http://127.0.0.1:{self.port}"
        deadline = t0 + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            if healthz is None:
                if http_status(base + "/healthz", timeout=1) == 200:
                    healthz = (time.monotonic() - t0) * 1000
                else:
                    time.sleep(0.002)
                    continue
            if http_status(base + "/api/messages", data=probe_body, headers=probe_headers, timeout=5) == 200:
                first_turn = (time.monotonic() - t0) * 1000
                break
            time.sleep(0.002)
        if first_turn is None:
            raise RuntimeError(f"{self.name} gave no 200 on /api/messages within 60 s; see {self.log_path}")
        # Ready: storage answers and, with an app id, the outbound connector token was acquired.
        while readyz and time.monotonic() < t0 + 120:
            if http_status(base + "/readyz", timeout=60) == 200:
                ready = (time.monotonic() - t0) * 1000
                break
            time.sleep(0.01)
        if readyz and ready is None:
            raise RuntimeError(f"{self.name} was not ready within 120 s; see {self.log_path}")
        return healthz, first_turn, ready

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wrk(url, body_path, token_path, duration, quiet=False):
    env = dict(os.environ, BENCH_BODY=body_path, BENCH_TOKEN=token_path or "")
    out = subprocess.run(["taskset", "-c", "0", "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency",
                          "-s", os.path.join(BENCH, "load", "post.lua"), url], env=env, capture_output=True, text=True, check=True)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError("wrk printed no result:\n" + out.stdout + out.stderr)
    values = dict(kv.split("=") for kv in line.split()[1:])
    r = {k: int(v) for k, v in values.items()}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def run_row(row):
    server = row["server"]()
    probe = open(row["body"], "rb").read()
    headers = {"Content-Type": "application/json"}
    if row.get("token"):
        headers["Authorization"] = "Bearer " + open(row["token"]).read().strip()
    log(f"{row['label']}: starting")
    try:
        healthz, first, ready = server.start(probe, headers, row.get("readyz", False))
        url = f"http://127.0.0.1:{server.port}/api/messages"
        for _ in range(BURSTS):
            wrk(url, row["body"], row.get("token"), 1)
            time.sleep(0.5)
        time.sleep(1)
        cpu0, wall0 = cpu_seconds(server.proc.pid), time.monotonic()
        r = wrk(url, row["body"], row.get("token"), DURATION)
        # Share of its core the server got: well under 100% means something else ran there (or it waited on I/O).
        used = cpu_seconds(server.proc.pid) - cpu0
        r["server_cpu_pct"] = 100 * used / (time.monotonic() - wall0)
        # CPU time per turn: steadier than turns/s when other work shares the machine.
        r["cpu_us_per_turn"] = 1e6 * used / max(r["requests"], 1)
        r["loadavg"] = open("/proc/loadavg").read().split()[0]
        r["rss_mb"] = peak_rss_mb(server.proc.pid)
        r["healthz_ms"], r["first_turn_ms"], r["readyz_ms"] = healthz, first, ready
        log(f"{row['label']}: {r['rps']:.0f}/s p50 {r['p50_us']/1000:.2f} ms p99 {r['p99_us']/1000:.2f} ms "
            f"RSS {r['rss_mb']:.0f} MB, {r['cpu_us_per_turn']:.0f} CPU us/turn, server CPU {r['server_cpu_pct']:.0f}%, load {r['loadavg']}, "
            f"errors {r['non2xx']}+{r['socket_errors']}")
        time.sleep(1)  # let the last replies of the run go out before stopping
        return r
    finally:
        server.stop()


def main():
    os.makedirs(RUN, exist_ok=True)
    message = body("message.json", "TEXT", "my requests", "message-my-requests.json")
    unknown = body("message.json", "TEXT", "what is this", "message-unknown.json")
    invoke = body("invoke.json", "VERB", "tap.mine", "invoke-tap-mine.json")
    invoke_unknown = body("invoke.json", "VERB", "bench.unknown", "invoke-unknown.json")
    token = os.path.join(RUN, "issuer", "token.txt")
    ca = os.path.join(RUN, "issuer", "ca.pem")

    # The runtime settings of the deployment (deploy/Dockerfile, main.bicep), for both .NET servers: pinned to one core,
    # the runtime sees one CPU and would otherwise wait ten times longer before optimising hot code (README, "Tier-up").
    dotnet_env = {"DOTNET_NOLOGO": "1", "DOTNET_TC_DelaySingleProcMultiplier": "1"}

    def bot(mode, db):
        def make():
            path = os.path.join(RUN, db)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            env = dict(dotnet_env, Storage__SqlitePath=path, Urls=f"http://127.0.0.1:{BOT_PORT}")
            if mode == "local":
                # Local mode is refused outside Development; keep its console quiet as in production.
                env.update(ASPNETCORE_ENVIRONMENT="Development", Logging__LogLevel__Default="Warning", Graph__SimulatedPort="0")
                default_dir, program = os.path.join(BIN, "local"), "TeamsBot.Local"
            else:
                env.update({
                    "ASPNETCORE_ENVIRONMENT": "Production",
                    "Bot__AppId": APP_ID,
                    "Bot__TenantId": TENANT,
                    "Bot__ClientCredential__SourceType": "ClientSecret",
                    "Bot__ClientCredential__ClientSecret": "bench-client-secret",
                    "Bot__OpenIdMetadataUrl": f"http://127.0.0.1:{ISSUER_HTTP}/v1/.well-known/openidconfiguration",
                    "Bot__AuthorityHost": f"https://127.0.0.1:{ISSUER_HTTPS}/",
                    "Graph__Mode": "Live",
                    # The loopback Entra's certificate authority, trusted by this process only.
                    "SSL_CERT_FILE": ca,
                })
                default_dir, program = os.path.join(BIN, "bot"), "TeamsBot"
            # Extra runtime settings for a trial (profile/ab.sh), e.g. "DOTNET_gcServer=0".
            env.update(kv.split("=", 1) for kv in os.environ.get("BENCH_BOT_ENV", "").split())
            bot_dir = os.path.abspath(os.environ.get("BENCH_BOT_DIR") or default_dir)
            if not os.path.exists(os.path.join(bot_dir, program)):
                program = "TeamsBot"  # a build from before the launcher: the bot started the simulated tenant itself
            return Server(f"bot-{mode}", [os.path.join(bot_dir, program)], env, bot_dir, BOT_PORT,
                          f"bot-{mode}-{db}.log")
        return make

    ceiling = lambda: Server("ceiling", ["dotnet", os.path.join(BIN, "ceiling", "Ceiling.dll"), "--urls", f"http://127.0.0.1:{CEILING_PORT}"],
                             dotnet_env, os.path.join(BIN, "ceiling"), CEILING_PORT, "ceiling.log")
    sdk = lambda: Server("botbuilder", ["node", "index.js"], {"PORT": str(SDK_PORT), "NODE_ENV": "production"},
                         os.path.join(BENCH, "botbuilder"), SDK_PORT, "botbuilder.log")

    rows = [
        dict(key="ceiling", label="ceiling: parse + reply (ASP.NET Core)", server=ceiling, body=message, flow="message"),
        dict(key="sdk", label="botbuilder 4.23.3 echo (JS SDK), anonymous", server=sdk, body=message, flow="message"),
        dict(key="local-message", label="TeamsBot message 'my requests', local mode", server=bot("local", "m.db"), body=message, flow="message", readyz=True),
        dict(key="local-unknown", label="TeamsBot message (unknown command), local mode", server=bot("local", "u.db"), body=unknown, flow="message"),
        dict(key="local-invoke", label="TeamsBot invoke tap.mine, local mode", server=bot("local", "i.db"), body=invoke, flow="invoke"),
        dict(key="local-invoke-unknown", label="TeamsBot invoke (unknown verb), local mode", server=bot("local", "iu.db"), body=invoke_unknown, flow="invoke"),
        dict(key="jwt-message", label="TeamsBot message 'my requests', JWT", server=bot("jwt", "jm.db"), body=message, flow="message", token=token, readyz=True),
        dict(key="jwt-invoke", label="TeamsBot invoke tap.mine, JWT", server=bot("jwt", "ji.db"), body=invoke, flow="invoke", token=token, readyz=True),
    ]
    if ONLY:
        rows = [r for r in rows if r["key"] in ONLY]

    nginx_dir = os.path.join(RUN, "nginx")
    os.makedirs(os.path.join(nginx_dir, "tmp"), exist_ok=True)
    nginx = subprocess.Popen(["taskset", "-c", "0", "nginx", "-p", nginx_dir, "-c", os.path.join(BENCH, "connector", "nginx.conf")],
                             stdout=open(os.path.join(RUN, "nginx.log"), "w"), stderr=subprocess.STDOUT)
    issuer = None
    results = {}
    try:
        wait_port(3990)
        if any(r.get("token") for r in rows):
            issuer = subprocess.Popen(["taskset", "-c", "0", "dotnet", os.path.join(BIN, "issuer", "Issuer.dll"), "--out", os.path.join(RUN, "issuer"),
                                       "--audience", APP_ID, "--service-url", CONNECTOR, "--http-port", str(ISSUER_HTTP),
                                       "--https-port", str(ISSUER_HTTPS)], stdout=open(os.path.join(RUN, "issuer.log"), "w"),
                                      stderr=subprocess.STDOUT)
            if os.path.exists(token):
                os.remove(token)
            wait_port(ISSUER_HTTP)
            while not os.path.exists(token):
                time.sleep(0.05)
        for row in rows:
            results[row["key"]] = dict(run_row(row), label=row["label"], flow=row["flow"])
        if issuer:
            with urllib.request.urlopen(f"http://127.0.0.1:{ISSUER_HTTP}/_counts") as r:
                results["issuer_counts"] = json.loads(r.read())
    finally:
        for p in (issuer, nginx):
            if p and p.poll() is None:
                p.terminate()
                p.wait()

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with open(os.path.join(RESULTS, f"load-{stamp}.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(report(results))


def ms(value):
    return "" if value is None else f"{value:.0f}"


def report(results):
    lines = [
        f"Message and invoke turns: wrk -t2 -c{CONNECTIONS} -d{DURATION}s, server on core 1, wrk + nginx connector on core 0, "
        f"warm-up {BURSTS} x 1 s bursts. {os.cpu_count()} cores.",
        "",
        "| row | turns/s | p50 ms | p99 ms | RSS peak MB | start: /healthz ms | start: first turn ms | start: /readyz ms | CPU µs/turn | server CPU % | load avg | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in results.items():
        if key == "issuer_counts":
            continue
        lines.append(f"| {r['label']} | {r['rps']:,.0f} | {r['p50_us']/1000:.2f} | {r['p99_us']/1000:.2f} | {r['rss_mb']:.0f} | "
                     f"{r['healthz_ms']:.0f} | {r['first_turn_ms']:.0f} | {ms(r['readyz_ms'])} | "
                     f"{r['cpu_us_per_turn']:.0f} | {r['server_cpu_pct']:.0f} | {r['loadavg']} | {r['non2xx'] + r['socket_errors']} |")
    lines.append("")

    def ratio(a, b, what):
        if a in results and b in results:
            lines.append(f"- {what}: {results[a]['rps'] / results[b]['rps']:.2f}")
    ratio("local-message", "ceiling", "ours / ceiling, message 'my requests' (local)")
    ratio("local-unknown", "ceiling", "ours / ceiling, message unknown command (local)")
    ratio("local-message", "sdk", "ours / SDK, message 'my requests' (local vs anonymous)")
    ratio("local-unknown", "sdk", "ours / SDK, message unknown command (local vs anonymous)")
    ratio("jwt-message", "sdk", "ours with JWT validation / SDK anonymous, message 'my requests'")
    ratio("jwt-message", "ceiling", "ours with JWT validation / ceiling, message 'my requests'")
    if "issuer_counts" in results:
        lines.append(f"- loopback issuer served: {json.dumps(results['issuer_counts'], sort_keys=True)}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

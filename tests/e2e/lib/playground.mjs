// Starts one Agents Playground instance for one persona, pinned to 127.0.0.1 on a fixed port,
// and proves it really listens there (the Playground silently moves to a random port otherwise).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfig } from './playground-config.mjs';
import { startManaged } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = dirname(here);
export const PLAYGROUND_STATE_DIR = join(E2E_DIR, '.playground'); // git-ignored
const PRELOAD = join(here, 'loopback-preload.cjs');

export function playgroundCli() {
  const require = createRequire(join(E2E_DIR, 'package.json'));
  try {
    return require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    throw new Error(`@microsoft/m365agentsplayground is not installed: run "npm ci" in ${E2E_DIR}`);
  }
}

export function portBase() {
  const raw = process.env.E2E_PORT_BASE ?? '56150';
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65530) throw new Error(`E2E_PORT_BASE must be a port number, got "${raw}"`);
  return base;
}

export function portOf(persona) {
  return portBase() + persona.offset;
}

/** Resolves when nothing listens on 127.0.0.1:port (a wildcard listener also makes this bind fail). */
export function assertPortFree(port, what) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) =>
      reject(
        new Error(
          `port ${port} (${what}) is already taken (${err.code}). Stop whatever holds it ` +
            `(ss -ltnp 'sport = :${port}') or move all Playground ports with E2E_PORT_BASE=<port>.`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(resolve));
  });
}

/** Listening sockets on `port` from /proc/net/tcp{,6}: addresses as hex strings, empty if /proc is absent. */
function listenersOn(port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, p] = cols[1].split(':');
      if (p === hexPort) found.push(addr);
    }
  }
  return found;
}

async function httpOk(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

class PortMoved extends Error {}

/**
 * Starts the Playground for `persona` on `port`, talking to `botEndpoint` (…/api/messages).
 * Returns { persona, port, url, serviceUrl, configPath, logFile, stop() }.
 *
 * The default ports lie in Linux's ephemeral range, where every listen(0) on the machine draws
 * its port (test servers, the bot's simulated tenant): a short-lived one can hold ours between our
 * check and the Playground's own. The Playground then moves to a random port; we stop it and try
 * again. A port that stays taken fails with the check's message.
 */
export async function startPlayground(persona, options = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPlaygroundOnce(persona, options);
    } catch (err) {
      if (!(err instanceof PortMoved) || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function startPlaygroundOnce(persona, { port = portOf(persona), botEndpoint, botId, timeoutMs = 30000 } = {}) {
  if (!botEndpoint) throw new Error('startPlayground needs botEndpoint');
  await assertPortFree(port, `Playground for ${persona.user.name}`);

  const dir = join(PLAYGROUND_STATE_DIR, persona.key);
  mkdirSync(dir, { recursive: true });
  const configPath = writeConfig(dir, persona, botId ? { botId } : {});
  const logFile = join(dir, 'playground.log');
  writeFileSync(logFile, '');
  const serviceUrl = `http://127.0.0.1:${port}/_connector`;

  let announced = null; // the port the Playground says it listens on
  let moved = false;
  const child = startManaged(
    process.execPath,
    ['-r', PRELOAD, playgroundCli(), '-e', botEndpoint, '-c', 'msteams', '-p', String(port), '--service-url', serviceUrl, '--disable-telemetry'],
    {
      cwd: dir,
      name: `playground ${persona.key}`,
      logFile,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
        // The Playground states its own process's time zone in every activity (clientInfo, localTimezone): the
        // people of the suite and the demo work in Berlin, so that cards show times outside UTC, labelled.
        TZ: process.env.E2E_TZ || 'Europe/Berlin',
      },
      onLine: (line) => {
        const m = /Listening on (\d+)/.exec(line);
        if (m) announced = Number(m[1]);
        if (/already in use/i.test(line)) moved = true;
      },
    },
  );

  const fail = async (why, ErrorType = Error) => {
    await child.stop();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new ErrorType(`Playground for ${persona.user.name} on port ${port}: ${why}\n--- ${logFile} (tail) ---\n${tail}`);
  };

  const deadline = Date.now() + timeoutMs;
  while (announced === null) {
    if (child.exitCode !== null || child.signalCode !== null) return fail(`exited early (${child.exitCode ?? child.signalCode})`);
    if (moved) return fail('port taken; the Playground moved to another port', PortMoved);
    if (Date.now() > deadline) return fail(`did not report "Listening on" within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (moved || announced !== port) return fail(`it listens on ${announced} instead (port taken?)`, PortMoved);
  while (!(await httpOk(`http://127.0.0.1:${port}/`))) {
    if (child.exitCode !== null) return fail('exited while starting');
    if (Date.now() > deadline) return fail('does not answer HTTP on 127.0.0.1');
    await new Promise((r) => setTimeout(r, 100));
  }
  const addrs = listenersOn(port);
  if (addrs.length && !addrs.every((a) => a === '0100007F')) return fail(`listens beyond loopback (${addrs.join(', ')}): the preload did not apply`);

  return {
    persona,
    port,
    url: `http://127.0.0.1:${port}/`,
    serviceUrl,
    configPath,
    logFile,
    process: child,
    stop: () => child.stop(),
  };
}

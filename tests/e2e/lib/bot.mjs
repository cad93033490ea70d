// Starts the bot in local mode (`dotnet run --project src/TeamsBot.Local`) or checks one that runs already.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { E2E_DIR, assertPortFree } from './playground.mjs';
import { startManaged } from './processes.mjs';

export const REPO_ROOT = dirname(dirname(E2E_DIR));
export const DEFAULT_BOT_URL = 'http://127.0.0.1:3978';

/** BOT_URL: a bot that already runs; else E2E_BOT_URL: where the suite starts its own (default :3978). */
export function botUrlFromEnv() {
  return (process.env.BOT_URL || process.env.E2E_BOT_URL || DEFAULT_BOT_URL).replace(/\/+$/, '').replace(/\/api\/messages$/, '');
}

export const messagesEndpoint = (botUrl) => `${botUrl}/api/messages`;

async function healthy(botUrl) {
  try {
    const res = await fetch(`${botUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Waits until GET {botUrl}/healthz answers 2xx; stops early when `child` exits. */
export async function waitForHealth(botUrl, { timeoutMs = 180000, child, logFile } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await healthy(botUrl))) {
    const exited = child && (child.exitCode !== null || child.signalCode !== null);
    if (exited || Date.now() > deadline) {
      const why = exited ? `the bot exited (${child.exitCode ?? child.signalCode})` : `no answer within ${timeoutMs / 1000} s`;
      const tail = logFile ? `\n--- ${logFile} (tail) ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n')}` : '';
      throw new Error(`${botUrl}/healthz is not healthy: ${why}${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts the bot with `dotnet run` in Development (simulated tenant, no inbound auth, loopback).
 * options: botUrl, configuration ('Debug' | 'Release'), noBuild (use an existing build), env (extra
 * variables, e.g. Storage__SqlitePath for a fresh database), logFile.
 */
export async function startBot({ botUrl = botUrlFromEnv(), configuration, noBuild = false, env = {}, logFile, timeoutMs } = {}) {
  const { port, hostname } = new URL(botUrl);
  await assertPortFree(Number(port || 80), `the bot at ${botUrl}; if it already runs, use --no-bot or BOT_URL, else start it elsewhere with E2E_BOT_URL`);
  const log = logFile ?? join(E2E_DIR, '.playground', 'bot.log');
  mkdirSync(dirname(log), { recursive: true });
  writeFileSync(log, '');
  const args = ['run', '--project', join(REPO_ROOT, 'src', 'TeamsBot.Local')];
  if (configuration) args.push('-c', configuration);
  if (noBuild) args.push('--no-build');
  args.push('--', '--urls', `http://${hostname}:${port}`);
  const child = startManaged('dotnet', args, {
    cwd: REPO_ROOT,
    name: 'bot',
    logFile: log,
    env: {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: process.env.ASPNETCORE_ENVIRONMENT || 'Development',
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      DOTNET_NOLOGO: '1',
      ...env,
    },
  });
  try {
    await waitForHealth(botUrl, { timeoutMs, child, logFile: log });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { botUrl, process: child, logFile: log, stop: () => child.stop(10000) };
}

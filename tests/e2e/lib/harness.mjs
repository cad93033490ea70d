// node:test glue: one bot + the needed Playground instances + one Chromium per test file.
// The bot is started here unless BOT_URL points at one already running (run-suite.mjs starts one
// bot for the whole suite and sets BOT_URL).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { launchBrowser, newIsolatedContext } from './browser.mjs';
import { E2E_DIR } from './playground.mjs';
import { startStack } from './stack.mjs';
import { TeamsChat } from './teams-chat.mjs';

export const ARTIFACTS_DIR = join(E2E_DIR, 'artifacts'); // git-ignored

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Options for a bot this process starts: a fresh database, and an existing build if asked. */
export function botOptionsFromEnv() {
  const dataDir = mkdtempSync(join(tmpdir(), 'teamsbot-e2e-data-'));
  return {
    configuration: process.env.E2E_BOT_CONFIGURATION || undefined,
    noBuild: process.env.E2E_BOT_NO_BUILD === '1',
    // The simulated tenant on a free port, not the fixed 3979 of Development: a demo may hold that.
    env: { Storage__Provider: 'Sqlite', Storage__SqlitePath: join(dataDir, 'teamsbot.db'), Graph__SimulatedPort: '0' },
    dataDir,
  };
}

/**
 * Registers before/after hooks that start the bot (or use BOT_URL), the Playgrounds of `personas`
 * and Chromium. Returns `open(personaKey, t)`: a TeamsChat in a fresh browser context whose
 * screenshots go to artifacts/<test name>/. Contexts are closed after the file.
 */
export function useTeams(personas) {
  const state = { stack: null, browser: null, contexts: [], dataDir: null };

  before(
    async () => {
      const botOptions = process.env.BOT_URL ? {} : botOptionsFromEnv();
      state.dataDir = botOptions.dataDir;
      state.stack = await startStack({ personas, botOptions, log: (line) => process.stderr.write(`e2e: ${line}\n`) });
      state.browser = await launchBrowser();
    },
    { timeout: 300000 },
  );

  after(async () => {
    for (const c of state.contexts) await c.close().catch(() => {});
    await state.browser?.close().catch(() => {});
    await state.stack?.stop();
    if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
  });

  const open = async function open(personaKey, t) {
    const playground = state.stack.playgrounds[personaKey];
    if (!playground) throw new Error(`persona ${personaKey} has no Playground in this file (started: ${Object.keys(state.stack.playgrounds)})`);
    const context = await newIsolatedContext(state.browser);
    state.contexts.push(context);
    // Test names read "short name: what it checks"; the short name names the screenshot folder.
    return TeamsChat.open(context, playground, { shots: join(ARTIFACTS_DIR, slug(t.name.split(':')[0])) });
  };

  /**
   * The files the bot of this run writes (its log, its database folder), so a test can check that
   * a secret never lands there. Empty for a bot started outside the suite (BOT_URL by hand).
   */
  open.botFiles = () => {
    if (state.stack?.bot) return [state.stack.bot.logFile, state.dataDir].filter(Boolean);
    return [process.env.E2E_BOT_LOG, process.env.E2E_BOT_DATA].filter(Boolean);
  };
  return open;
}

/** Whether `secret` occurs in any of `paths` (files, or folders searched recursively). */
export function filesContain(paths, secret) {
  const needle = Buffer.from(secret, 'utf8');
  const visit = (path) => {
    if (!existsSync(path)) return false;
    if (statSync(path).isDirectory()) return readdirSync(path).some((name) => visit(join(path, name)));
    return readFileSync(path).includes(needle);
  };
  return paths.some(visit);
}

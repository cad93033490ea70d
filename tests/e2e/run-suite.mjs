// Runs the end-to-end suite: one bot for all files (unless BOT_URL is set), the test files one
// after another (they share the persona ports), and a closing line `e2e: N passed, N failed`.
// Files: specs/*.test.mjs, plus flows/*.test.mjs when E2E_FLOWS=1. Extra arguments are passed to
// `node --test` (e.g. --test-name-pattern=help).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botUrlFromEnv, startBot } from './lib/bot.mjs';
import { ARTIFACTS_DIR, botOptionsFromEnv } from './lib/harness.mjs';
import { E2E_DIR } from './lib/playground.mjs';

const files = ['specs', ...(process.env.E2E_FLOWS === '1' ? ['flows'] : [])].flatMap((dir) =>
  readdirSync(join(E2E_DIR, dir))
    .filter((f) => f.endsWith('.test.mjs'))
    .sort()
    .map((f) => join(dir, f)),
);

const closing = (passed, failed) => {
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed > 0 || passed === 0 ? 1 : 0;
};

let bot = null;
let botData = null;
const cleanup = async () => {
  await bot?.stop();
  if (botData) rmSync(botData, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanup();
    process.exit(130);
  });
}

async function main() {
  rmSync(ARTIFACTS_DIR, { recursive: true, force: true }); // screenshots of this run only
  const env = { ...process.env };
  if (!process.env.BOT_URL) {
    const options = botOptionsFromEnv();
    botData = options.dataDir;
    const botUrl = botUrlFromEnv();
    console.log(`e2e: starting the bot at ${botUrl} (${options.configuration ?? 'Debug'}${options.noBuild ? ', existing build' : ''})`);
    try {
      bot = await startBot({ botUrl, ...options });
    } catch (err) {
      console.error(`e2e: the bot did not start: ${err.message}`);
      return closing(0, files.length);
    }
    env.BOT_URL = botUrl;
    // The tests check that no secret lands in the bot's log or database.
    env.E2E_BOT_LOG = bot.logFile;
    env.E2E_BOT_DATA = botData;
  }

  const tap = join(tmpdir(), `teamsbot-e2e-${process.pid}.tap`);
  const args = [
    '--test',
    '--test-concurrency=1',
    '--test-timeout=600000', // a hung wait must not hang CI
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...process.argv.slice(2),
    ...files,
  ];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: E2E_DIR, env, stdio: 'inherit' });
    child.on('exit', (c, s) => resolve(c ?? s));
  });

  let report = '';
  try {
    report = readFileSync(tap, 'utf8');
    rmSync(tap, { force: true });
  } catch {
    /* the runner died before writing */
  }
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  if (code !== 0 && failed === 0) return closing(passed, 1); // the runner failed outside any test
  return closing(passed, failed);
}

const exitCode = await main().catch((err) => {
  console.error(err);
  return closing(0, 1);
});
await cleanup();
process.exit(exitCode);

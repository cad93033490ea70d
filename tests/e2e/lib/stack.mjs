// The local Teams loop in one call: the bot (started here or already running) plus one Agents
// Playground instance per persona. Used by scripts/demo and by the end-to-end tests.
import { DEFAULT_BOT_URL, botUrlFromEnv, messagesEndpoint, startBot, waitForHealth } from './bot.mjs';
import { startPlayground } from './playground.mjs';
import { PERSONAS, persona as personaByKey } from './seed.mjs';

/**
 * options:
 *   personas: persona keys (default: all six)
 *   bot: 'start' (dotnet run here), 'external' (already running at botUrl), 'auto' (external when
 *        BOT_URL is set, else start). Default 'auto'.
 *   botUrl, botOptions (passed to startBot), log (progress lines)
 * Returns { botUrl, bot, playgrounds: { key: handle }, stop() }.
 */
export async function startStack({ personas = PERSONAS.map((p) => p.key), bot = 'auto', botUrl = botUrlFromEnv(), botOptions = {}, log = () => {} } = {}) {
  const mode = bot === 'auto' ? (process.env.BOT_URL ? 'external' : 'start') : bot;
  const stack = { botUrl, bot: null, playgrounds: {}, stop: async () => {} };
  const stopAll = async () => {
    await Promise.all(Object.values(stack.playgrounds).map((p) => p.stop()));
    if (stack.bot) await stack.bot.stop();
  };
  stack.stop = stopAll;

  try {
    if (mode === 'start') {
      log(`starting the bot: dotnet run --project src/TeamsBot.Local -> ${messagesEndpoint(botUrl)}`);
      stack.bot = await startBot({ botUrl, ...botOptions });
      log(`bot healthy at ${botUrl}/healthz (log: ${stack.bot.logFile})`);
    } else {
      log(`using the bot already running at ${botUrl}`);
      await waitForHealth(botUrl, { timeoutMs: 15000 }).catch((err) => {
        throw new Error(`${err.message}\nStart the bot first (dotnet run --project src/TeamsBot.Local) or drop --no-bot / BOT_URL.`);
      });
    }

    const started = await Promise.allSettled(
      personas.map((key) => startPlayground(personaByKey(key), { botEndpoint: messagesEndpoint(botUrl) })),
    );
    for (const r of started) if (r.status === 'fulfilled') stack.playgrounds[r.value.persona.key] = r.value;
    const failed = started.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
    if (failed.length) throw new Error(failed.join('\n\n'));
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export { DEFAULT_BOT_URL };

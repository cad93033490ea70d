// scripts/demo's Node part: starts the bot (unless --no-bot) and one Agents Playground per persona
// with the launcher in tests/e2e/lib, prints which URL is whom, and stops everything on Ctrl+C.
import { parseArgs } from 'node:util';
import { portOf } from '../tests/e2e/lib/playground.mjs';
import { PERSONAS, persona as personaByKey } from '../tests/e2e/lib/seed.mjs';
import { startStack } from '../tests/e2e/lib/stack.mjs';

const usage = `Usage: scripts/demo [--no-bot] [--personas megan,adele,...]

Starts the bot locally (dotnet run --project src/TeamsBot.Local, simulated Contoso tenant) and one
Microsoft 365 Agents Playground per persona, each a Teams client signed in as that person:
${PERSONAS.map((p) => `  ${p.key.padEnd(9)} ${p.user.name} (${p.role})`).join('\n')}

Options:
  --no-bot            the bot already runs (at BOT_URL, default http://127.0.0.1:3978)
  --personas a,b      start only these personas (default: all six)
  -h, --help          this text

Environment:
  E2E_PORT_BASE       first Playground port (default 56150; persona n gets base+n)
  BOT_URL             where the bot listens (default http://127.0.0.1:3978)
`;

let options;
try {
  options = parseArgs({
    options: {
      'no-bot': { type: 'boolean', default: false },
      personas: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  console.error(`demo: ${err.message}\n\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}

const keys = options.personas ? options.personas.split(',').map((s) => s.trim()).filter(Boolean) : PERSONAS.map((p) => p.key);
try {
  keys.forEach(personaByKey);
} catch (err) {
  console.error(`demo: ${err.message}`);
  process.exit(2);
}

const log = (line) => console.log(`demo: ${line}`);
let stack = null;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  log('stopping the Playgrounds and the bot...');
  await stack?.stop();
  log('stopped');
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));

try {
  log(`starting ${keys.length} Playground instance(s) on ports ${keys.map((k) => portOf(personaByKey(k))).join(', ')}`);
  stack = await startStack({ personas: keys, bot: options['no-bot'] ? 'external' : 'start', log });
} catch (err) {
  console.error(`demo: ${err.message}`);
  process.exit(1);
}

const rows = keys.map((k) => {
  const p = stack.playgrounds[k];
  return `  ${p.url.padEnd(25)} ${p.persona.user.name.padEnd(16)} ${p.persona.role.padEnd(13)} ${p.persona.user.userPrincipleName}`;
});
console.log(`
Teams clients (open in a browser on this machine):
${rows.join('\n')}

Bot: ${stack.botUrl}/api/messages${stack.bot ? ` (log: ${stack.bot.logFile})` : ' (started elsewhere)'}
Playground logs and configs: tests/e2e/.playground/<persona>/
Reloading a page clears that chat and installs the app again. Ctrl+C stops everything.
`);

// If any part dies on its own, say so and take the rest down: a half-running demo misleads.
const parts = [...Object.values(stack.playgrounds).map((p) => [`the Playground of ${p.persona.user.name}`, p.process])];
if (stack.bot) parts.push(['the bot', stack.bot.process]);
for (const [name, child] of parts) {
  child.exited.then((code) => {
    if (stopping) return;
    console.error(`demo: ${name} exited (${code}); stopping the rest`);
    stop(1);
  });
}

#!/usr/bin/env node
// Checks the bot's Adaptive Card samples the way Teams will read them:
//   node check-cards.mjs <dir>
// <dir> holds one *.json card per sample (a bare card, or an attachment {contentType, content})
// and verbs.json (the Action.Execute verbs the bot handles). Each card must:
//   - parse with the official renderer's parser (npm adaptivecards 3.0.6) at target version 1.5
//     (Teams' limit) with no error or warning, and pass validateProperties with no event;
//   - declare "type": "AdaptiveCard" and a "version" of at most 1.5;
//   - be at most 28 KB (28,672 UTF-8 bytes of its minified JSON, i.e. as the bot sends it);
//   - give every Action.Execute (anywhere: body action sets, card actions, ShowCard cards,
//     selectAction, refresh.action, fallbacks) a verb listed in verbs.json.
// Prints one line per card (with reasons when it fails) and `cards: N passed, N failed`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js');

export const TARGET_VERSION = '1.5';
export const MAX_CARD_BYTES = 28 * 1024;
const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const EVENT_NAMES = Object.fromEntries(
  Object.entries(AC.ValidationEvent).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]),
);

function describeSource(source) {
  if (!source || typeof source.getJsonTypeName !== 'function') return '';
  const id = source.id ? ` "${source.id}"` : '';
  return ` [${source.getJsonTypeName()}${id}]`;
}

/** Every Action.Execute in the card JSON, with a path for the report. `data` payloads are not walked. */
export function* executeActions(node, path = '$') {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* executeActions(node[i], `${path}[${i}]`);
    return;
  }
  if (!node || typeof node !== 'object') return;
  if (node.type === 'Action.Execute') yield { action: node, path };
  for (const [key, value] of Object.entries(node)) {
    if (key === 'data') continue; // the action's own payload, not card structure
    if (value && typeof value === 'object') yield* executeActions(value, `${path}.${key}`);
  }
}

function versionProblem(declared) {
  if (declared === undefined) return 'no "version" (Teams needs one, at most 1.5)';
  const parsed = AC.Version.parse(String(declared), new AC.SerializationContext());
  if (!parsed || !parsed.isValid) return `"version" ${JSON.stringify(declared)} is not a version`;
  if (parsed.compareTo(AC.Version.parse(TARGET_VERSION, new AC.SerializationContext())) > 0) {
    return `declares version ${declared}; Teams renders at most ${TARGET_VERSION}`;
  }
  return null;
}

/**
 * Checks one card (already parsed JSON). `verbs` is a Set of handled verbs, or null when there is
 * no verbs.json. Returns { problems: string[], bytes }.
 */
export function checkCard(json, verbs) {
  const problems = [];
  let card = json;
  if (card && card.contentType === CARD_CONTENT_TYPE && card.content) card = card.content;
  if (!card || typeof card !== 'object' || Array.isArray(card)) return { problems: ['not a JSON object'], bytes: 0 };

  const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (bytes > MAX_CARD_BYTES) problems.push(`${bytes} bytes: over the ${MAX_CARD_BYTES}-byte (28 KB) card limit`);

  if (card.type !== 'AdaptiveCard') problems.push(`"type" is ${JSON.stringify(card.type)}, not "AdaptiveCard"`);
  const version = versionProblem(card.version);
  if (version) problems.push(version);

  const context = new AC.SerializationContext(AC.Version.parse(TARGET_VERSION, new AC.SerializationContext()));
  const parsed = new AC.AdaptiveCard();
  try {
    parsed.parse(card, context);
  } catch (err) {
    problems.push(`parser threw: ${err.message}`);
  }
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`parse ${EVENT_NAMES[e.event] ?? e.event}: ${e.message}${describeSource(e.source)}`);
  }
  const validation = parsed.validateProperties();
  for (const e of validation.validationEvents) {
    problems.push(`validate ${EVENT_NAMES[e.event] ?? e.event}: ${e.message}${describeSource(e.source)}`);
  }

  for (const { action, path } of executeActions(card)) {
    const label = action.title ? ` "${action.title}"` : '';
    if (typeof action.verb !== 'string' || action.verb.trim() === '') {
      problems.push(`Action.Execute${label} at ${path} has no verb`);
    } else if (!verbs) {
      problems.push(`Action.Execute${label} at ${path}: no verbs.json to check verb "${action.verb}" against`);
    } else if (!verbs.has(action.verb)) {
      problems.push(`Action.Execute${label} at ${path}: verb "${action.verb}" has no handler (not in verbs.json)`);
    }
  }
  return { problems, bytes };
}

function readVerbs(dir) {
  const file = join(dir, 'verbs.json');
  let raw;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return { verbs: null, note: 'no verbs.json: every Action.Execute fails' };
  }
  const list = JSON.parse(raw);
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw new Error(`${file} must be a JSON array of verb strings`);
  return { verbs: new Set(list), note: `verbs.json: ${list.length} verb(s)` };
}

/** Checks every *.json card in `dir` (verbs.json excepted). Returns { results, passed, failed, note }. */
export function checkCardDir(dir) {
  const { verbs, note } = readVerbs(dir);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'verbs.json' && statSync(join(dir, f)).isFile())
    .sort();
  const results = files.map((file) => {
    let json;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      return { file, problems: [`not valid JSON: ${err.message}`], bytes: 0 };
    }
    return { file, ...checkCard(json, verbs) };
  });
  const failed = results.filter((r) => r.problems.length).length;
  return { results, passed: results.length - failed, failed, note };
}

function main(argv) {
  const dir = argv[0];
  if (!dir || argv.length > 1) {
    console.error('usage: node check-cards.mjs <dir with *.json cards and verbs.json>');
    return 2;
  }
  let report;
  try {
    report = checkCardDir(resolve(dir));
  } catch (err) {
    console.error(`cards: ${err.message}`);
    console.log('cards: 0 passed, 1 failed');
    return 1;
  }
  console.log(`cards: checking ${basename(resolve(dir))}/ at Adaptive Cards ${TARGET_VERSION} (${report.note})`);
  for (const r of report.results) {
    const size = `${(r.bytes / 1024).toFixed(1)} KB`;
    if (!r.problems.length) {
      console.log(`ok   ${r.file} (${size})`);
    } else {
      console.log(`FAIL ${r.file} (${size})`);
      for (const p of r.problems) console.log(`       - ${p}`);
    }
  }
  if (!report.results.length) {
    console.error(`cards: no *.json card in ${dir}`);
    console.log('cards: 0 passed, 1 failed');
    return 1;
  }
  console.log(`cards: ${report.passed} passed, ${report.failed} failed`);
  return report.failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

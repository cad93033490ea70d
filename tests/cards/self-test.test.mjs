// Self-tests of check-cards.mjs: the checker must pass good cards and catch each kind of bad one.
//   cd tests/cards && node --test
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAX_CARD_BYTES, checkCard, checkCardDir } from './check-cards.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const temps = [];
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(files) {
  const dir = mkdtempSync(join(tmpdir(), 'card-check-'));
  temps.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function cli(dir) {
  const r = spawnSync(process.execPath, [join(here, 'check-cards.mjs'), dir], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  return { code: r.status, out: r.stdout, closing: lines[lines.length - 1] };
}

const card = (body, extra = {}) => ({ type: 'AdaptiveCard', version: '1.5', body, ...extra });
const verbs = new Set(['approve']);

test('good 1.5 cards pass, including Execute verbs in refresh, selectAction, ShowCard and action sets', () => {
  const report = checkCardDir(join(fixtures, 'good'));
  for (const r of report.results) assert.deepEqual(r.problems, [], r.file);
  assert.equal(report.passed, 2);
  assert.equal(report.failed, 0);
  const run = cli(join(fixtures, 'good'));
  assert.equal(run.code, 0);
  assert.equal(run.closing, 'cards: 2 passed, 0 failed');
});

test('each bad fixture fails for its own reason', () => {
  const expected = {
    'declares-1.6.json': /declares version 1\.6/,
    'duplicate-input-ids.json': /DuplicateId/,
    'element-from-1.6.json': /Unknown element type "Carousel"/,
    'execute-without-verb.json': /Action\.Execute "Approve" at \$\.actions\[0\] has no verb/,
    'feature-from-1.6.json': /"labelPosition" is supported in version 1\.6/,
    'invalid-value.json': /Invalid value "Huge"/,
    'no-version.json': /no "version"/,
    'not-json.json': /not valid JSON/,
    'unknown-action.json': /Unknown action type "Action\.Invoke"/,
    'unknown-element.json': /Unknown element type "TextBlok"/,
    'verb-unhandled-in-actionset.json': /verb "tap\.revoke" has no handler/,
    'verb-unhandled-in-refresh.json': /\$\.refresh\.action: verb "tap\.status" has no handler/,
    'verb-unhandled-in-selectaction.json': /selectAction: verb "tap\.open" has no handler/,
    'verb-unhandled-in-showcard.json': /\$\.actions\[0\]\.card\.actions\[0\]: verb "tap\.escalate" has no handler/,
  };
  const report = checkCardDir(join(fixtures, 'bad'));
  assert.deepEqual(report.results.map((r) => r.file).sort(), Object.keys(expected).sort());
  for (const r of report.results) {
    assert.ok(r.problems.some((p) => expected[r.file].test(p)), `${r.file}: expected ${expected[r.file]}, got ${JSON.stringify(r.problems)}`);
  }
  const run = cli(join(fixtures, 'bad'));
  assert.equal(run.code, 1);
  assert.equal(run.closing, `cards: 0 passed, ${Object.keys(expected).length} failed`);
});

test('the 28 KB limit counts UTF-8 bytes of the minified card: at the limit passes, one byte over fails', () => {
  const sized = (bytes) => {
    const c = card([{ type: 'TextBlock', text: '', wrap: true }]);
    const base = Buffer.byteLength(JSON.stringify(c));
    c.body[0].text = 'é'.repeat(Math.floor((bytes - base) / 2)) + 'x'.repeat((bytes - base) % 2); // é is 2 bytes in UTF-8
    assert.equal(Buffer.byteLength(JSON.stringify(c)), bytes);
    return c;
  };
  assert.deepEqual(checkCard(sized(MAX_CARD_BYTES), verbs).problems, []);
  const over = checkCard(sized(MAX_CARD_BYTES + 1), verbs).problems;
  assert.equal(over.length, 1);
  assert.match(over[0], /28673 bytes: over the 28672-byte \(28 KB\) card limit/);

  const dir = tempDir({ 'big.json': sized(40 * 1024), 'verbs.json': ['approve'] });
  const run = cli(dir);
  assert.equal(run.code, 1);
  assert.match(run.out, /FAIL big\.json/);
  assert.equal(run.closing, 'cards: 0 passed, 1 failed');
});

test('a verb is checked against verbs.json; without verbs.json every Action.Execute fails', () => {
  const execute = card([{ type: 'TextBlock', text: 'x' }], { actions: [{ type: 'Action.Execute', title: 'Go', verb: 'approve' }] });
  assert.deepEqual(checkCard(execute, verbs).problems, []);
  assert.match(checkCard(execute, new Set(['reject'])).problems.join(), /verb "approve" has no handler/);
  assert.match(checkCard(execute, null).problems.join(), /no verbs\.json/);
  // A verb inside the action's own data is payload, not an action: not checked.
  const payload = card([{ type: 'TextBlock', text: 'x' }], {
    actions: [{ type: 'Action.Execute', title: 'Go', verb: 'approve', data: { next: { type: 'Action.Execute' } } }],
  });
  assert.deepEqual(checkCard(payload, verbs).problems, []);
  // Empty verb counts as none.
  const empty = card([{ type: 'TextBlock', text: 'x' }], { actions: [{ type: 'Action.Execute', title: 'Go', verb: ' ' }] });
  assert.match(checkCard(empty, verbs).problems.join(), /has no verb/);
});

test('required inputs need a label and an error message (validateProperties warnings fail)', () => {
  const problems = checkCard(card([{ type: 'Input.Text', id: 'upn', isRequired: true }]), verbs).problems.join('\n');
  assert.match(problems, /RequiredInputsShouldHaveLabel/);
  assert.match(problems, /RequiredInputsShouldHaveErrorMessage/);
});

test('a mixed directory counts passes and failures; an empty one or a broken verbs.json fails', () => {
  const mixed = mkdtempSync(join(tmpdir(), 'card-check-'));
  temps.push(mixed);
  copyFileSync(join(fixtures, 'good', 'tap-request.json'), join(mixed, 'good.json'));
  copyFileSync(join(fixtures, 'bad', 'unknown-element.json'), join(mixed, 'bad.json'));
  copyFileSync(join(fixtures, 'good', 'verbs.json'), join(mixed, 'verbs.json'));
  const run = cli(mixed);
  assert.equal(run.code, 1);
  assert.match(run.out, /^ok {3}good\.json/m);
  assert.match(run.out, /^FAIL bad\.json/m);
  assert.equal(run.closing, 'cards: 1 passed, 1 failed');

  const empty = cli(tempDir({ 'verbs.json': [] }));
  assert.equal(empty.code, 1);
  assert.equal(empty.closing, 'cards: 0 passed, 1 failed');

  const broken = cli(tempDir({ 'verbs.json': { approve: true }, 'a.json': card([{ type: 'TextBlock', text: 'x' }]) }));
  assert.equal(broken.code, 1);
  assert.equal(broken.closing, 'cards: 0 passed, 1 failed');
});

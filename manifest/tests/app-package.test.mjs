// Self-tests of the package builder and validator: a good package passes, and each kind of broken
// manifest, icon or zip layout is rejected by the command-line validator (exit code 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { checkIcon, parseEnvFile, renderTemplate, validateManifest } from '../tools/app-package.mjs';

const manifestDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const validateCli = join(manifestDir, 'tools', 'validate.mjs');
const buildCli = join(manifestDir, 'tools', 'build-package.mjs');
const colorPng = readFileSync(join(manifestDir, 'color.png'));
const outlinePng = readFileSync(join(manifestDir, 'outline.png'));

const work = mkdtempSync(join(tmpdir(), 'teamsbot-package-test-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
let counter = 0;

function goodManifest() {
  const values = parseEnvFile(readFileSync(join(manifestDir, 'env', 'local.env'), 'utf8'));
  return JSON.parse(renderTemplate(readFileSync(join(manifestDir, 'manifest.json'), 'utf8'), values));
}

function run(script, ...args) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Writes a zip from {name: content} and returns its path. */
async function writeZip(files) {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(files)) zip.file(name, content);
  const path = join(work, `case-${++counter}.zip`);
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return path;
}

function packageFiles(manifest, overrides = {}) {
  return { 'manifest.json': JSON.stringify(manifest), 'color.png': colorPng, 'outline.png': outlinePng, ...overrides };
}

/** A PNG of the given size filled by fill(x, y) -> [r, g, b, a]. */
function png(width, height, fill) {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(fill(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(image);
}

async function assertRejected(files, expected) {
  const r = run(validateCli, await writeZip(files));
  assert.equal(r.code, 1, `validator accepted a broken package:\n${r.output}`);
  assert.match(r.output, expected);
}

test('the local package builds and the validator accepts it', () => {
  const out = join(work, 'local');
  const build = run(buildCli, 'local', '--out', out);
  assert.equal(build.code, 0, build.output);
  const check = run(validateCli, join(out, 'TeamsBot.zip'), join(out, 'manifest.json'));
  assert.equal(check.code, 0, check.output);
});

test('the committed icons meet the Teams icon rules', () => {
  assert.deepEqual(checkIcon(colorPng, 'color'), []);
  assert.deepEqual(checkIcon(outlinePng, 'outline'), []);
});

test('rejects a manifest without a required property (developer)', async () => {
  const m = goodManifest();
  delete m.developer;
  await assertRejected(packageFiles(m), /must have required property 'developer'/);
});

test('rejects a bot id that is not a GUID', async () => {
  const m = goodManifest();
  m.bots[0].botId = 'teamsbot';
  await assertRejected(packageFiles(m), /\/bots\/0\/botId must match pattern/);
});

test('rejects a webApplicationInfo that does not name the bot (the bot could not install itself)', async () => {
  const m = goodManifest();
  m.webApplicationInfo.id = '00000000-0000-4000-8000-000000000000';
  await assertRejected(packageFiles(m), /webApplicationInfo\.id must be the bot's app id/);
});

test('rejects a $schema that does not match manifestVersion', async () => {
  const m = goodManifest();
  m.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json';
  await assertRejected(packageFiles(m), /\$schema must be .*v1\.22/);
});

test('rejects a manifest version with no bundled schema', async () => {
  const m = goodManifest();
  m.manifestVersion = '1.18';
  await assertRejected(packageFiles(m), /no bundled schema for manifestVersion 1\.18/);
});

test('rejects unresolved placeholders (the raw template is not a package)', () => {
  const template = JSON.parse(readFileSync(join(manifestDir, 'manifest.json'), 'utf8'));
  const errors = validateManifest(template);
  assert.ok(errors.some((e) => /unresolved placeholder/.test(e)), errors.join('\n'));
  assert.ok(errors.some((e) => /botId must match pattern/.test(e)), errors.join('\n'));
});

test('rejects more commands than the schema allows in one list', async () => {
  const m = goodManifest();
  m.bots[0].commandLists[0].commands = Array.from({ length: 11 }, (_, i) => ({ title: `c${i}`, description: 'd' }));
  await assertRejected(packageFiles(m), /commands must NOT have more than 10 items/);
});

test('rejects a repeated command title', async () => {
  const m = goodManifest();
  m.bots[0].commandLists[1].commands.push({ title: 'Help', description: 'again' });
  await assertRejected(packageFiles(m), /repeats command\(s\) help/);
});

test('rejects a command list for a scope the bot does not have', async () => {
  const m = goodManifest();
  m.bots[0].commandLists[1].scopes = ['groupChat'];
  await assertRejected(packageFiles(m), /scope "groupChat" is not a bot scope/);
});

test('rejects a developer URL that is not https', async () => {
  const m = goodManifest();
  m.developer.privacyUrl = 'http://contoso.com/privacy';
  await assertRejected(packageFiles(m), /developer\.privacyUrl must be an https URL/);
});

test('rejects an app version that is not major.minor.patch', async () => {
  const m = goodManifest();
  m.version = '1.0';
  await assertRejected(packageFiles(m), /version "1\.0" is not major\.minor\.patch/);
});

test('rejects a color icon of the wrong size', async () => {
  const small = png(190, 190, () => [31, 90, 166, 255]);
  await assertRejected(packageFiles(goodManifest(), { 'color.png': small }), /color\.png: 190x190, must be 192x192/);
});

test('rejects an outline icon of the wrong size', async () => {
  const big = png(48, 48, (x, y) => (x > 8 && x < 40 && y > 8 && y < 40 ? [255, 255, 255, 255] : [0, 0, 0, 0]));
  await assertRejected(packageFiles(goodManifest(), { 'outline.png': big }), /outline\.png: 48x48, must be 32x32/);
});

test('rejects an outline icon with an opaque background', async () => {
  const opaque = png(32, 32, () => [255, 255, 255, 255]);
  await assertRejected(packageFiles(goodManifest(), { 'outline.png': opaque }), /outline\.png: background must be transparent/);
});

test('rejects an outline icon that is not white', async () => {
  const blue = png(32, 32, (x, y) => (x > 4 && x < 28 && y > 4 && y < 28 ? [31, 90, 166, 255] : [0, 0, 0, 0]));
  await assertRejected(packageFiles(goodManifest(), { 'outline.png': blue }), /outline\.png: \d+ visible pixel\(s\) are not white/);
});

test('rejects a color icon without colour', async () => {
  const grey = png(192, 192, () => [128, 128, 128, 255]);
  await assertRejected(packageFiles(goodManifest(), { 'color.png': grey }), /color\.png: no colour/);
});

test('rejects a file that is not a PNG', async () => {
  await assertRejected(packageFiles(goodManifest(), { 'color.png': Buffer.from('GIF89a') }), /color\.png: not a readable PNG/);
});

test('rejects icons inside a folder instead of the zip root', async () => {
  const files = { 'manifest.json': JSON.stringify(goodManifest()), 'icons/color.png': colorPng, 'icons/outline.png': outlinePng };
  await assertRejected(files, /icon color\.png \(icons\.color\) missing at the zip root/);
});

test('rejects a zip without manifest.json at the root', async () => {
  await assertRejected({ 'app/manifest.json': JSON.stringify(goodManifest()), 'color.png': colorPng }, /manifest\.json missing at the zip root/);
});

test('rejects unexpected files in the package', async () => {
  await assertRejected(packageFiles(goodManifest(), { 'notes.txt': 'x' }), /unexpected file "notes\.txt"/);
});

test('rejects something that is not a zip', async () => {
  const path = join(work, 'not-a-zip.zip');
  writeFileSync(path, 'plain text');
  const r = run(validateCli, path);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /not a readable zip/);
});

test('the build refuses an env file with a missing value', () => {
  const env = join(work, 'partial.env');
  writeFileSync(env, readFileSync(join(manifestDir, 'env', 'local.env'), 'utf8').replace(/^BOT_ID=.*$/m, 'BOT_ID='));
  const r = run(buildCli, env, '--out', join(work, 'partial'));
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /no value for placeholder\(s\): BOT_ID/);
});

test('the build refuses a wrong-size icon before writing a package it would call valid', () => {
  const icons = join(work, 'icons-wrong');
  mkdirSync(icons);
  writeFileSync(join(icons, 'color.png'), png(96, 96, () => [31, 90, 166, 255]));
  writeFileSync(join(icons, 'outline.png'), outlinePng);
  const r = run(buildCli, 'local', '--out', join(work, 'wrong-icons'), '--icons', icons);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /color\.png: 96x96, must be 192x192/);
});

test('env values are JSON-escaped into the manifest', () => {
  const text = renderTemplate('{"a":"${{X}}"}', { X: 'say "hi" \\ back' });
  assert.equal(JSON.parse(text).a, 'say "hi" \\ back');
});

// The Teams app package: render the manifest template for an environment, validate a manifest
// against the official schema bundled in @microsoft/app-manifest (offline), check the icons, and
// write / check the zip. Every check returns a list of error strings; empty means valid.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);

export const PACKAGE_FILE = 'TeamsBot.zip';
export const ICON_RULES = {
  color: { width: 192, height: 192 },
  outline: { width: 32, height: 32 },
};
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
// Teams accepts major.minor.patch only (no pre-release or build suffix in a store package).
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
// Fixed timestamp for zip entries, so the same inputs give the same package bytes.
const ZIP_DATE = new Date(Date.UTC(2025, 0, 1, 0, 0, 0));

// ---------------------------------------------------------------------------------------------
// Environment files and the template

/** Parses KEY=VALUE lines; '#' starts a comment line; surrounding quotes are removed. */
export function parseEnvFile(text) {
  const values = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`env line ${i + 1}: expected KEY=VALUE`);
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    values[key] = value;
  });
  return values;
}

/**
 * Replaces ${{NAME}} with values[NAME]. The value is JSON-escaped, so any text is safe inside the
 * JSON string that holds the placeholder. Missing or empty values are errors (a package must not
 * be built with a hole in it).
 */
export function renderTemplate(templateText, values) {
  const missing = new Set();
  const text = templateText.replace(PLACEHOLDER, (_, name) => {
    const value = values[name];
    if (value === undefined || value === '') {
      missing.add(name);
      return '';
    }
    return JSON.stringify(String(value)).slice(1, -1);
  });
  if (missing.size > 0) {
    throw new Error(`no value for placeholder(s): ${[...missing].sort().join(', ')}`);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Schema

export function schemaUrl(manifestVersion) {
  return `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;
}

export function bundledSchemaPath(manifestVersion) {
  const packageDir = dirname(require.resolve('@microsoft/app-manifest/package.json'));
  return join(packageDir, 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
}

const validators = new Map();

/** Compiles the bundled schema for a manifest version (draft-04), as @microsoft/app-manifest does. */
function schemaValidator(manifestVersion) {
  if (validators.has(manifestVersion)) return validators.get(manifestVersion);
  const path = bundledSchemaPath(manifestVersion);
  if (!existsSync(path)) return null;
  // The published schemas contain regex escapes (\a, \v) that are not valid in JavaScript regular
  // expressions; @microsoft/app-manifest rewrites them the same way before compiling.
  const text = readFileSync(path, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  const ajv = new Ajv04({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(JSON.parse(text));
  validators.set(manifestVersion, validate);
  return validate;
}

// ---------------------------------------------------------------------------------------------
// Manifest

/** Schema validation plus the rules the schema does not express. */
export function validateManifest(manifest) {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return ['manifest: not a JSON object'];
  }
  const errors = [];
  const leftovers = JSON.stringify(manifest).match(PLACEHOLDER);
  if (leftovers) errors.push(`manifest: unresolved placeholder(s) ${[...new Set(leftovers)].join(', ')}`);

  const version = manifest.manifestVersion;
  if (typeof version !== 'string') {
    errors.push('manifest: manifestVersion missing');
    return errors;
  }
  const validate = schemaValidator(version);
  if (!validate) {
    errors.push(`manifest: no bundled schema for manifestVersion ${version}`);
    return errors;
  }
  if (manifest.$schema !== schemaUrl(version)) {
    errors.push(`manifest: $schema must be ${schemaUrl(version)} for manifestVersion ${version}`);
  }
  // Validate what would be written to disk (drops undefined-valued keys).
  if (!validate(JSON.parse(JSON.stringify(manifest)))) {
    for (const e of validate.errors) {
      errors.push(`schema: ${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
    }
  }

  if (typeof manifest.version === 'string' && !SEMVER.test(manifest.version)) {
    errors.push(`manifest: version "${manifest.version}" is not major.minor.patch`);
  }
  const dev = manifest.developer ?? {};
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) {
    if (typeof dev[key] === 'string' && !/^https:\/\/[^\s/]+/.test(dev[key])) {
      errors.push(`manifest: developer.${key} must be an https URL`);
    }
  }
  for (const domain of manifest.validDomains ?? []) {
    if (typeof domain === 'string' && (/^[a-z]+:\/\//i.test(domain) || domain.includes('/'))) {
      errors.push(`manifest: validDomains entry "${domain}" must be a host name without scheme or path`);
    }
  }
  // The bot installs itself for approvers through Graph (proactive installation): Teams needs webApplicationInfo to
  // name the bot's own Entra app.
  const botId = manifest.bots?.[0]?.botId;
  if (botId && String(manifest.webApplicationInfo?.id ?? '').toLowerCase() !== String(botId).toLowerCase()) {
    errors.push(`manifest: webApplicationInfo.id must be the bot's app id (${botId}), so that the bot can install itself for approvers`);
  }
  for (const [i, bot] of (manifest.bots ?? []).entries()) {
    const botScopes = new Set(bot.scopes ?? []);
    for (const [j, list] of (bot.commandLists ?? []).entries()) {
      for (const scope of list.scopes ?? []) {
        if (!botScopes.has(scope)) errors.push(`manifest: bots[${i}].commandLists[${j}] scope "${scope}" is not a bot scope`);
      }
      const titles = (list.commands ?? []).map((c) => String(c.title).toLowerCase());
      const dupes = titles.filter((t, k) => titles.indexOf(t) !== k);
      if (dupes.length > 0) errors.push(`manifest: bots[${i}].commandLists[${j}] repeats command(s) ${dupes.join(', ')}`);
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Icons

/** Checks one icon (PNG bytes) against the Teams rules for `kind` ('color' or 'outline'). */
export function checkIcon(bytes, kind, name = kind) {
  const rule = ICON_RULES[kind];
  let png;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    return [`${name}: not a readable PNG (${e.message})`];
  }
  const errors = [];
  if (png.width !== rule.width || png.height !== rule.height) {
    errors.push(`${name}: ${png.width}x${png.height}, must be ${rule.width}x${rule.height}`);
  }
  const { data, width, height } = png;
  const pixels = width * height;
  let transparent = 0;
  let opaque = 0;
  let nonWhite = 0;
  let coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a === 0) transparent++;
    if (a === 255) opaque++;
    if (a > 0 && (r !== 255 || g !== 255 || b !== 255)) nonWhite++;
    if (a > 0 && (r !== g || g !== b)) coloured++;
  }
  if (kind === 'outline') {
    if (nonWhite > 0) errors.push(`${name}: ${nonWhite} visible pixel(s) are not white (outline icons are white only)`);
    const corners = [0, width - 1, (height - 1) * width, height * width - 1];
    if (corners.some((p) => data[p * 4 + 3] !== 0) || transparent < pixels / 4) {
      errors.push(`${name}: background must be transparent`);
    }
    if (opaque === 0) errors.push(`${name}: nothing is drawn`);
  } else {
    if (coloured === 0) errors.push(`${name}: no colour (a color icon must be full colour)`);
    if (transparent === pixels) errors.push(`${name}: nothing is drawn`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Package

/** Builds the zip: manifest.json and the icons it names, all at the root. */
export async function buildPackage(manifest, readIcon) {
  const zip = new JSZip();
  const options = { date: ZIP_DATE, createFolders: false };
  zip.file('manifest.json', JSON.stringify(manifest, null, 2) + '\n', options);
  for (const kind of Object.keys(ICON_RULES)) {
    const name = manifest.icons?.[kind];
    zip.file(name, readIcon(name), options);
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'UNIX' });
}

/** Checks a package zip: layout, manifest (schema + rules) and both icons. */
export async function validatePackage(zipBytes) {
  let zip;
  try {
    zip = await JSZip.loadAsync(zipBytes);
  } catch (e) {
    return [`package: not a readable zip (${e.message})`];
  }
  const errors = [];
  const entries = Object.values(zip.files);
  const files = entries.filter((f) => !f.dir).map((f) => f.name);
  for (const f of entries) {
    if (f.dir || f.name.includes('/')) errors.push(`package: "${f.name}" is in a folder; every file must be at the zip root`);
  }
  const manifestEntry = zip.file('manifest.json');
  if (!manifestEntry) {
    errors.push('package: manifest.json missing at the zip root');
    return errors;
  }
  let manifest;
  try {
    const text = (await manifestEntry.async('string')).replace(/^\uFEFF/, '');
    manifest = JSON.parse(text);
  } catch (e) {
    errors.push(`package: manifest.json is not valid JSON (${e.message})`);
    return errors;
  }
  errors.push(...validateManifest(manifest));

  const expected = new Set(['manifest.json']);
  for (const kind of Object.keys(ICON_RULES)) {
    const name = manifest.icons?.[kind];
    if (typeof name !== 'string') continue; // the schema already reports it
    expected.add(name);
    const entry = zip.file(name);
    if (!entry) {
      errors.push(`package: icon ${name} (icons.${kind}) missing at the zip root`);
      continue;
    }
    errors.push(...checkIcon(await entry.async('nodebuffer'), kind, name));
  }
  for (const name of files) {
    if (!expected.has(name)) errors.push(`package: unexpected file "${name}"`);
  }
  return errors;
}

#!/usr/bin/env node
// Validates Teams app packages or manifests offline against the official schema bundled in
// @microsoft/app-manifest. Exit 0 only if every argument is valid.
//   node tools/validate.mjs build/local/TeamsBot.zip      package: layout, manifest, icon sizes, outline transparency
//   node tools/validate.mjs some/dir/manifest.json        manifest, plus the icons it names beside it
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ICON_RULES, checkIcon, validateManifest, validatePackage } from './app-package.mjs';

async function validatePath(path) {
  if (!existsSync(path)) return [`${path}: not found`];
  if (path.endsWith('.zip')) return validatePackage(readFileSync(path));
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    return [`${path}: not valid JSON (${e.message})`];
  }
  const errors = validateManifest(manifest);
  for (const kind of Object.keys(ICON_RULES)) {
    const name = manifest.icons?.[kind];
    if (typeof name !== 'string') continue;
    const iconPath = join(dirname(path), name);
    if (!existsSync(iconPath)) errors.push(`${name}: not found beside the manifest`);
    else errors.push(...checkIcon(readFileSync(iconPath), kind, name));
  }
  return errors;
}

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('usage: validate.mjs <TeamsBot.zip|manifest.json>...');
  process.exit(2);
}
let failed = 0;
for (const path of paths) {
  const errors = await validatePath(path);
  if (errors.length === 0) {
    console.log(`valid: ${path}`);
  } else {
    failed++;
    console.error(`INVALID: ${path}`);
    for (const e of errors) console.error(`  - ${e}`);
  }
}
process.exit(failed === 0 ? 0 : 1);

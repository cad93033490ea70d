#!/usr/bin/env node
// Builds the Teams app package for one environment.
//   node tools/build-package.mjs local                -> env/local.env
//   node tools/build-package.mjs path/to/prod.env     -> any env file (name = file name without .env)
//   options: --out <dir>   (default: manifest/build/<env>)
//            --template <manifest.json>  --icons <dir>  (default: manifest/)
// Writes <out>/TeamsBot.zip (and its unzipped files beside it), then validates the zip; exits 1 on any error.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_FILE, buildPackage, parseEnvFile, renderTemplate, validateManifest, validatePackage } from './app-package.mjs';

const manifestDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const args = { env: undefined, out: undefined, template: join(manifestDir, 'manifest.json'), icons: manifestDir };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i];
    else if (a === '--template') args.template = argv[++i];
    else if (a === '--icons') args.icons = argv[++i];
    else if (!a.startsWith('--') && args.env === undefined) args.env = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.env) throw new Error('usage: build-package.mjs <local|env-file> [--out dir] [--template file] [--icons dir]');
  return args;
}

function resolveEnvFile(env) {
  // A bare name means manifest/env/<name>.env; anything else is a path.
  if (/^[A-Za-z0-9_-]+$/.test(env)) return { name: env, file: join(manifestDir, 'env', `${env}.env`) };
  const file = resolve(env);
  return { name: basename(file).replace(/\.env$/, '').replace(/^\./, '') || 'custom', file };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { name, file } = resolveEnvFile(args.env);
  if (!existsSync(file)) throw new Error(`env file not found: ${file}`);
  const values = parseEnvFile(readFileSync(file, 'utf8'));
  const manifest = JSON.parse(renderTemplate(readFileSync(args.template, 'utf8'), values));

  const manifestErrors = validateManifest(manifest);
  if (manifestErrors.length > 0) return fail(`manifest for "${name}" is invalid`, manifestErrors);

  const out = resolve(args.out ?? join(manifestDir, 'build', name));
  mkdirSync(out, { recursive: true });
  // The folder holds the unzipped package too, so it can be inspected or validated as files.
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const kind of ['color', 'outline']) {
    writeFileSync(join(out, manifest.icons[kind]), readFileSync(join(args.icons, manifest.icons[kind])));
  }
  const zip = await buildPackage(manifest, (icon) => readFileSync(join(args.icons, icon)));
  const zipPath = join(out, PACKAGE_FILE);
  writeFileSync(zipPath, zip);

  const packageErrors = await validatePackage(zip);
  if (packageErrors.length > 0) return fail(`package ${zipPath} is invalid`, packageErrors);
  console.log(`built ${zipPath} (${zip.length} bytes, env "${name}", manifest ${manifest.manifestVersion}, app ${manifest.version})`);
  return 0;
}

function fail(title, errors) {
  console.error(`error: ${title}:`);
  for (const e of errors) console.error(`  - ${e}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  },
);

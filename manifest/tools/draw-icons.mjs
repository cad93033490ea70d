#!/usr/bin/env node
// Redraws manifest/color.png and manifest/outline.png.
//   node tools/draw-icons.mjs            write the icons next to manifest.json
//   node tools/draw-icons.mjs --check    fail if the committed icons differ (pixel by pixel) from a fresh drawing
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { drawColorIcon, drawOutlineIcon, encode } from './icons.mjs';

const manifestDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const icons = [
  ['color.png', drawColorIcon()],
  ['outline.png', drawOutlineIcon()],
];

if (process.argv.includes('--check')) {
  let failed = 0;
  for (const [name, drawn] of icons) {
    // Compare decoded pixels, not bytes: the compressed stream may differ between zlib builds.
    const committed = PNG.sync.read(readFileSync(join(manifestDir, name)));
    const same =
      committed.width === drawn.width &&
      committed.height === drawn.height &&
      Buffer.compare(committed.data, drawn.data) === 0;
    console.log(`${same ? 'ok  ' : 'FAIL'} ${name} matches tools/icons.mjs`);
    if (!same) failed++;
  }
  process.exit(failed === 0 ? 0 : 1);
} else {
  for (const [name, png] of icons) {
    writeFileSync(join(manifestDir, name), encode(png));
    console.log(`wrote ${name} (${png.width}x${png.height})`);
  }
}

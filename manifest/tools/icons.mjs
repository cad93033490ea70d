// Draws the two Teams app icons from geometry, so they can be redrawn and compared at any time.
// color.png: 192x192, full colour. outline.png: 32x32, white on a transparent background.
// Shapes are sampled on a sub-pixel grid: coverage becomes alpha, which gives smooth edges
// without any image library beyond a PNG encoder.
import { PNG } from 'pngjs';

export const ACCENT = { r: 0x1f, g: 0x5a, b: 0xa6 }; // the manifest's accentColor (#1F5AA6)
const WHITE = { r: 255, g: 255, b: 255 };

// A shield in unit coordinates (0..1): flat-ish top, straight sides, curved to a point at the bottom.
function shieldPolygon(cx, top, halfWidth, shoulder, bottom) {
  const pts = [];
  const sideBottom = top + (bottom - top) * 0.48;
  pts.push([cx, top]);
  pts.push([cx + halfWidth, top + (bottom - top) * 0.1]);
  pts.push([cx + halfWidth, sideBottom]);
  // quadratic curve from the right side down to the tip
  for (let i = 1; i <= 24; i++) {
    const t = i / 24;
    const p0 = [cx + halfWidth, sideBottom];
    const p1 = [cx + halfWidth * shoulder, bottom - (bottom - top) * 0.12];
    const p2 = [cx, bottom];
    pts.push(quad(p0, p1, p2, t));
  }
  // mirror for the left side, from the tip back up
  const right = pts.slice(1);
  for (let i = right.length - 2; i >= 0; i--) pts.push([2 * cx - right[i][0], right[i][1]]);
  return pts;
}

function quad(p0, p1, p2, t) {
  const u = 1 - t;
  return [u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]];
}

function insidePolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function distanceToPolygonEdge(x, y, poly) {
  let best = Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [ax, ay] = poly[j];
    const [bx, by] = poly[i];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
    const ex = ax + t * dx - x;
    const ey = ay + t * dy - y;
    best = Math.min(best, Math.sqrt(ex * ex + ey * ey));
  }
  return best;
}

// A keyhole: a round head above a tapering slot.
function insideKeyhole(x, y, cx, cy, r) {
  const dx = x - cx;
  const dy = y - cy;
  if (dx * dx + dy * dy <= r * r) return true;
  const slotTop = cy;
  const slotBottom = cy + r * 2.6;
  if (y < slotTop || y > slotBottom) return false;
  const t = (y - slotTop) / (slotBottom - slotTop);
  const half = r * (0.45 + 0.25 * t);
  return Math.abs(dx) <= half;
}

// Renders size x size pixels, each from subsamples x subsamples samples. paint(x, y) gets a sample
// position in 0..1 and returns the colour there, with alpha 0..1; coverage is averaged per pixel.
function render(size, subsamples, paint) {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < subsamples; sy++) {
        for (let sx = 0; sx < subsamples; sx++) {
          const c = paint((px + (sx + 0.5) / subsamples) / size, (py + (sy + 0.5) / subsamples) / size);
          // premultiplied accumulation
          r += c.r * c.a;
          g += c.g * c.a;
          b += c.b * c.a;
          a += c.a;
        }
      }
      const n = subsamples * subsamples;
      const idx = (py * size + px) * 4;
      const alpha = a / n;
      png.data[idx] = a === 0 ? 0 : Math.round(r / a);
      png.data[idx + 1] = a === 0 ? 0 : Math.round(g / a);
      png.data[idx + 2] = a === 0 ? 0 : Math.round(b / a);
      png.data[idx + 3] = Math.round(alpha * 255);
    }
  }
  return png;
}

const TRANSPARENT = { r: 0, g: 0, b: 0, a: 0 };

/** 192x192, accent background filling the square, white shield, accent keyhole. */
export function drawColorIcon() {
  const shield = shieldPolygon(0.5, 0.16, 0.27, 0.62, 0.86);
  return render(192, 4, (x, y) => {
    if (insidePolygon(x, y, shield)) {
      if (insideKeyhole(x, y, 0.5, 0.43, 0.075)) return { ...ACCENT, a: 1 };
      return { ...WHITE, a: 1 };
    }
    return { ...ACCENT, a: 1 };
  });
}

/** 32x32, white shield outline and keyhole on transparent. */
export function drawOutlineIcon() {
  const shield = shieldPolygon(0.5, 0.09, 0.34, 0.62, 0.93);
  const stroke = 2.2 / 32; // about two pixels wide
  return render(32, 8, (x, y) => {
    const onEdge = distanceToPolygonEdge(x, y, shield) <= stroke / 2;
    if (onEdge) return { ...WHITE, a: 1 };
    if (insidePolygon(x, y, shield) && insideKeyhole(x, y, 0.5, 0.42, 0.09)) return { ...WHITE, a: 1 };
    return TRANSPARENT;
  });
}

export function encode(png) {
  return PNG.sync.write(png, { colorType: 6 });
}

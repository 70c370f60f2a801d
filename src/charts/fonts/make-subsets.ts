/**
 * Writes the DejaVu Sans subsets the charts render with, and coverage.json, from the fonts of the
 * `dejavu-fonts-ttf` package. Run after changing SUBSET_RANGES: `npx tsx src/charts/fonts/make-subsets.ts`.
 *
 * Why subsets: resvg parses its fonts and builds a font database on every render; with the full fonts
 * (740 KB each) that was 25-30 ms of a ~100 ms chart, with these (~60 KB) it is ~5 ms. Text with a character
 * outside the subsets is drawn with the full fonts instead (see render.ts), so nothing vanishes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hb from 'harfbuzzjs';
import subsetFont from 'subset-font';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Latin-1 and Latin Extended-A (European names, products and places), the Windows-1252 punctuation, and the
 * symbols our titles and axes print: £ € – — ‘ ’ “ ” • … ‰ ‹ › ™ ← ↑ → ↓ − (d3-format's minus) ≠ ≤ ≥.
 */
const SUBSET_RANGES: [number, number][] = [
  [0x20, 0x7e],
  [0xa0, 0x17f],
  [0x192, 0x192],
  [0x2c6, 0x2c7],
  [0x2d8, 0x2dd],
  [0x2013, 0x2014],
  [0x2018, 0x201e],
  [0x2020, 0x2022],
  [0x2026, 0x2026],
  [0x2030, 0x2030],
  [0x2039, 0x203a],
  [0x20ac, 0x20ac],
  [0x2122, 0x2122],
  [0x2190, 0x2193],
  [0x2212, 0x2212],
  [0x2260, 0x2260],
  [0x2264, 0x2265],
];

const FONTS = ['DejaVuSans', 'DejaVuSans-Bold'];

function unicodes(font: Uint8Array): Set<number> {
  return new Set(new hb.Face(new hb.Blob(font)).collectUnicodes());
}

/** Sorted code points as [first, last] runs. */
function toRanges(points: Iterable<number>): [number, number][] {
  const sorted = [...points].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const p of sorted) {
    const last = ranges.at(-1);
    if (last && p === last[1] + 1) last[1] = p;
    else ranges.push([p, p]);
  }
  return ranges;
}

const both = (a: Set<number>, b: Set<number>) => new Set([...a].filter((p) => b.has(p)));

let text = '';
for (const [from, to] of SUBSET_RANGES) for (let c = from; c <= to; c++) text += String.fromCodePoint(c);
const full: Set<number>[] = [];
const subset: Set<number>[] = [];
for (const name of FONTS) {
  const source = readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`));
  const out = await subsetFont(source, text, { targetFormat: 'truetype' });
  writeFileSync(join(here, `${name}-subset.ttf`), out);
  full.push(unicodes(source));
  subset.push(unicodes(out));
  console.log(`${name}: ${source.length} → ${out.length} bytes`);
}
// A character counts as covered only when both weights have it: titles are bold, labels regular.
const coverage = { subset: toRanges(both(subset[0]!, subset[1]!)), full: toRanges(both(full[0]!, full[1]!)) };
writeFileSync(join(here, 'coverage.json'), `${JSON.stringify(coverage)}\n`);
console.log(`coverage.json: ${coverage.subset.length} subset runs, ${coverage.full.length} full runs`);

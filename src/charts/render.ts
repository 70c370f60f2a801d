/**
 * Vega-Lite spec → SVG → PNG, headless: vega renders to an SVG string, resvg rasterises it with bundled
 * DejaVu fonts (no canvas, browser or system fonts needed) and sharp encodes the pixels as PNG.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Vega from 'vega';
import type { Config, TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';

const require = createRequire(import.meta.url);

/** The rendering libraries. */
interface Renderer {
  vega: typeof import('vega');
  compile: typeof import('vega-lite').compile;
  Resvg: typeof import('@resvg/resvg-js').Resvg;
  sharp: typeof import('sharp').default;
}

let loading: Promise<Renderer> | undefined;

/**
 * Loaded on the first chart, not with the module: every command of the CLI (and the chat) loads this file, and
 * loading these took ~0.4 s of each start-up, charts or not.
 */
function renderer(): Promise<Renderer> {
  if (loading) return loading;
  const loaded = (async (): Promise<Renderer> => {
    const [vega, vegaLite, resvg, sharpModule] = await Promise.all([
      import('vega'),
      import('vega-lite'),
      import('@resvg/resvg-js'),
      import('sharp'),
    ]);
    const sharp = sharpModule.default;
    // libvips' operation cache would keep the last charts' pixel buffers alive; every render is new input.
    sharp.cache(false);
    return { vega, compile: vegaLite.compile, Resvg: resvg.Resvg, sharp };
  })();
  loading = loaded;
  // A failed load is tried again on the next chart.
  loaded.catch(() => {
    if (loading === loaded) loading = undefined;
  });
  return loaded;
}

/** resvg silently drops every glyph when it has no font file, so the fonts are bundled, never looked up. */
export const FONT_FILES = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];

/**
 * The same fonts cut to Latin-1, Latin Extended-A and the symbols charts print (fonts/make-subsets.ts).
 * resvg parses its fonts on every render: ~5 ms for these, 25-30 ms for the full ones, which are used only
 * when a chart's text needs a character the subsets lack.
 */
export const SUBSET_FONT_FILES = ['DejaVuSans-subset.ttf', 'DejaVuSans-Bold-subset.ttf'].map((name) =>
  fileURLToPath(new URL(`./fonts/${name}`, import.meta.url)),
);

type Runs = [number, number][];
const COVERAGE = JSON.parse(readFileSync(new URL('./fonts/coverage.json', import.meta.url), 'utf8')) as {
  subset: Runs;
  full: Runs;
};

function covers(runs: Runs, point: number): boolean {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = runs[mid]!;
    if (point < from) hi = mid - 1;
    else if (point > to) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Drawn instead of a character no bundled font has, so it shows as a visible mark rather than a gap. */
const REPLACEMENT = '\uFFFD';

/**
 * Picks the fonts for an SVG's text: the subsets when they cover every character, else the full fonts.
 * Characters even the full fonts lack are replaced by U+FFFD and returned, so they are reported, never
 * silently dropped. vega writes text as UTF-8 (only & < > quotes and whitespace escaped) and its markup is
 * ASCII, so every non-ASCII character of the SVG is text (labels, titles, aria descriptions).
 */
export function chooseFonts(svg: string): { svg: string; fontFiles: string[]; missing: string[] } {
  let full = false;
  const missing = new Set<string>();
  const check = (point: number, char: string) => {
    if (covers(COVERAGE.subset, point)) return;
    full = true;
    if (!covers(COVERAGE.full, point)) missing.add(char);
  };
  for (const [char] of svg.matchAll(/[\x7f-\u{10ffff}]/gu)) check(char.codePointAt(0)!, char);
  // Numeric references are not what vega writes, but an SVG from elsewhere may use them.
  let out = svg.replace(
    /&#(?:x([0-9a-fA-F]+)|(\d+));/g,
    (ref, hex: string | undefined, dec: string | undefined) => {
      const point = hex ? Number.parseInt(hex, 16) : Number(dec);
      if (!(point > 0x7e && point <= 0x10ffff)) return ref;
      const char = String.fromCodePoint(point);
      check(point, char);
      return missing.has(char) ? REPLACEMENT : ref;
    },
  );
  for (const char of missing) out = out.replaceAll(char, REPLACEMENT);
  return { svg: out, fontFiles: full ? FONT_FILES : SUBSET_FONT_FILES, missing: [...missing] };
}

export const FONT_FAMILY = 'DejaVu Sans';

/** Fixed categorical palette (Tableau 10), so a country keeps its colour from one chart to the next. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The house style, merged under every spec's own `config` (the spec wins where both set something). */
export const THEME: Config = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  title: {
    font: FONT_FAMILY,
    fontSize: 16,
    fontWeight: 'bold',
    anchor: 'start',
    offset: 10,
    color: '#222222',
  },
  axis: {
    labelFont: FONT_FAMILY,
    titleFont: FONT_FAMILY,
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    labelColor: '#444444',
    titleColor: '#444444',
    gridColor: '#e6e6e6',
  },
  legend: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY, labelFontSize: 11, titleFontSize: 12 },
  range: { category: PALETTE },
  mark: { color: PALETTE[0] },
  view: { stroke: null },
};

export interface RenderOptions {
  /** Pixel density of the PNG relative to the SVG (default 2, sharp on high-DPI screens). */
  scale?: number;
}

export interface RenderedChart {
  png: Uint8Array;
  svg: string;
  /** PNG size in pixels. */
  width: number;
  height: number;
  /** Characters of the chart's text that no bundled font has; drawn as U+FFFD, so say so to the reader. */
  missingCharacters: string[];
}

/**
 * Removes text vega has hidden (axis labels dropped by `labelOverlap` get `opacity="0"`). resvg lays out and
 * composites invisible text like any other: on a weekly chart 46 of 72 labels were hidden and cost 30 of
 * the 55 ms resvg took. Vega writes a text element without nested elements other than tspans.
 */
export function dropHiddenText(svg: string): string {
  return svg.replace(/<text\s[^>]*\sopacity="0"[^>]*>(?:(?!<\/text>)[\s\S])*<\/text>/g, '');
}

/**
 * PNG encoding of resvg's RGBA pixels. resvg's own encoder (default zlib level, adaptive filters) took
 * 25-45 ms for a 2x chart; sharp at level 4 without adaptive filtering takes ~10 ms and the file is smaller
 * (a 1720x878 weekly chart: 76 KB against 99 KB), since charts are flat colour that deflate packs well.
 */
const PNG_OPTIONS = { compressionLevel: 4, adaptiveFiltering: false } as const;

function invalid(cause: unknown): UserError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UserError(
    'chart_invalid',
    `The chart could not be drawn: the Vega-Lite spec is invalid (${reason}).`,
    {
      cause,
      hint: 'Check the mark type, the field names and the encoding types (quantitative, nominal, ordinal, temporal).',
    },
  );
}

const MARKS = new Set([
  'arc',
  'area',
  'bar',
  'image',
  'line',
  'point',
  'rect',
  'rule',
  'text',
  'tick',
  'trail',
  'circle',
  'square',
  'geoshape',
  'boxplot',
  'errorband',
  'errorbar',
]);

/** Top-level mark names are checked first because vega-lite reports an unknown one as a TypeError. */
function checkMarks(spec: unknown): void {
  if (!spec || typeof spec !== 'object') return;
  const s = spec as Record<string, unknown>;
  if ('mark' in s) {
    const mark = typeof s.mark === 'object' && s.mark ? (s.mark as { type?: unknown }).type : s.mark;
    if (typeof mark !== 'string' || !MARKS.has(mark)) {
      throw new UserError(
        'chart_invalid',
        `The chart could not be drawn: "${String(mark)}" is not a Vega-Lite mark. Use one of ${[...MARKS].join(', ')}.`,
      );
    }
  }
  for (const key of ['layer', 'hconcat', 'vconcat', 'concat'] as const) {
    if (Array.isArray(s[key])) for (const child of s[key]) checkMarks(child);
  }
  if (s.spec) checkMarks(s.spec);
}

/**
 * Compiles a Vega-Lite spec to Vega with the house theme, or throws a `UserError` (`chart_invalid`) saying
 * what is wrong. Used before rendering and before handing a spec out.
 *
 * @example
 * await compileSpec({ data: { values: [] }, mark: 'bar' }); // a vega.Spec
 */
export async function compileSpec(spec: TopLevelSpec): Promise<Vega.Spec> {
  checkMarks(spec);
  const { compile, vega } = await renderer();
  try {
    // Warnings (e.g. a dropped channel) are not failures; silence them rather than write to stdout.
    return compile(spec, { config: THEME, logger: vega.logger(vega.None) as never }).spec;
  } catch (cause) {
    throw invalid(cause);
  }
}

/**
 * Renders a Vega-Lite spec to SVG and PNG with the house theme. A spec that does not compile throws a
 * `UserError` (`chart_invalid`) rather than producing a broken image.
 *
 * @example
 * const { png, width, height } = await renderChart({
 *   data: { values: [{ month: 'Jan', revenue: 35.64 }] },
 *   mark: 'bar',
 *   encoding: { x: { field: 'month', type: 'ordinal' }, y: { field: 'revenue', type: 'quantitative' } },
 * });
 */
export async function renderChart(spec: TopLevelSpec, opts: RenderOptions = {}): Promise<RenderedChart> {
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) {
    throw new UserError('chart_invalid', `Chart scale must be between 0 and 8, not ${scale}.`);
  }
  const compiled = await compileSpec(spec);
  const { vega, Resvg, sharp } = await renderer();

  let svg: string;
  let view: Vega.View | undefined;
  try {
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
    svg = await view.toSVG();
  } catch (cause) {
    throw invalid(cause);
  } finally {
    view?.finalize();
  }

  const fonts = chooseFonts(dropHiddenText(svg));
  const image = new Resvg(fonts.svg, {
    font: { loadSystemFonts: false, fontFiles: fonts.fontFiles, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: scale },
  }).render();
  const { width, height } = image;
  const png = await sharp(image.pixels, { raw: { width, height, channels: 4 } })
    .png(PNG_OPTIONS)
    .toBuffer();
  return { png: new Uint8Array(png), svg: fonts.svg, width, height, missingCharacters: fonts.missing };
}

/**
 * Vega-Lite spec → SVG → PNG, headless: vega renders to an SVG string and resvg rasterises it with bundled
 * DejaVu fonts, so no canvas, browser or system fonts are needed.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { type Config, compile, type TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';

const require = createRequire(import.meta.url);

/** resvg silently drops every glyph when it has no font file, so the fonts are bundled, never looked up. */
export const FONT_FILES = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];

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
}

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
 * compileSpec({ data: { values: [] }, mark: 'bar' }); // a vega.Spec
 */
export function compileSpec(spec: TopLevelSpec): vega.Spec {
  checkMarks(spec);
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
  const compiled = compileSpec(spec);

  let svg: string;
  let view: vega.View | undefined;
  try {
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
    svg = await view.toSVG();
  } catch (cause) {
    throw invalid(cause);
  } finally {
    view?.finalize();
  }

  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: scale },
  });
  const image = resvg.render();
  return { png: new Uint8Array(image.asPng()), svg, width: image.width, height: image.height };
}

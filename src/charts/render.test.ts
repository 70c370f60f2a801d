import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import {
  chooseFonts,
  compileSpec,
  dropHiddenText,
  FONT_FAMILY,
  FONT_FILES,
  renderChart,
  SUBSET_FONT_FILES,
} from './render.ts';

const bars = (title?: string): TopLevelSpec => ({
  ...(title ? { title } : {}),
  data: {
    values: [
      { month: 'Jan', revenue: 35.64 },
      { month: 'Feb', revenue: 54.08 },
      { month: 'Mar', revenue: 11.1 },
    ],
  },
  mark: 'bar',
  encoding: {
    x: { field: 'month', type: 'ordinal', sort: null },
    y: { field: 'revenue', type: 'quantitative' },
  },
});

function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!match) throw new Error('svg has no size');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Non-white pixels in rows [from, to) of an RGBA bitmap. */
function inkInRows(pixels: Uint8Array, width: number, from: number, to: number): number {
  let ink = 0;
  for (let y = from; y < to; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) ink++;
    }
  }
  return ink;
}

/** The RGBA pixels of a PNG, decoded independently of how it was encoded. */
async function decode(png: Uint8Array): Promise<{ pixels: Uint8Array; width: number }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data), width: info.width };
}

/** The same SVG rasterised with the given fonts (the full DejaVu fonts unless told). */
function rasterise(svg: string, fontFiles = FONT_FILES): Uint8Array {
  const image = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: 2 },
  }).render();
  return new Uint8Array(image.pixels);
}

/** Pixels that differ between two RGBA bitmaps of the same size. */
function differing(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n;
}

const TITLE_BAND = [24, 24 + 36] as const;

/**
 * The chart was drawn with `fonts`, its title has ink, and every pixel is what the full fonts give: a glyph
 * missing from a font would leave a gap.
 */
async function expectTitleDrawnWith(
  chart: Awaited<ReturnType<typeof renderChart>>,
  fonts: readonly string[],
): Promise<void> {
  expect(chooseFonts(chart.svg).fontFiles).toEqual(fonts);
  const { pixels, width } = await decode(chart.png);
  expect(inkInRows(pixels, width, ...TITLE_BAND)).toBeGreaterThan(100);
  expect(differing(pixels, rasterise(chart.svg))).toBe(0);
  expect(chart.missingCharacters).toEqual([]);
}

describe('renderChart', () => {
  it('renders a real PNG at twice the SVG size', async () => {
    const chart = await renderChart(bars('Revenue by month'));
    expect([...chart.png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const size = svgSize(chart.svg);
    expect(chart.width).toBe(Math.round(size.width * 2));
    expect(chart.height).toBe(Math.round(size.height * 2));
    // The IHDR chunk agrees with the reported size.
    const ihdr = new DataView(chart.png.buffer, chart.png.byteOffset + 16, 8);
    expect([ihdr.getUint32(0), ihdr.getUint32(4)]).toEqual([chart.width, chart.height]);
  });

  it('honours the scale option', async () => {
    const chart = await renderChart(bars(), { scale: 1 });
    const size = svgSize(chart.svg);
    expect(chart.width).toBe(Math.round(size.width));
  });

  it('draws the title text, not just the SVG element for it', async () => {
    const titled = await renderChart(bars('Revenue by month'));
    const plain = await renderChart(bars());
    expect(titled.svg).toContain('Revenue by month');
    expect(titled.svg).toContain(FONT_FAMILY);
    expect(Buffer.from(titled.png).equals(Buffer.from(plain.png))).toBe(false);

    // Rasterise the same SVG again to read pixels: the title band (padding 12, 16 px font, at 2x) has ink.
    const image = new Resvg(titled.svg, {
      font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY },
      fitTo: { mode: 'zoom', value: 2 },
    }).render();
    expect(inkInRows(image.pixels, image.width, 24, 24 + 36)).toBeGreaterThan(100);
    // Without a title the same band is blank background.
    const blank = new Resvg(plain.svg, {
      font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY },
      fitTo: { mode: 'zoom', value: 2 },
    }).render();
    expect(inkInRows(blank.pixels, blank.width, 0, 20)).toBe(0);
  });

  it('draws the title in the PNG it returns, pixel for pixel as the full fonts do', async () => {
    const chart = await renderChart(bars('Revenue by month'));
    const { pixels, width } = await decode(chart.png);
    expect(width).toBe(chart.width);
    expect(inkInRows(pixels, width, ...TITLE_BAND)).toBeGreaterThan(100);
    expect(differing(pixels, rasterise(chart.svg))).toBe(0);
    expect(chart.missingCharacters).toEqual([]);
  });

  it('draws non-ASCII text (£ é Ü – €) with the subset fonts, losing no character', async () => {
    const title = 'Umsatz für Café Über £1,200 – €5 · ≥ 3 “orders”';
    const spec = bars(title);
    const chart = await renderChart(spec);
    expect(chart.svg).toContain(title);
    await expectTitleDrawnWith(chart, SUBSET_FONT_FILES);
  });

  it('would see a character the subsets lack as a difference (the check above can fail)', async () => {
    const { svg } = await renderChart(bars('Revenue'));
    const withCyrillic = svg.replace('>Revenue<', '>Выручка<');
    expect(withCyrillic).not.toBe(svg);
    expect(differing(rasterise(withCyrillic, SUBSET_FONT_FILES), rasterise(withCyrillic))).toBeGreaterThan(
      100,
    );
  });

  it('falls back to the full fonts for text outside the subsets (Cyrillic, Greek)', async () => {
    const chart = await renderChart(bars('Выручка по месяцам · Λ'));
    await expectTitleDrawnWith(chart, FONT_FILES);
  });

  it('reports characters no bundled font has and draws a replacement mark for them', async () => {
    const chart = await renderChart(bars('売上'));
    expect(chart.missingCharacters).toEqual(['売', '上']);
    expect(chart.svg).toContain('\uFFFD\uFFFD');
    const { pixels, width } = await decode(chart.png);
    expect(inkInRows(pixels, width, ...TITLE_BAND)).toBeGreaterThan(100);
  });

  it('keeps the symbols our titles and labels print in the subsets', () => {
    const text = 'ABC xyz 0-9 £€–—…•·×≤≥≠−‘’“”%&<> äöüÄÖÜßéèêçñÑÇÉÅøØłŁşŞğıİ';
    expect(chooseFonts(`<text>${text}</text>`)).toMatchObject({
      fontFiles: SUBSET_FONT_FILES,
      missing: [],
    });
  });

  it('leaves out labels vega hid for overlapping, and the picture is the same', async () => {
    const values = Array.from({ length: 60 }, (_, i) => ({ label: `w/c ${i + 1} Jan 2011`, revenue: i + 1 }));
    const spec: TopLevelSpec = {
      data: { values },
      mark: 'bar',
      width: 400,
      encoding: {
        x: { field: 'label', type: 'ordinal', sort: null, axis: { labelOverlap: true, labelAngle: -45 } },
        y: { field: 'revenue', type: 'quantitative' },
      },
    };
    const view = new vega.View(vega.parse(await compileSpec(spec)), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    const hidden = svg.match(/<text[^>]*\sopacity="0"/g)?.length ?? 0;
    expect(hidden).toBeGreaterThan(10);
    const kept = dropHiddenText(svg);
    expect(kept.match(/<text/g)?.length).toBe((svg.match(/<text/g)?.length ?? 0) - hidden);
    expect(kept).not.toMatch(/<text[^>]*\sopacity="0"/);
    const chart = await renderChart(spec);
    expect(differing((await decode(chart.png)).pixels, rasterise(svg))).toBe(0);
  });

  it('refuses an unknown mark with chart_invalid', async () => {
    const spec = { ...bars(), mark: 'nonsense' } as unknown as TopLevelSpec;
    const error = await renderChart(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'chart_invalid', message: expect.stringContaining('"nonsense"') });
  });

  it('refuses a spec that vega-lite cannot compile with chart_invalid', async () => {
    const spec = {
      data: { values: [{ a: 1 }] },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'nonsense' } },
    } as unknown as TopLevelSpec;
    await expect(renderChart(spec)).rejects.toMatchObject({
      name: 'UserError',
      code: 'chart_invalid',
      message: expect.stringContaining('Vega-Lite spec is invalid'),
    });
  });
});

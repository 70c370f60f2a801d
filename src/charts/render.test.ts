import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { FONT_FAMILY, FONT_FILES, renderChart } from './render.ts';

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

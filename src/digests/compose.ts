/**
 * A digest's contents, composed as a neutral `Reply`: headline figures for the period against the one before,
 * saved segments and how they moved since the last digest, top products, what to push, and a chart.
 *
 * Periods: the period ends at the run's scheduled time, clamped to the data's as-of instant (imported data is
 * often historical, and a "last 7 days" after the data ends would always be empty). It is a rolling window
 * of 1 day, 7 days or 1 calendar month ending there; the previous period is the window of the same length
 * just before it. Every figure is computed in SQL from purchase lines of completed imports.
 */
import { type SQL, sql } from 'drizzle-orm';
import { revenueOverTime } from '../charts/builders.ts';
import { change, type Figures, figureFields, windowFigures } from '../charts/figures.ts';
import { renderChart } from '../charts/render.ts';
import { newReferenceId } from '../core/errors.ts';
import {
  type Attachment,
  type Field,
  formatMoney,
  formatNumber,
  plural,
  type Reply,
  type Table,
} from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { DONE_BATCHES } from '../ingest/features.ts';
import type { Logger } from '../logger.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { getSegment, listSegments, previewSegment } from '../segments/service.ts';
import type { Period } from './schedule.ts';
import { formatInZone } from './schedule.ts';
import type { Digest, DigestPart } from './service.ts';

/**
 * Suggests what to push: plugged in by whoever has a recommender (the digest never depends on one). Without
 * it, the digest suggests the products whose revenue rose most.
 */
export interface DigestRecommender {
  /**
   * Items to push, or `{ fallback }` to have the digest show its rising products instead, with the note
   * (when given) saying why.
   */
  recommend(
    database: Database,
    options: { segment: { name: string; definition: SegmentDefinition } | undefined; limit: number },
  ): Promise<{ title: string; detail: string }[] | { fallback: string | undefined }>;
}

/** What the next digest compares with. */
export interface DigestSnapshot {
  /** Saved segment sizes by lower-cased name. */
  segments: Record<string, number>;
}

export interface ComposeOptions {
  /** The instant the digest is for (its scheduled time, or now for a preview). */
  at: Date;
  /** Set when the run is sent well after its slot. */
  lateFor?: Date | undefined;
  /** The snapshot kept by the last digest sent. */
  previous?: unknown;
  recommender?: DigestRecommender | undefined;
  log: Logger;
}

export interface ComposedDigest {
  reply: Reply;
  snapshot: DigestSnapshot;
  /** Nothing to report: no orders in either period and no segment moved. */
  empty: boolean;
  /** Parts that could not be built (the rest was still composed). */
  failed: DigestPart[];
}

const INTERVAL: Record<Period, string> = { day: '1 day', week: '7 days', month: '1 month' };
const PERIOD_NAME: Record<Period, { adjective: string; span: string; previous: string }> = {
  day: { adjective: 'Daily', span: '24 hours', previous: 'the 24 hours before' },
  week: { adjective: 'Weekly', span: '7 days', previous: 'the 7 days before' },
  month: { adjective: 'Monthly', span: 'month', previous: 'the month before' },
};
const PART_LABEL: Record<DigestPart, string> = {
  kpis: 'headline figures',
  segments: 'saved segments',
  products: 'top products',
  push: 'what to push',
  chart: 'chart',
};

/** The data's as-of instant: the one features were computed at, else the latest event. */
async function dataAsOf(database: Database): Promise<Date | null> {
  const [row] = await database.rows<{ at: string | Date | null }>(sql`
    select coalesce(
      (select (value->>'asOf')::timestamptz from meta where key = 'as_of'),
      (select max(occurred_at) from events where batch_id in ${DONE_BATCHES})
    ) as at`);
  return row?.at ? new Date(row.at) : null;
}

function bounds(end: Date, period: Period): { e: SQL; m: SQL; s: SQL } {
  const e = sql`${end.toISOString()}::timestamptz`;
  const len = sql`${INTERVAL[period]}::interval`;
  return { e, m: sql`(${e} - ${len})`, s: sql`(${e} - 2 * ${len})` };
}

async function kpis(
  database: Database,
  end: Date,
  period: Period,
): Promise<{ current: Figures; previous: Figures }> {
  const { e, m, s } = bounds(end, period);
  return {
    current: await windowFigures(database, (at) => sql`${at} > ${m} and ${at} <= ${e}`),
    previous: await windowFigures(database, (at) => sql`${at} > ${s} and ${at} <= ${m}`),
  };
}

interface ProductRow {
  productId: string;
  name: string;
  revenue: number;
  units: number;
  previous: number;
}

async function products(database: Database, end: Date, period: Period): Promise<ProductRow[]> {
  const { e, m, s } = bounds(end, period);
  const rows = await database.rows<{
    product_id: string;
    name: string;
    revenue: string;
    units: number;
    previous: string;
  }>(sql`
    select events.product_id, coalesce(min(products.name), events.product_id) as name,
      coalesce(round(sum(quantity * events.unit_price_e4) filter (where occurred_at > ${m}) * 0.0001, 2), 0)::text as revenue,
      coalesce(sum(quantity) filter (where occurred_at > ${m}), 0)::int as units,
      coalesce(round(sum(quantity * events.unit_price_e4) filter (where occurred_at <= ${m}) * 0.0001, 2), 0)::text as previous
    from events left join products on products.id = events.product_id
    where kind = 'purchase' and batch_id in ${DONE_BATCHES} and events.product_id is not null
      and occurred_at > ${s} and occurred_at <= ${e}
    group by events.product_id`);
  return rows.map((r) => ({
    productId: r.product_id,
    name: r.name,
    revenue: Number(r.revenue),
    units: Number(r.units),
    previous: Number(r.previous),
  }));
}

function signed(n: number): string {
  return n === 0 ? 'no change' : `${n > 0 ? '+' : '−'}${formatNumber(Math.abs(n))}`;
}

function readSnapshot(value: unknown): DigestSnapshot | null {
  const v = typeof value === 'string' ? JSON.parse(value) : value;
  if (!v || typeof v !== 'object' || typeof (v as DigestSnapshot).segments !== 'object') return null;
  return v as DigestSnapshot;
}

const SEGMENT_LIMIT = 10;
const PRODUCT_LIMIT = 5;
const PUSH_LIMIT = 3;

/**
 * Builds a digest. Each part is built on its own: a part that fails is named in a note and the rest is
 * still sent.
 *
 * @example
 * const { reply } = await composeDigest(database, digest, { at: new Date(), log });
 */
export async function composeDigest(
  database: Database,
  digest: Pick<Digest, 'name' | 'contents' | 'timezone'>,
  options: ComposeOptions,
): Promise<ComposedDigest> {
  const { period, parts } = digest.contents;
  const names = PERIOD_NAME[period];
  const want = new Set(parts);
  const failed: DigestPart[] = [];
  const notes: string[] = [];
  const previousSnapshot = readSnapshot(options.previous);
  const snapshot: DigestSnapshot = { segments: previousSnapshot?.segments ?? {} };

  async function part<T>(
    name: DigestPart,
    build: () => Promise<T>,
    needed = want.has(name),
  ): Promise<T | undefined> {
    if (!needed) return undefined;
    try {
      return await build();
    } catch (error) {
      const ref = newReferenceId();
      options.log.error({ err: error, ref, digest: digest.name, part: name }, 'digest part failed');
      failed.push(name);
      notes.push(`Couldn't build the ${PART_LABEL[name]} (reference ${ref}); the rest is below.`);
      return undefined;
    }
  }

  const asOf = await dataAsOf(database);
  const end = asOf && asOf < options.at ? asOf : options.at;
  const endLabel = end.toISOString().slice(0, 10);
  const title = `${names.adjective} digest "${digest.name}": ${names.span} to ${endLabel}`;
  const context: string[] = [];
  if (options.lateFor) {
    context.push(
      `Sent late: it was due ${formatInZone(options.lateFor, digest.timezone)} while Megaphone was not running`,
    );
  }
  if (asOf && asOf < options.at) {
    context.push(
      `Data as of ${asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC, so the period ends there`,
    );
  }

  if (!asOf) {
    return {
      reply: {
        title,
        text: 'Nothing to report: there is no data yet. Import orders to get figures here.',
        context: context.join(' · ') || undefined,
      },
      snapshot,
      empty: true,
      failed,
    };
  }

  const figures = await part('kpis', () => kpis(database, end, period));
  // Top products and the rising-products fallback of "what to push" share one query.
  const productRows = await part(
    'products',
    () => products(database, end, period),
    want.has('products') || want.has('push'),
  );
  const segmentLines = await part('segments', async () => {
    const saved = (await listSegments(database)).slice(0, SEGMENT_LIMIT);
    const lines: string[] = [];
    const sizes: Record<string, number> = {};
    let moved = false;
    for (const s of saved) {
      const { count } = await previewSegment(database, s.definition, 0);
      const key = s.name.toLowerCase();
      sizes[key] = count;
      const before = previousSnapshot?.segments[key];
      if (before === undefined) {
        lines.push(
          `• ${s.name}: ${plural(count, 'customer')}${previousSnapshot ? ' (new since last digest)' : ''}`,
        );
        moved = true;
      } else {
        lines.push(`• ${s.name}: ${plural(count, 'customer')} (${signed(count - before)} since last digest)`);
        if (count !== before) moved = true;
      }
    }
    snapshot.segments = sizes;
    return { lines, moved, any: saved.length > 0 };
  });

  const noOrders = figures ? figures.current.orders === 0 && figures.previous.orders === 0 : false;
  if (noOrders && failed.length === 0 && !segmentLines?.moved) {
    return {
      reply: {
        title,
        text: `Nothing to report: no orders in the ${names.span} to ${endLabel} or ${names.previous}${segmentLines?.any ? ', and saved segments did not change' : ''}.`,
        context: context.join(' · ') || undefined,
      },
      snapshot,
      empty: true,
      failed,
    };
  }

  const fields: Field[] = [];
  const text: string[] = [];
  if (figures) {
    fields.push(...figureFields(figures.current, figures.previous));
    const vs = `vs ${names.previous}`;
    text.push(`Last ${names.span} to ${endLabel}, changes ${vs}.`);
  }
  if (segmentLines?.any) text.push(`*Saved segments*\n${segmentLines.lines.join('\n')}`);

  let table: Table | undefined;
  if (productRows && want.has('products')) {
    const top = productRows
      .filter((r) => r.revenue > 0)
      .sort((a, b) => b.revenue - a.revenue || a.productId.localeCompare(b.productId))
      .slice(0, PRODUCT_LIMIT);
    if (top.length) {
      table = {
        columns: ['Product', 'Units', 'Revenue', `vs ${names.previous}`],
        rows: top.map((r) => [
          r.name,
          formatNumber(r.units),
          formatMoney(r.revenue),
          change(r.revenue, r.previous),
        ]),
      };
    }
  }

  const push = await part('push', async () => {
    let note: string | undefined;
    if (options.recommender) {
      const chosen = digest.contents.recommendFor
        ? await getSegment(database, digest.contents.recommendFor)
        : undefined;
      const items = await options.recommender.recommend(database, {
        segment: chosen ? { name: chosen.name, definition: chosen.definition } : undefined,
        limit: PUSH_LIMIT,
      });
      if (Array.isArray(items)) {
        if (!items.length) return null;
        const heading = chosen ? `*What to push to ${chosen.name}*` : '*What to push*';
        return `${heading}\n${items.map((i) => `• ${i.title}: ${i.detail}`).join('\n')}`;
      }
      note = items.fallback;
    }
    const rising = (productRows ?? [])
      .filter((r) => r.revenue > r.previous)
      .sort(
        (a, b) => b.revenue - b.previous - (a.revenue - a.previous) || a.productId.localeCompare(b.productId),
      )
      .slice(0, PUSH_LIMIT);
    if (!rising.length) return note ? `*What to push*\n${note}` : null;
    return (
      '*What to push: rising products*\n' +
      (note ? `${note}\n` : '') +
      rising
        .map(
          (r) =>
            `• ${r.name}: ${formatMoney(r.revenue)}, up from ${formatMoney(r.previous)} ${names.previous}`,
        )
        .join('\n')
    );
  });
  if (push) text.push(push);

  const attachments: Attachment[] = [];
  const chart = await part('chart', async () => {
    const built = await revenueOverTime(database, { grain: period });
    const { png } = await renderChart(built.spec);
    return {
      filename: 'revenue.png',
      mimeType: 'image/png',
      data: png,
      altText: built.altText,
    } satisfies Attachment;
  });
  if (chart) attachments.push(chart);

  if (notes.length) text.unshift(notes.join('\n'));
  return {
    reply: {
      title,
      ...(text.length ? { text: text.join('\n\n') } : {}),
      ...(fields.length ? { fields } : {}),
      ...(table ? { table } : {}),
      ...(attachments.length ? { attachments } : {}),
      ...(context.length ? { context: context.join(' · ') } : {}),
      tone: failed.length ? 'warning' : 'info',
    },
    snapshot,
    empty: false,
    failed,
  };
}

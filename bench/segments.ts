/**
 * Segment command latency: parse + SQL + preview, in process, against the same queries written by hand and
 * run directly, interleaved in the same run. On the full Online Retail data (embedded PGlite) and on a
 * synthetic base of 1,000,000 customers on the Postgres server.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { importFile } from '../src/ingest/import.ts';
import { parseSegmentRequest } from '../src/segments/parse.ts';
import { previewSegment, segmentMemberIds } from '../src/segments/service.ts';
import { loadVocabulary } from '../src/segments/vocabulary.ts';
import { dropServerDatabase, freshServerDatabase, progress, type Section } from './section.ts';

const DATA = fileURLToPath(new URL('../../shared/data/online-retail.csv.gz', import.meta.url));
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

interface Case {
  request: string;
  /** The WHERE clause written by hand (trusted benchmark text), or a full member query for top-N. */
  where?: string;
  top?: string;
  /** Needs purchase events (not in the synthetic base). */
  events?: boolean;
}

const CASES: Case[] = [
  {
    request: "customers in Germany who spent over £1000 but haven't bought in 90 days",
    where: "lower(country) = 'germany' and spend > 1000 and recency_days > 90",
  },
  { request: 'top 50 customers by spend', top: 'order by spend desc, customer_id limit 50' },
  {
    request: 'one-time buyers outside the UK',
    where: "orders = 1 and (lower(country) <> 'united kingdom' or country is null)",
  },
  { request: 'customers with between 3 and 5 orders', where: 'orders between 3 and 5' },
  { request: 'lapsed customers who spent at least £500', where: "lifecycle = 'lapsed' and spend >= 500" },
  {
    request: 'French and German customers with an average order over £300',
    where: "lower(country) in ('france', 'germany') and avg_order_value > 300",
  },
  {
    request: 'customers with returns who bought in the last 30 days',
    where: 'returns >= 1 and recency_days <= 30',
  },
  {
    request: 'customers who bought christmas items in the last 60 days',
    events: true,
    where: `exists (select 1 from events e join products p on p.id = e.product_id
      where e.customer_id = customer_features.customer_id and e.kind = 'purchase'
        and e.occurred_at <= customer_features.as_of and e.occurred_at > customer_features.as_of - interval '60 days'
        and p.category ilike '%christmas%' and e.batch_id in (select id from import_batches where status = 'done'))`,
  },
  {
    request: 'customers who spent over £500 in the last 90 days',
    events: true,
    where: `customer_id in (select e.customer_id from events e, (select max(as_of) as at from customer_features) a
      where e.kind = 'purchase' and e.occurred_at <= a.at and e.occurred_at > a.at - interval '90 days'
        and e.batch_id in (select id from import_batches where status = 'done')
      group by e.customer_id having sum(e.quantity * e.unit_price_e4) * 0.0001 > 500)`,
  },
  {
    request: 'top 10 customers by spend in the last 30 days',
    events: true,
    top: `where exists (select 1 from events e
      where e.customer_id = customer_features.customer_id and e.kind = 'purchase'
        and e.occurred_at <= customer_features.as_of and e.occurred_at > customer_features.as_of - interval '30 days'
        and e.batch_id in (select id from import_batches where status = 'done'))
      order by (select sum(e.quantity * e.unit_price_e4) * 0.0001 from events e
        where e.customer_id = customer_features.customer_id and e.kind = 'purchase'
          and e.occurred_at <= customer_features.as_of and e.occurred_at > customer_features.as_of - interval '30 days'
          and e.batch_id in (select id from import_batches where status = 'done')) desc, customer_id limit 10`,
  },
];

/** The two queries a preview runs (figures, sample), written by hand. */
async function handWritten(database: Database, c: Case): Promise<number> {
  const members = c.top
    ? `select customer_id from customer_features ${c.top}`
    : `select customer_id from customer_features where ${c.where}`;
  const [agg] = await database.rows<{ n: number }>(
    sql.raw(
      c.top
        ? `select count(*)::int as n, coalesce(sum(f.spend), 0)::text as s, coalesce(avg(f.orders), 0)::text as o,
            (select count(*)::int from customer_features) as total, (select max(as_of)::text from customer_features) as a
          from (${members}) m join customer_features f using (customer_id)`
        : `select count(*)::int as n, coalesce(sum(spend), 0)::text as s, coalesce(avg(orders), 0)::text as o,
            (select count(*)::int from customer_features) as total, (select max(as_of)::text from customer_features) as a
          from customer_features where ${c.where}`,
    ),
  );
  const sample = c.top
    ? `select customer_id, country, spend, orders, recency_days, lifecycle from customer_features ${c.top.replace(/limit \d+/, 'limit 5')}`
    : `select customer_id, country, spend, orders, recency_days, lifecycle from customer_features where ${c.where} order by spend desc, customer_id limit 5`;
  await database.rows(sql.raw(sample));
  return Number(agg?.n ?? 0);
}

async function megaphone(database: Database, request: string): Promise<number> {
  const vocab = await loadVocabulary(database);
  const parsed = parseSegmentRequest(request, vocab);
  if (!parsed.ok) throw new Error(`not understood: ${request}: ${parsed.message}`);
  return (await previewSegment(database, parsed.definition)).count;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(
  label: string,
  database: Database,
  cases: Case[],
  rounds: number,
): Promise<{ rows: string[]; failures: string[] }> {
  const failures: string[] = [];
  const mp: number[] = [];
  const hand: number[] = [];
  // Correctness first: the parsed definition must select exactly the hand-written set.
  for (const c of cases) {
    const parsed = parseSegmentRequest(c.request, await loadVocabulary(database));
    if (!parsed.ok) {
      failures.push(`${label}: "${c.request}" not understood: ${parsed.message}`);
      continue;
    }
    const ids = await segmentMemberIds(database, parsed.definition);
    const expected = c.top
      ? await database.rows<{ customer_id: string }>(
          sql.raw(`select customer_id from customer_features ${c.top}`),
        )
      : await database.rows<{ customer_id: string }>(
          sql.raw(`select customer_id from customer_features where ${c.where} order by customer_id`),
        );
    const want = expected.map((r) => r.customer_id).sort();
    const got = [...ids].sort();
    if (want.length !== got.length || want.some((id, i) => id !== got[i])) {
      failures.push(
        `${label}: "${c.request}" selects ${got.length} customers, hand-written SQL ${want.length}`,
      );
    }
  }
  const usable = cases.filter((c) => !failures.some((f) => f.includes(`"${c.request}"`)));
  for (const c of usable) {
    await megaphone(database, c.request);
    await handWritten(database, c);
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of usable) {
      let t = performance.now();
      await megaphone(database, c.request);
      mp.push(performance.now() - t);
      t = performance.now();
      await handWritten(database, c);
      hand.push(performance.now() - t);
    }
  }
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const ratio = percentile(mp, 50) / percentile(hand, 50);
  progress(`${label}: p50 ${ms(percentile(mp, 50))} vs hand ${ms(percentile(hand, 50))}`);
  return {
    rows: [
      `| ${label} | ${usable.length} | ${mp.length} | ${ms(percentile(mp, 50))} | ${ms(percentile(mp, 95))} | ` +
        `${ms(percentile(hand, 50))} | ${ms(percentile(hand, 95))} | ${ratio.toFixed(2)}x |`,
    ],
    failures,
  };
}

async function syntheticBase(url: string, name: string): Promise<Database> {
  const database = await freshServerDatabase(url, name);
  progress('synthetic base: generating 1,000,000 customers in SQL');
  await database.rows(sql`select setseed(0.42)`);
  await database.rows(
    sql.raw(`
    insert into customer_features (customer_id, spend, orders, first_purchase_at, last_purchase_at, recency_days,
      tenure_days, avg_order_value, distinct_products, returns, country, r_score, f_score, m_score, lifecycle, as_of)
    select id, round((orders * aov)::numeric, 2), orders, as_of - make_interval(days => tenure), as_of - make_interval(days => recency),
      recency, tenure, round(aov::numeric, 2), least(orders * 4, 200), returns, country,
      5 - least(4, recency / 73), least(5, orders), least(5, 1 + floor(orders * aov / 400)::int),
      case when tenure <= 30 then 'new' when recency <= 90 then 'active' when recency <= 180 then 'at_risk' else 'lapsed' end,
      as_of
    from (
      select 'S' || g as id,
        1 + floor(-ln(1 - random()) * 2.5)::int as orders,
        8 + random() * random() * 600 as aov,
        floor(random() * 400)::int as recency,
        returns, country, tenure_extra, timestamptz '2025-12-01 00:00:00+00' as as_of
      from (
        select g, case when random() < 0.1 then 1 + floor(random() * 3)::int else 0 end as returns,
          (array['United Kingdom','United Kingdom','United Kingdom','United Kingdom','United Kingdom','United Kingdom',
            'Germany','France','EIRE','Spain','Netherlands','Belgium','Switzerland','Portugal','Australia'])[1 + floor(random() * 15)::int] as country,
          floor(random() * 700)::int as tenure_extra
        from generate_series(1, 1000000) g
      ) base
    ) s, lateral (select recency + tenure_extra as tenure) t`),
  );
  await database.rows(
    sql.raw(`insert into meta (key, value) values ('vocabulary',
    jsonb_build_object('countries', (select jsonb_agg(distinct country) from customer_features), 'categories', '[]'::jsonb))`),
  );
  await database.rows(sql.raw('analyze customer_features'));
  return database;
}

export async function run(): Promise<Section> {
  const failures: string[] = [];
  const rows: string[] = [];
  const notes: string[] = [];

  if (
    await access(DATA)
      .then(() => true)
      .catch(() => false)
  ) {
    progress('segments: importing Online Retail into PGlite');
    const database = await openDatabase({});
    try {
      await importFile(database, DATA);
      const r = await measure('Online Retail (4,338 customers), PGlite', database, CASES, 15);
      rows.push(...r.rows);
      failures.push(...r.failures);
    } finally {
      await database.close();
    }
  } else notes.push(`Online Retail rows skipped: ${DATA} is missing.`);

  const url = loadConfig().testDatabaseUrl ?? DEFAULT_SERVER;
  const name = `megaphone_bench_segments_${process.pid}`;
  let database: Database | undefined;
  try {
    database = await syntheticBase(url, name);
    const r = await measure(
      'Synthetic 1,000,000 customers, Postgres server',
      database,
      CASES.filter((c) => !c.events),
      5,
    );
    rows.push(...r.rows);
    failures.push(...r.failures);
  } catch (error) {
    notes.push(`Server rows skipped: ${(error as Error).message}`);
  } finally {
    await database?.close();
    await dropServerDatabase(url, name);
  }

  const markdown = [
    'Each request runs the segment path in process (vocabulary lookup, local parser, preview: count and spend,',
    'share of all customers, a 5-row sample) and, interleaved, the same two queries written by hand.',
    'Before timing, each parsed definition is checked to select exactly the hand-written set.',
    `Requests: ${CASES.map((c) => `“${c.request}”${c.events ? ' (needs purchase events: not on the synthetic base)' : ''}`).join('; ')}.`,
    '',
    'Targets: p50 under 50 ms on Online Retail; overhead under 1.3x hand-written SQL.',
    '',
    '| Data | Requests | Samples | Megaphone p50 | Megaphone p95 | Hand SQL p50 | Hand SQL p95 | Ratio (p50) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...notes,
    ...failures.map((f) => `- FAIL: ${f}`),
  ].join('\n');
  return { title: 'Segments: request to preview latency', markdown, failures };
}

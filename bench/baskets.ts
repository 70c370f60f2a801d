/**
 * What is bought together, the pairs bought together most, and who is likely to buy, on the full Online Retail
 * file, in PGlite and on the Postgres server:
 * - `boughtTogether` for a category, a product, words of names and a category in a period, against the same
 *   counts written the textbook way (distinct orders counted per product in separate passes), interleaved;
 *   both must list the same products;
 * - `topPairs`, against grouping the order lines it starts from;
 * - `likelyBuyers` over every customer, against reading every customer's purchase history (the floor: the
 *   scoring needs each customer's purchases), interleaved.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type SQL, sql } from 'drizzle-orm';
import type { Period } from '../src/charts/period.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { importFile } from '../src/ingest/import.ts';
import { redactUrl } from '../src/logger.ts';
import { loadHistories } from '../src/recommend/data.ts';
import { PAIR_CANDIDATES, topPairs } from '../src/recommend/pairs.ts';
import { likelyBuyers } from '../src/recommend/prospects.ts';
import { currentModel, productIdsMatching } from '../src/recommend/service.ts';
import { boughtTogether } from '../src/recommend/together.ts';
import type { ProductMatch } from '../src/segments/definition.ts';
import {
  dropServerDatabase,
  freshServerDatabase,
  median,
  progress,
  type Section,
  seconds,
  timed,
} from './section.ts';

const DATA = fileURLToPath(new URL('../../shared/data/online-retail.csv.gz', import.meta.url));
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 3;

interface Case {
  said: string;
  product: ProductMatch;
  period?: Period;
}

const CASES: Case[] = [
  { said: 'what goes well with candles?', product: { categoryContains: 'Candles & Lights' } },
  { said: 'what do people buy with 85123A?', product: { productId: '85123A' } },
  { said: 'bought together with "lunch bag"', product: { nameContains: 'lunch bag' } },
  {
    said: 'what goes with Christmas items in Q4 2011?',
    product: { categoryContains: 'Christmas' },
    period: { calendar: 'quarter', quarter: 4, year: 2011 },
  },
];

/** The textbook statement: each count its own pass over the events, distinct orders counted per product. */
function handWritten(ids: string[], start: string | null, stop: string): SQL {
  const scope = sql`kind in ('purchase', 'anonymous') and invoice is not null and product_id is not null
    and occurred_at <= ${stop}::timestamptz ${start ? sql`and occurred_at >= ${start}::timestamptz` : sql``}`;
  return sql`
    with basket as (select distinct invoice from events where ${scope} and product_id in ${ids}),
    total as (select count(distinct invoice)::float8 as n from events where ${scope}),
    with_goods as (select count(*)::float8 as n from basket),
    shared as (
      select product_id, count(distinct invoice) as n from events
      where ${scope} and invoice in (select invoice from basket) and product_id not in ${ids}
      group by 1 having count(distinct invoice) >= 3),
    usual as (
      select product_id, count(distinct invoice) as n from events
      where ${scope} and product_id in (select product_id from shared) group by 1)
    select s.product_id from shared s join usual u using (product_id), total t, with_goods w
    where s.n / w.n > u.n / t.n
    order by s.n / w.n - u.n / t.n desc, s.n desc, s.product_id
    limit 10`;
}

async function measure(label: string, database: Database): Promise<{ rows: string[]; failures: string[] }> {
  const rows: string[] = [];
  const failures: string[] = [];
  const [bounds] = await database.rows<{ stop: string }>(
    sql`select to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as stop from events`,
  );
  for (const c of CASES) {
    const ids = [...(await productIdsMatching(database, c.product))];
    const start = c.period ? '2011-10-01T00:00:00.000000Z' : null;
    const stop = c.period ? '2011-12-31T23:59:59.999999Z' : bounds!.stop;
    const ours: number[] = [];
    const hand: number[] = [];
    let same = true;
    for (let i = 0; i < RUNS; i++) {
      const a = await timed(() => boughtTogether(database, { product: c.product, period: c.period }));
      const b = await timed(() => database.rows<{ product_id: string }>(handWritten(ids, start, stop)));
      ours.push(a.ms);
      hand.push(b.ms);
      const mine = a.value.rows.map((r) => r.productId).join(',');
      const theirs = b.value.map((r) => r.product_id).join(',');
      if (mine !== theirs) same = false;
    }
    if (!same)
      failures.push(`baskets: “${c.said}” on ${label} lists other products than the hand-written SQL`);
    const ratio = median(ours) / median(hand);
    rows.push(
      `| ${label} | “${c.said}” | ${ids.length.toLocaleString('en-GB')} | ${seconds(median(ours))} | ${seconds(median(hand))} | ${ratio.toFixed(2)}x | ${same ? 'same' : 'DIFFERENT'} |`,
    );
  }
  return { rows, failures };
}

/** `topPairs` against grouping the order lines into pairs of order and product, which it starts from. */
async function measurePairs(label: string, database: Database): Promise<string> {
  const ours: number[] = [];
  const floor: number[] = [];
  let found = 0;
  for (let i = 0; i < RUNS; i++) {
    const a = await timed(() => topPairs(database));
    ours.push(a.ms);
    found = a.value.pairs.length;
    floor.push(
      (
        await timed(() =>
          database.rows(sql`select count(*) from (select invoice, product_id from events
            where kind in ('purchase', 'anonymous') and invoice is not null and product_id is not null group by 1, 2) l`),
        )
      ).ms,
    );
  }
  return `| ${label} | ${found} | ${seconds(median(ours))} | ${seconds(median(floor))} | ${(median(ours) / median(floor)).toFixed(2)}x |`;
}

async function measureProspects(label: string, database: Database): Promise<string> {
  await currentModel(database);
  const only = await productIdsMatching(database, { categoryContains: 'Candles & Lights' });
  const everyone = (
    await database.rows<{ id: string }>(sql`select customer_id as id from customer_features order by 1`)
  ).map((r) => r.id);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push((await timed(() => likelyBuyers(database, { only, limit: 50 }))).ms);
    floor.push(
      (
        await timed(async () => {
          for (let j = 0; j < everyone.length; j += 1000)
            await loadHistories(database, everyone.slice(j, j + 1000));
        })
      ).ms,
    );
  }
  return `| ${label} | ${everyone.length.toLocaleString('en-GB')} | ${seconds(median(ours))} | ${seconds(median(floor))} | ${(median(ours) / median(floor)).toFixed(2)}x |`;
}

export async function run(): Promise<Section> {
  try {
    await access(DATA);
  } catch {
    return {
      title: 'Bought together and likely buyers',
      markdown: `Skipped: ${DATA} not found.\n`,
      failures: [],
    };
  }
  const together: string[] = [];
  const prospects: string[] = [];
  const pairs: string[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  const url = process.env.MEGAPHONE_TEST_DATABASE_URL ?? DEFAULT_SERVER;
  const name = `megaphone_bench_baskets_${process.pid}`;
  const engines: { label: string; open: () => Promise<Database>; drop?: () => Promise<void> }[] = [
    { label: 'PGlite', open: () => openDatabase({}) },
    {
      label: 'Postgres server',
      open: () => freshServerDatabase(url, name),
      drop: () => dropServerDatabase(url, name),
    },
  ];
  for (const engine of engines) {
    let database: Database | undefined;
    try {
      database = await engine.open();
      progress(`baskets: importing Online Retail into ${engine.label}`);
      await importFile(database, DATA);
      progress(`baskets: bought together on ${engine.label}`);
      const r = await measure(engine.label, database);
      together.push(...r.rows);
      failures.push(...r.failures);
      progress(`baskets: pairs bought together most on ${engine.label}`);
      pairs.push(await measurePairs(engine.label, database));
      progress(`baskets: likely buyers on ${engine.label} (trains the recommender first)`);
      prospects.push(await measureProspects(engine.label, database));
    } catch (error) {
      notes.push(`${engine.label} rows skipped (${redactUrl(url)}): ${(error as Error).message}`);
    } finally {
      await database?.close();
      await engine.drop?.();
    }
  }
  const markdown = [
    'Online Retail, full file (541,909 lines; 19,960 orders). Medians of 3 runs each, the two sides interleaved.',
    '',
    '### What is bought together',
    '',
    '`boughtTogether` (one statement: pairs of order and product grouped once in memory, each read again beside',
    'its order) against the same counts written the textbook way (distinct orders per product, each count its own',
    'pass over the events). Both must list the same 10 products.',
    '',
    '| Engine | Request | Products named | Megaphone | Hand-written SQL | Ratio | Products listed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...together,
    '',
    '### The pairs bought together most',
    '',
    `\`topPairs\` (pairs among the ${PAIR_CANDIDATES} products in the most orders, ranked by leverage), against only grouping`,
    'the order lines into distinct pairs of order and product, which it starts from.',
    '',
    '| Engine | Pairs listed | Megaphone | Grouping the lines | Ratio |',
    '| --- | --- | --- | --- | --- |',
    ...pairs,
    '',
    '### Who is likely to buy',
    '',
    '`likelyBuyers` for Candles & Lights over every customer (top 50), against reading every customer’s',
    'purchase history a thousand at a time (what the scoring has to read).',
    '',
    '| Engine | Customers | Megaphone | Reading the histories | Ratio |',
    '| --- | --- | --- | --- | --- |',
    ...prospects,
    '',
    ...notes,
    ...failures.map((f) => `- FAIL: ${f}`),
  ].join('\n');
  return { title: 'Bought together and likely buyers', markdown, failures };
}

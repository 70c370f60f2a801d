/**
 * Copy drafts: drafts per second with the local templates (writing plus every guardrail, the product-name
 * check against the demo shop's catalogue included), the latency of each guardrail on its own (limits, brand,
 * facts with and without the catalogue), the cost of indexing a catalogue, and a whole copy request on the
 * demo shop (facts from SQL, three drafts, stored). The baseline, in the same run and interleaved, is bare template rendering: one fixed
 * template string filled with the same product facts, no choices and no checks.
 */

import { CHANNELS, channelProblems, type DraftContent, fitContent } from '../src/copy/channels.ts';
import { loadCatalogue } from '../src/copy/facts.ts';
import { TEST_BRAND, TEST_PRODUCTS, testBrief } from '../src/copy/fixtures.ts';
import { brandProblems, factProblems, guardDraft } from '../src/copy/guard.ts';
import { writeLocalDraft } from '../src/copy/local.ts';
import { buildCatalogue } from '../src/copy/mentions.ts';
import { createDrafts } from '../src/copy/store.ts';
import { openDatabase } from '../src/db/client.ts';
import { loadDemo } from '../src/ingest/demo.ts';
import { median, progress, type Section } from './section.ts';

const ROUNDS = 7;
const PER_ROUND = 2_000;

/** The baseline: a mail-merge of one fixed template, the least any copy tool does. */
function bareTemplate(i: number): DraftContent {
  const p = TEST_PRODUCTS[i % TEST_PRODUCTS.length]!;
  return {
    channel: 'email',
    subject: `Meet the ${p.name}`,
    preheader: `${p.name} from £${p.price?.toFixed(2)}`,
    body: `Hello,\n\n${p.name}, £${p.price?.toFixed(2)}\n\n${TEST_BRAND.sign_off}`,
    cta: 'Shop now',
  };
}

/** Per-item microseconds of `work` over PER_ROUND items, median of ROUNDS, interleaved with the baseline. */
function measure(work: (i: number) => unknown): { us: number; baselineUs: number } {
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 200; i++) {
    work(i);
    bareTemplate(i);
  }
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    for (let i = 0; i < PER_ROUND; i++) work(i);
    ours.push(((performance.now() - t) * 1000) / PER_ROUND);
    t = performance.now();
    for (let i = 0; i < PER_ROUND; i++) bareTemplate(i);
    base.push(((performance.now() - t) * 1000) / PER_ROUND);
  }
  return { us: median(ours), baselineUs: median(base) };
}

const us = (v: number) => (v < 10 ? `${v.toFixed(2)} µs` : `${v.toFixed(1)} µs`);

export async function run(): Promise<Section> {
  const failures: string[] = [];
  const rows: string[] = [];
  const request = 'email for lapsed customers about night lights, 15% off';

  // The demo shop gives the catalogue the product-name check reads (and the end-to-end request below).
  const database = await openDatabase({});
  await loadDemo(database, { seed: 42, customers: 1500 });
  let t0 = performance.now();
  const catalogue = await loadCatalogue(database);
  const coldMs = performance.now() - t0;
  const warm: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    t0 = performance.now();
    await loadCatalogue(database);
    warm.push(performance.now() - t0);
  }
  const names = [...catalogue.names.entries()].map(([id, name]) => ({ id, name }));
  // A catalogue the size of Online Retail's (~4k names): the demo names in ten variants each.
  const big = ['', 'LARGE', 'SMALL', 'VINTAGE', 'RED', 'BLUE', 'PINK', 'GREEN', 'IVORY', 'SET OF 3'].flatMap(
    (v, k) => names.map((n) => ({ id: `${n.id}-${k}`, name: `${v} ${n.name}`.trim() })),
  );
  const builds: number[] = [];
  for (let r = 0; r < 3; r++) {
    t0 = performance.now();
    buildCatalogue(big);
    builds.push(performance.now() - t0);
  }
  progress(
    `copy catalogue: ${names.length} names cold ${coldMs.toFixed(1)} ms, warm ${median(warm).toFixed(2)} ms; ${big.length} names ${median(builds).toFixed(0)} ms`,
  );

  for (const channel of CHANNELS) {
    const brief = { ...testBrief(channel, request), catalogue };
    const draftAndGuard = (i: number) => {
      const d = writeLocalDraft(brief, i % 3, i + 1);
      const g = guardDraft(d.content, {
        brand: brief.brand,
        facts: brief.facts,
        productIds: d.productIds,
        catalogue,
      });
      if (g.problems.length) throw new Error(`${channel} draft ${i} broke a rule: ${g.problems[0]!.message}`);
      return g;
    };
    const m = measure(draftAndGuard);
    progress(`copy ${channel}: ${us(m.us)} per guarded draft, baseline ${us(m.baselineUs)}`);
    rows.push(
      `| local draft + guardrails (${channel}) | ${Math.round(1e6 / m.us).toLocaleString('en-GB')} | ${us(m.us)} | ${us(m.baselineUs)} | ${(m.us / m.baselineUs).toFixed(0)}x |`,
    );
  }

  const brief = { ...testBrief('email', request), catalogue };
  const samples = Array.from({ length: 64 }, (_, i) => writeLocalDraft(brief, i % 3, i + 1));
  const checks: [string, (i: number) => unknown][] = [
    [
      'limits (check + repair)',
      (i) => channelProblems(fitContent(samples[i % 64]!.content, { optOut: 'STOP' }), { optOut: 'STOP' }),
    ],
    ['banned words, claims, emoji', (i) => brandProblems(samples[i % 64]!.content, TEST_BRAND)],
    [
      'facts check, product names by the look of them only (no catalogue)',
      (i) => factProblems(samples[i % 64]!.content, samples[i % 64]!.productIds, brief.facts),
    ],
    [
      `facts check with the catalogue (${names.length} names)`,
      (i) => factProblems(samples[i % 64]!.content, samples[i % 64]!.productIds, brief.facts, { catalogue }),
    ],
    [
      'all guardrails (guardDraft)',
      (i) =>
        guardDraft(samples[i % 64]!.content, {
          brand: TEST_BRAND,
          facts: brief.facts,
          productIds: samples[i % 64]!.productIds,
          catalogue,
        }),
    ],
  ];
  const checkRows: string[] = [];
  for (const [name, work] of checks) {
    const m = measure(work);
    progress(`copy guardrail ${name}: ${us(m.us)}, baseline ${us(m.baselineUs)}`);
    checkRows.push(`| ${name} | ${us(m.us)} | ${us(m.baselineUs)} | ${(m.us / m.baselineUs).toFixed(0)}x |`);
  }

  // A whole request on the demo shop: facts from SQL, three drafts, guardrails, stored.
  let endToEnd = '';
  try {
    const segment = {
      definition: {
        conditions: [{ kind: 'lifecycle' as const, op: 'in' as const, values: ['lapsed' as const] }],
      },
      label: 'lapsed',
    };
    const once = () =>
      createDrafts(
        { database, brand: TEST_BRAND },
        {
          request,
          topic: 'night lights, 15% off',
          segment,
          productIds: [],
          channel: 'email',
          variants: 3,
          seed: 7,
        },
        'bench',
      );
    await once();
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      await once();
      times.push(performance.now() - t);
    }
    const m = measure((i) => writeLocalDraft(brief, i % 3, i + 1));
    endToEnd =
      `A whole copy request on the demo shop (1,500 customers, embedded PGlite; segment "lapsed", topic "night lights, 15% off", ` +
      `3 email variants, stored): median ${median(times).toFixed(1)} ms over ${ROUNDS} runs; writing alone is ` +
      `${us(m.us * 3)} of that, so the time is the SQL for facts and traits.`;
    progress(`copy end to end: ${median(times).toFixed(1)} ms`);
  } catch (error) {
    failures.push(`copy end to end failed: ${(error as Error).message}`);
  } finally {
    await database.close();
  }

  const markdown = [
    'Local templates (no model, no network). Baseline: bare template rendering (one fixed email template filled with ' +
      'the same product facts), measured in the same run, interleaved; ratios are ours / baseline.',
    '',
    '| what | drafts per second | per draft | baseline per draft | ratio |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Guardrail latency per draft (email drafts from the local templates):',
    '',
    '| check | per draft | baseline per draft | ratio |',
    '|---|---|---|---|',
    ...checkRows,
    '',
    `The product-name check indexes the store's product names once per database (${names.length} demo names: ` +
      `${coldMs.toFixed(1)} ms with the SQL; after that each request only runs a signature query, ` +
      `${median(warm).toFixed(2)} ms) and again when the products change; ${big.length.toLocaleString('en-GB')} names ` +
      `(the size of the Online Retail catalogue) index in ${median(builds).toFixed(0)} ms.`,
    '',
    endToEnd,
  ].join('\n');
  return { title: 'Copy drafts', markdown, failures };
}

/**
 * Writing drafts: facts from the store, a writer (the language model when configured, the local templates
 * otherwise and whenever the model cannot be used), and the guardrails on every draft. A draft that breaks a
 * rule after repair is rejected and another is written; nothing broken is ever returned.
 */
import { randomInt } from 'node:crypto';
import { MegaphoneError, UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { LlmMessage, LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import type { BrandVoice } from './brand.ts';
import { type Channel, describeProblems } from './channels.ts';
import { loadCatalogue, productsByIds, productsForTopic, segmentTraits, topSellers } from './facts.ts';
import { type Facts, factsFrom, guardDraft, type ProductFact } from './guard.ts';
import { askModel } from './llm.ts';
import { type CopyBrief, type WrittenDraft, writeLocalDraft } from './local.ts';

export const MAX_VARIANTS = 5;
/** Local drafts tried per variant before giving up (each with a new seed). */
const LOCAL_TRIES = 6;

export interface CopyRequest {
  /** The marketer's words, stored with the drafts and given to the model as quoted data. */
  request: string;
  /** The words that say what the copy is about (products named in words, an offer). */
  topic: string;
  segment: { definition: SegmentDefinition; label: string };
  productIds: string[];
  channel: Channel;
  variants: number;
  seed?: number | undefined;
}

/** A draft that passed every guardrail. */
export interface AcceptedDraft extends WrittenDraft {
  writer: string;
  seed: number;
  /** Repairs made on the way (shortened, banned word replaced), for the reply. */
  repaired: boolean;
}

export interface Written {
  drafts: AcceptedDraft[];
  /** What the marketer should know: fallbacks, rejected model drafts. */
  notices: string[];
}

/** The facts and traits a request's drafts are written from. */
export async function briefFor(
  database: Database,
  req: Pick<CopyRequest, 'request' | 'topic' | 'segment' | 'productIds' | 'channel'>,
  brand: BrandVoice,
): Promise<{ brief: CopyBrief; notices: string[] }> {
  const notices: string[] = [];
  const traits = await segmentTraits(database, req.segment.definition);
  if (traits.count === 0) {
    throw new UserError(
      'copy_empty_segment',
      `No customers match "${req.segment.label}", so there is nobody to write to.`,
      {
        hint: 'Loosen the segment (say it in this thread first to see its size), or pick a saved one.',
      },
    );
  }
  const named = await productsByIds(database, req.productIds);
  const byTopic = req.topic.trim() ? await productsForTopic(database, req.topic, req.segment.definition) : [];
  if (req.topic.trim() && byTopic.length === 0 && named.length === 0) {
    notices.push(
      `No product in the catalogue matches "${req.topic.slice(0, 60)}"; these drafts feature the segment's top sellers.`,
    );
  }
  let products: ProductFact[] = [...named, ...byTopic.filter((p) => !named.some((n) => n.id === p.id))];
  if (products.length === 0) products = await topSellers(database, req.segment.definition);
  if (products.length === 0) {
    throw new UserError('copy_no_products', 'There are no products in the data to write about yet.', {
      hint: 'Import orders first (megaphone import FILE), or load the demo shop (megaphone demo).',
    });
  }
  const facts: Facts = factsFrom(products.slice(0, 5), req.request);
  if (!/^en\b/i.test(brand.language)) {
    notices.push(
      `The brand's language is ${brand.language}, but the local templates write English; set OPENAI_API_KEY for drafts in ${brand.language}.`,
    );
  }
  const catalogue = await loadCatalogue(database);
  return { brief: { channel: req.channel, brand, facts, segment: traits, catalogue }, notices };
}

const FALLBACK_CODES = new Set([
  'llm_timeout',
  'llm_rate_limited',
  'llm_quota',
  'llm_unavailable',
  'llm_unreachable',
  'llm_auth',
  'llm_forbidden',
  'llm_not_found',
  'llm_bad_request',
  'llm_error',
  'llm_aborted',
]);

/** Drafts from the model that pass the guardrails, with one corrected retry; the reasons for the rest. */
async function fromModel(
  llm: LlmProvider,
  brief: CopyBrief,
  n: number,
  request: string,
  seed: number,
  log: Logger | undefined,
): Promise<Written> {
  const accepted: AcceptedDraft[] = [];
  const notices: string[] = [];
  let messages: LlmMessage[] = [];
  let lastReason = '';
  for (let attempt = 0; attempt < 2 && accepted.length < n; attempt++) {
    let answer: Awaited<ReturnType<typeof askModel>>;
    try {
      answer = await askModel(llm, brief, n - accepted.length, request, messages);
    } catch (error) {
      if (error instanceof MegaphoneError && FALLBACK_CODES.has(error.code)) {
        log?.warn(
          { code: error.code, host: llm.host },
          'language model unavailable for copy; using local templates',
        );
        notices.push(`${error.message.replace(/\.?$/, '.')} These drafts come from the local templates.`);
        return { drafts: accepted, notices };
      }
      throw error;
    }
    if (!answer.ok) {
      lastReason = answer.error ?? 'unusable answer';
      log?.warn({ reason: lastReason, model: llm.model }, 'copy answer from the language model not used');
      if (lastReason.startsWith('the model refused')) {
        notices.push(`The language model declined to write this (${lastReason}); nothing it wrote is used.`);
        return { drafts: accepted, notices };
      }
      messages = [
        ...(answer.raw ? [{ role: 'assistant' as const, content: answer.raw }] : []),
        {
          role: 'user',
          content: `That answer could not be used: ${lastReason}. Answer again with JSON matching the schema.`,
        },
      ];
      continue;
    }
    const rejected: string[] = [];
    for (const [i, draft] of answer.drafts.entries()) {
      if (accepted.length >= n) break;
      if (!draft) {
        rejected.push(`variant ${i + 1}: the fields for ${brief.channel} are missing`);
        continue;
      }
      const guarded = guardDraft(draft.content, {
        brand: brief.brand,
        facts: brief.facts,
        productIds: draft.productIds,
        catalogue: brief.catalogue,
      });
      if (guarded.problems.length) {
        rejected.push(`variant ${i + 1}: ${describeProblems(guarded.problems)}`);
        continue;
      }
      accepted.push({
        ...draft,
        content: guarded.content,
        repaired: guarded.repaired,
        writer: llm.model,
        seed,
      });
    }
    if (rejected.length) {
      lastReason = rejected.join(' | ');
      log?.info({ rejected }, 'model drafts rejected by the guardrails');
      messages = [
        { role: 'assistant', content: answer.raw ?? '' },
        {
          role: 'user',
          content: `These variants break the rules and were discarded: ${lastReason}. Write ${n - accepted.length} new variant(s) that follow every rule, using only the facts given.`,
        },
      ];
    }
  }
  if (accepted.length < n) {
    const missing = n - accepted.length;
    notices.push(
      `${missing} of the language model's drafts ${missing === 1 ? 'was' : 'were'} rejected (${lastReason.slice(0, 300)}); ` +
        `${missing === 1 ? 'that one comes' : 'those come'} from the local templates.`,
    );
  }
  return { drafts: accepted, notices };
}

/**
 * `n` guarded drafts: the model's first when there is one, the local templates for the rest.
 *
 * @example
 * const { drafts, notices } = await writeDrafts(brief, { n: 3, seed: 42, request: 'email about candles' });
 */
export async function writeDrafts(
  brief: CopyBrief,
  options: {
    n: number;
    seed: number;
    request: string;
    llm?: LlmProvider | undefined;
    log?: Logger | undefined;
    firstVariant?: number;
  },
): Promise<Written> {
  const { n, seed } = options;
  const written: Written = options.llm
    ? await fromModel(options.llm, brief, n, options.request, seed, options.log)
    : { drafts: [], notices: [] };
  const first = options.firstVariant ?? 0;
  for (let i = written.drafts.length; i < n; i++) {
    let last = '';
    let done = false;
    for (let t = 0; t < LOCAL_TRIES && !done; t++) {
      const trySeed = seed + t * 7919;
      const draft = writeLocalDraft(brief, first + i, trySeed);
      const guarded = guardDraft(draft.content, {
        brand: brief.brand,
        facts: brief.facts,
        productIds: draft.productIds,
        catalogue: brief.catalogue,
      });
      if (guarded.problems.length === 0) {
        written.drafts.push({
          ...draft,
          content: guarded.content,
          repaired: guarded.repaired,
          writer: 'local',
          seed: trySeed,
        });
        done = true;
      } else {
        last = describeProblems(guarded.problems);
      }
    }
    if (!done) {
      throw new UserError(
        'copy_unfit',
        `Could not write a ${brief.channel} draft that keeps every rule: ${last}.`,
        {
          hint: 'Check the brand file (a banned word inside a product name cannot be written around), or name other products.',
        },
      );
    }
  }
  return written;
}

/** A fresh random seed; stored with each draft so it can be written again. */
export function newSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/**
 * Drafts in the database: written, approved, rejected, edited, regenerated and exported, each change with who
 * made it and when.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { copyDrafts } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import { segmentDefinition } from '../segments/definition.ts';
import type { BrandVoice } from './brand.ts';
import {
  type Channel,
  type DraftContent,
  describeProblems,
  draftContent,
  renderContent,
  textFields,
  withField,
} from './channels.ts';
import { loadCatalogue } from './facts.ts';
import { briefFor, type CopyRequest, newSeed, writeDrafts } from './generate.ts';
import { checkDraft, type Facts } from './guard.ts';
import type { SegmentTraits } from './local.ts';

export const DRAFT_STATUSES = ['draft', 'approved', 'rejected'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

export interface StoredDraft {
  id: number;
  batch: string;
  variant: number;
  channel: Channel;
  status: DraftStatus;
  content: DraftContent;
  rationale: string;
  request: string;
  segment: string;
  facts: Facts;
  traits: SegmentTraits;
  productIds: string[];
  writer: string;
  seed: number;
  createdBy: string;
  createdAt: Date;
  actedBy: string | null;
  actedAt: Date | null;
  replaces: number | null;
}

function fromRow(row: typeof copyDrafts.$inferSelect): StoredDraft {
  const stored = row.facts as { facts: Facts; traits: SegmentTraits };
  return {
    id: row.id,
    batch: row.batch,
    variant: row.variant,
    channel: row.channel as Channel,
    status: row.status as DraftStatus,
    content: draftContent.parse(row.content),
    rationale: row.rationale,
    request: row.request,
    segment: row.segment,
    facts: stored.facts,
    traits: stored.traits,
    productIds: row.productIds as string[],
    writer: row.writer,
    seed: row.seed,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    actedBy: row.actedBy,
    actedAt: row.actedAt,
    replaces: row.replaces,
  };
}

export interface CopyDeps {
  database: Database;
  brand: BrandVoice;
  llm?: LlmProvider | undefined;
  log?: Logger | undefined;
}

export interface DraftBatch {
  drafts: StoredDraft[];
  notices: string[];
}

/**
 * Writes `req.variants` drafts for a request and stores them with status `draft`.
 *
 * @example
 * const { drafts } = await createDrafts({ database, brand }, { request, topic: 'candles', segment, productIds: [], channel: 'sms', variants: 3 }, 'slack:U1');
 */
export async function createDrafts(deps: CopyDeps, req: CopyRequest, createdBy: string): Promise<DraftBatch> {
  const { brief, notices } = await briefFor(deps.database, req, deps.brand);
  const seed = req.seed ?? newSeed();
  const written = await writeDrafts(brief, {
    n: req.variants,
    seed,
    request: req.request,
    llm: deps.llm,
    log: deps.log,
  });
  const batch = randomUUID();
  const rows = await deps.database.db
    .insert(copyDrafts)
    .values(
      written.drafts.map((d, i) => ({
        batch,
        variant: i + 1,
        channel: req.channel,
        content: d.content,
        rationale: d.rationale,
        request: req.request,
        segment: req.segment.label,
        segmentDefinition: req.segment.definition,
        facts: { facts: brief.facts, traits: brief.segment },
        productIds: d.productIds,
        writer: d.writer,
        seed: d.seed,
        createdBy,
      })),
    )
    .returning();
  return {
    drafts: rows.map(fromRow).sort((a, b) => a.variant - b.variant),
    notices: [...notices, ...written.notices],
  };
}

export async function getDraft(database: Database, id: number): Promise<StoredDraft> {
  const [row] = await database.db.select().from(copyDrafts).where(eq(copyDrafts.id, id));
  if (!row) {
    throw new UserError('draft_not_found', `There is no draft #${id}.`, {
      hint: 'Say "drafts" to list recent drafts with their numbers.',
    });
  }
  return fromRow(row);
}

async function setStatus(
  database: Database,
  id: number,
  status: DraftStatus,
  who: string,
): Promise<StoredDraft> {
  const [row] = await database.db
    .update(copyDrafts)
    .set({ status, actedBy: who, actedAt: new Date() })
    .where(and(eq(copyDrafts.id, id), eq(copyDrafts.status, 'draft')))
    .returning();
  if (row) return fromRow(row);
  const current = await getDraft(database, id);
  throw new UserError(
    'draft_not_open',
    `Draft #${id} was already ${current.status}${current.actedBy ? ` by ${current.actedBy}` : ''}.`,
    {
      hint:
        current.status === 'approved'
          ? `Export it with "export draft ${id}".`
          : `Say "regenerate draft ${id}" for a new one.`,
    },
  );
}

export function approveDraft(database: Database, id: number, who: string): Promise<StoredDraft> {
  return setStatus(database, id, 'approved', who);
}

export function rejectDraft(database: Database, id: number, who: string): Promise<StoredDraft> {
  return setStatus(database, id, 'rejected', who);
}

/**
 * Rejects a draft and writes another for the same request, segment, facts and variant, with a new seed.
 */
export async function regenerateDraft(deps: CopyDeps, id: number, who: string): Promise<DraftBatch> {
  const old = await getDraft(deps.database, id);
  if (old.status === 'approved') {
    throw new UserError('draft_not_open', `Draft #${id} is approved; approved copy is not regenerated.`, {
      hint: `Ask for new drafts instead, e.g. "draft ${old.channel} for ${old.segment}".`,
    });
  }
  const brief = {
    channel: old.channel,
    brand: deps.brand,
    facts: old.facts,
    segment: old.traits,
    catalogue: await loadCatalogue(deps.database),
  };
  const written = await writeDrafts(brief, {
    n: 1,
    seed: newSeed(),
    request: old.request,
    llm: deps.llm,
    log: deps.log,
    firstVariant: old.variant - 1,
  });
  const [definitionRow] = await deps.database.db
    .select({ d: copyDrafts.segmentDefinition })
    .from(copyDrafts)
    .where(eq(copyDrafts.id, id));
  const d = written.drafts[0]!;
  return deps.database.db.transaction(async (tx) => {
    if (old.status === 'draft') {
      await tx
        .update(copyDrafts)
        .set({ status: 'rejected', actedBy: who, actedAt: new Date() })
        .where(and(eq(copyDrafts.id, id), eq(copyDrafts.status, 'draft')));
    }
    const [row] = await tx
      .insert(copyDrafts)
      .values({
        batch: old.batch,
        variant: old.variant,
        channel: old.channel,
        content: d.content,
        rationale: d.rationale,
        request: old.request,
        segment: old.segment,
        segmentDefinition: segmentDefinition.parse(definitionRow?.d),
        facts: { facts: old.facts, traits: old.traits },
        productIds: d.productIds,
        writer: d.writer,
        seed: d.seed,
        createdBy: who,
        replaces: id,
      })
      .returning();
    return { drafts: [fromRow(row!)], notices: written.notices };
  });
}

/**
 * A marketer's edit of one field. It is checked (limits, banned words, facts) but not rewritten: a problem
 * is reported so they can fix their own words.
 */
export async function editDraft(
  deps: CopyDeps,
  id: number,
  field: string,
  value: string,
  who: string,
): Promise<StoredDraft> {
  const draft = await getDraft(deps.database, id);
  if (draft.status !== 'draft') {
    throw new UserError(
      'draft_not_open',
      `Draft #${id} is ${draft.status}; only open drafts can be edited.`,
      {
        hint: `Say "regenerate draft ${id}" or ask for new drafts.`,
      },
    );
  }
  const fields = textFields(draft.content).map(([f]) => f);
  const key = field.toLowerCase();
  if (!fields.includes(key)) {
    throw new UserError('draft_bad_field', `A ${draft.channel} draft has no "${field}".`, {
      hint: `Edit one of: ${fields.join(', ')}, e.g. "edit draft ${id} ${fields[0]}: new words".`,
    });
  }
  const content = withField(draft.content, key, value.trim());
  const problems = checkDraft(content, {
    brand: deps.brand,
    facts: draft.facts,
    productIds: draft.productIds,
    catalogue: await loadCatalogue(deps.database),
  });
  if (problems.length) {
    throw new UserError(
      'draft_edit_refused',
      `That edit breaks a rule, so draft #${id} is unchanged: ${describeProblems(problems)}.`,
      {
        hint: "Shorten it, or name only the draft's products, and only prices and offers from the data or the request.",
      },
    );
  }
  const [row] = await deps.database.db
    .update(copyDrafts)
    .set({ content, actedBy: who, actedAt: new Date() })
    .where(and(eq(copyDrafts.id, id), eq(copyDrafts.status, 'draft')))
    .returning();
  if (!row)
    throw new UserError('draft_not_open', `Draft #${id} changed while you were editing it; look again.`);
  return fromRow(row);
}

export async function listDrafts(
  database: Database,
  options: { status?: DraftStatus; limit?: number } = {},
): Promise<StoredDraft[]> {
  const rows = await database.db
    .select()
    .from(copyDrafts)
    .where(options.status ? eq(copyDrafts.status, options.status) : undefined)
    .orderBy(desc(copyDrafts.createdAt), desc(copyDrafts.id))
    .limit(options.limit ?? 20);
  return rows.map(fromRow);
}

/** An approved draft as a file: plain text to paste, or JSON for a sending tool. */
export async function exportDraft(
  database: Database,
  id: number,
  format: 'text' | 'json',
): Promise<{ filename: string; mimeType: string; data: Uint8Array; draft: StoredDraft }> {
  const draft = await getDraft(database, id);
  if (draft.status !== 'approved') {
    throw new UserError(
      'draft_not_approved',
      `Draft #${id} is ${draft.status}; only approved drafts are exported.`,
      {
        hint: draft.status === 'draft' ? `Approve it first: "approve draft ${id}".` : 'Ask for new drafts.',
      },
    );
  }
  const base = `draft-${id}-${draft.channel}`;
  if (format === 'json') {
    const json = {
      id: draft.id,
      channel: draft.channel,
      content: Object.fromEntries(textFields(draft.content)),
      segment: draft.segment,
      request: draft.request,
      rationale: draft.rationale,
      products: draft.facts.products.filter((p) => draft.productIds.includes(p.id)),
      approvedBy: draft.actedBy,
      approvedAt: draft.actedAt?.toISOString() ?? null,
      writer: draft.writer,
      seed: draft.seed,
    };
    return {
      filename: `${base}.json`,
      mimeType: 'application/json',
      data: new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`),
      draft,
    };
  }
  return {
    filename: `${base}.txt`,
    mimeType: 'text/plain',
    data: new TextEncoder().encode(`${renderContent(draft.content)}\n`),
    draft,
  };
}

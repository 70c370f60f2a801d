/**
 * The feature store: one drizzle schema served by PGlite (embedded) and by any Postgres server (postgres.js).
 * Ids from the source data (customer ids, stock codes) are kept as text primary keys, so answers quote them
 * exactly as the shop knows them.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One import of one file: what was read, kept and rejected. */
export const importBatches = pgTable(
  'import_batches',
  {
    id: serial('id').primaryKey(),
    source: text('source').notNull(),
    format: text('format').notNull(),
    /** sha256 of the decompressed content: the same file imported twice is recognised. */
    contentHash: text('content_hash').notNull(),
    status: text('status').notNull().default('running'),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsImported: integer('rows_imported').notNull().default(0),
    rowsRejected: integer('rows_rejected').notNull().default(0),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
    error: text('error'),
  },
  (t) => [uniqueIndex('import_batches_content_hash_done').on(t.contentHash).where(sql`status = 'done'`)],
);

/** The quarantine: every input line that was not imported, with where it came from and why. */
export const rejectedRows = pgTable(
  'rejected_rows',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    batchId: integer('batch_id')
      .notNull()
      .references(() => importBatches.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    raw: text('raw').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [index('rejected_rows_batch').on(t.batchId, t.lineNo)],
);

export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  country: text('country'),
  firstSeenAt: ts('first_seen_at'),
});

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  category: text('category').notNull().default('Other'),
  /** Latest positive unit price seen in a sale. */
  unitPrice: numeric('unit_price', { precision: 14, scale: 4 }),
  firstSeenAt: ts('first_seen_at'),
});

/**
 * Every imported line: sales, returns, anonymous sales, adjustments and behavioural events.
 * kind: purchase | return | anonymous | adjustment | view | click | add_to_cart
 */
export const events = pgTable(
  'events',
  {
    // No foreign key on purpose: a per-row FK check triples bulk-load time. The importer owns batch_id and
    // deletes a failed batch's events itself; readers only count batches marked done.
    batchId: integer('batch_id').notNull(),
    lineNo: integer('line_no').notNull(),
    kind: text('kind').notNull(),
    invoice: text('invoice'),
    // Collation "C" (migration 0013; drizzle's schema cannot say so): ids compare bytewise.
    customerId: text('customer_id'),
    productId: text('product_id'),
    quantity: integer('quantity').notNull(),
    // The unit price in whole ten-thousandths (numeric(14,4)'s values as integers, migration 0015): revenue
    // sums stay in integer arithmetic. Read revenue as sum(quantity * unit_price_e4) * 0.0001.
    unitPriceE4: bigint('unit_price_e4', { mode: 'number' }),
    occurredAt: ts('occurred_at').notNull(),
    country: text('country'),
  },
  // (batch_id, line_no) identifies a row; it is unique by construction, and every extra index is paid for on
  // each imported line (bench/RESULTS.md), so only per-customer lookups get a btree. Lines arrive roughly in
  // time order, so a BRIN index (one summary per 128 pages) lets a chart over a window read only that window's
  // pages: top products of last quarter for an audience, 72 -> 56 ms at 100k. A load into an empty store goes
  // without it and builds it after (see prepareEvents in src/ingest/import.ts).
  (t) => [
    // Anonymous sales (a quarter of Online Retail's lines) are never looked up by customer: left out, a COPY
    // into the store maintains the index for ~10% less (0.95-1.0 s against 1.06-1.11 s for the whole file).
    // Lookups by customer (=, any(...), joins) all imply a customer, so they use it as before.
    index('events_customer').on(t.customerId).where(sql`customer_id is not null`),
    index('events_occurred_brin').using('brin', t.occurredAt),
  ],
);

/** Per-customer features, recomputed in SQL after each import (see src/ingest/features.ts). */
export const customerFeatures = pgTable(
  'customer_features',
  {
    customerId: text('customer_id').primaryKey(),
    spend: numeric('spend', { precision: 16, scale: 2 }).notNull(),
    orders: integer('orders').notNull(),
    firstPurchaseAt: ts('first_purchase_at'),
    lastPurchaseAt: ts('last_purchase_at'),
    recencyDays: integer('recency_days'),
    tenureDays: integer('tenure_days'),
    avgOrderValue: numeric('avg_order_value', { precision: 16, scale: 2 }),
    distinctProducts: integer('distinct_products').notNull(),
    returns: integer('returns').notNull(),
    country: text('country'),
    rScore: smallint('r_score'),
    fScore: smallint('f_score'),
    mScore: smallint('m_score'),
    lifecycle: text('lifecycle').notNull(),
    asOf: ts('as_of').notNull(),
  },
  (t) => [
    index('customer_features_country').on(t.country),
    index('customer_features_lifecycle').on(t.lifecycle),
  ],
);

/** Singleton-style key/value metadata (as-of instant of the last feature refresh, demo seed, ...). */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Conversation state per thread, so follow-ups can refer to the last answer. */
export const conversations = pgTable('conversations', {
  id: text('id').primaryKey(),
  platform: text('platform').notNull(),
  lastCommand: text('last_command'),
  lastArgs: jsonb('last_args'),
  lastResult: jsonb('last_result'),
  turns: bigint('turns', { mode: 'number' }).notNull().default(0),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Saved segments: a name, the definition (never SQL), and who saved it. */
export const segments = pgTable('segments', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** Lower-cased name: names are unique regardless of case. */
  nameKey: text('name_key').notNull().unique(),
  definition: jsonb('definition').notNull(),
  description: text('description').notNull(),
  request: text('request'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastCount: integer('last_count'),
});

// ---------------------------------------------------------------------------------------------------------
// Vectors (content similarity): the fitted local embedding model, and which vector space fills each namespace.
// The vector tables themselves (vec_<namespace>) are created at run time: their dimension is only known then.
// ---------------------------------------------------------------------------------------------------------

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/** The local embedding model (TF-IDF over words and character n-grams, then truncated SVD), one per name. */
export const embeddingModels = pgTable('embedding_models', {
  name: text('name').primaryKey(),
  /** Identifies the vector space: changes whenever the model is refitted on a different catalogue. */
  model: text('model').notNull(),
  dimension: integer('dimension').notNull(),
  /** Feature strings (`w:word`, `c:gram`), in column order of `idf` and `projection`. */
  features: jsonb('features').$type<string[]>().notNull(),
  /** float32 idf per feature. */
  idf: bytea('idf').notNull(),
  /** float32 features x dimension, row-major. */
  projection: bytea('projection').notNull(),
  documents: integer('documents').notNull(),
  fittedAt: ts('fitted_at').notNull().defaultNow(),
});

/** Which provider, model and dimension fill a namespace of a vector store: one space per namespace. */
export const vectorNamespaces = pgTable(
  'vector_namespaces',
  {
    backend: text('backend').notNull(),
    namespace: text('namespace').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    dimension: integer('dimension').notNull(),
    count: integer('count').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.backend, t.namespace] })],
);

// ---------------------------------------------------------------------------------------------------------
// Slack adapter
// ---------------------------------------------------------------------------------------------------------

/**
 * Slack event ids already handled. Slack redelivers an event it thinks was not acknowledged (and in Socket
 * Mode may deliver it to another connection), so every process checks here before working; rows older than
 * a day are purged (Slack stops retrying after about an hour).
 */
export const slackEvents = pgTable(
  'slack_events',
  {
    eventId: text('event_id').primaryKey(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('slack_events_received_at').on(t.receivedAt)],
);

/** Threads Megaphone answers in: a plain reply there (no mention) continues that conversation. */
export const slackThreads = pgTable(
  'slack_threads',
  {
    channelId: text('channel_id').notNull(),
    threadTs: text('thread_ts').notNull(),
    startedAt: ts('started_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('slack_threads_channel_thread').on(t.channelId, t.threadTs)],
);

// ---------------------------------------------------------------------------------------------------------
// Scheduled digests (issue 9): what to post where and when, and one row per (digest, scheduled time) sent.
// ---------------------------------------------------------------------------------------------------------

/** A scheduled digest: a cron expression in a time zone, a target channel, and what to put in it. */
export const digests = pgTable('digests', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** Lower-cased name: names are unique regardless of case. */
  nameKey: text('name_key').notNull().unique(),
  /** The schedule as the user said it ("every Monday at 9:00"). */
  schedule: text('schedule').notNull(),
  /** 5-field cron expression evaluated by croner in `timezone`. */
  cron: text('cron').notNull(),
  timezone: text('timezone').notNull(),
  /** slack | discord | stdout */
  platform: text('platform').notNull(),
  channel: text('channel').notNull(),
  /** Parts, period and options (see src/digests/contents.ts). */
  contents: jsonb('contents').notNull(),
  paused: boolean('paused').notNull().default(false),
  /** Slots before this instant are never sent: set at creation and on resume (no catch-up for a pause). */
  activeFrom: ts('active_from').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/**
 * One delivery of a digest. The unique (digest, scheduled_for) row is the claim: whoever inserts it sends
 * it. status: sending (claimed, lease running) | retrying (waiting for `next_attempt_at`) | queued (run now)
 * | sent | failed (attempts used up).
 */
export const digestRuns = pgTable(
  'digest_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    digestId: integer('digest_id')
      .notNull()
      .references(() => digests.id, { onDelete: 'cascade' }),
    scheduledFor: ts('scheduled_for').notNull(),
    /** scheduled | manual */
    trigger: text('trigger').notNull().default('scheduled'),
    status: text('status').notNull(),
    /** Claimed well after its slot (Megaphone was down): the message says so. */
    late: boolean('late').notNull().default(false),
    attempts: integer('attempts').notNull().default(0),
    /** Times a crashed sender's expired claim was taken over. */
    recoveries: integer('recoveries').notNull().default(0),
    claimedBy: text('claimed_by'),
    claimedAt: ts('claimed_at'),
    leaseUntil: ts('lease_until'),
    nextAttemptAt: ts('next_attempt_at'),
    messageRef: text('message_ref'),
    error: text('error'),
    /** Figures kept for the next digest's "since last digest" (segment sizes). */
    snapshot: jsonb('snapshot'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    uniqueIndex('digest_runs_claim').on(t.digestId, t.scheduledFor),
    index('digest_runs_pending').on(t.status, t.nextAttemptAt),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// Copy drafts (issue 5)
// ---------------------------------------------------------------------------------------------------------

/**
 * Copy drafts: one row per variant. Variants written for one request share a `batch`. Status is draft,
 * approved or rejected; `actedBy`/`actedAt` say who changed it last and when.
 */
export const copyDrafts = pgTable(
  'copy_drafts',
  {
    id: serial('id').primaryKey(),
    batch: text('batch').notNull(),
    /** 1-based position in its batch (A, B, C...). */
    variant: smallint('variant').notNull(),
    channel: text('channel').notNull(),
    status: text('status').notNull().default('draft'),
    /** The channel's fields: subject/preheader/body/cta, title/body, or text. */
    content: jsonb('content').notNull(),
    rationale: text('rationale').notNull(),
    /** The marketer's request, as written. */
    request: text('request').notNull(),
    /** Who the copy is for: the segment's description (and saved name, when it has one). */
    segment: text('segment').notNull(),
    segmentDefinition: jsonb('segment_definition').notNull(),
    /** Products, prices and offers the draft was written from (the facts check's ground truth). */
    facts: jsonb('facts').notNull(),
    productIds: jsonb('product_ids').notNull(),
    /** 'local' or the language model's name. */
    writer: text('writer').notNull(),
    seed: integer('seed').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    actedBy: text('acted_by'),
    actedAt: ts('acted_at'),
    /** The draft this one replaced (regenerate) or was edited from. */
    replaces: integer('replaces'),
  },
  (t) => [index('copy_drafts_batch').on(t.batch), index('copy_drafts_status').on(t.status, t.createdAt)],
);

// ---------------------------------------------------------------------------------------------------------
// Recommendations (src/recommend): one row per trained model, and what serving needs per item.
// ---------------------------------------------------------------------------------------------------------

/** A trained recommender: when, on what, with which hyperparameters, and how it validated. */
export const recModels = pgTable('rec_models', {
  id: serial('id').primaryKey(),
  trainedAt: ts('trained_at').notNull().defaultNow(),
  /** Training used purchases strictly before this instant. */
  asOf: ts('as_of').notNull(),
  params: jsonb('params').notNull(),
  /** Validation figures when tuned, training time, counts. */
  summary: jsonb('summary').notNull(),
  customers: integer('customers').notNull(),
  items: integer('items').notNull(),
});

/** Per model and item: popularity, trend and neighbour lists (collaborative and content) with weights. */
export const recItems = pgTable(
  'rec_items',
  {
    modelId: integer('model_id')
      .notNull()
      .references(() => recModels.id, { onDelete: 'cascade' }),
    itemId: text('item_id').notNull(),
    popularity: real('popularity').notNull(),
    trending: boolean('trending').notNull(),
    cfIds: text('cf_ids').array().notNull(),
    cfWeights: real('cf_weights').array().notNull(),
    contentIds: text('content_ids').array().notNull(),
    contentWeights: real('content_weights').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.itemId] })],
);

// ---------------------------------------------------------------------------------------------------------
// Charts: daily sales rollups (src/ingest/daily-sales.ts), rebuilt with the features after each import.
// ---------------------------------------------------------------------------------------------------------

/**
 * Purchase lines per UTC day and customer (one row with a null customer for purchase lines without one):
 * revenue, distinct invoices and units. Revenue and order charts, new vs returning and cohorts read this
 * instead of `events`; per-customer rows keep distinct-customer counts exact across days.
 */
export const dailyCustomerSales = pgTable(
  'daily_customer_sales',
  {
    // A UTC midnight, without time zone: the same value as `date_trunc('day', occurred_at at time zone 'UTC')`.
    day: timestamp('day', { mode: 'string' }).notNull(),
    customerId: text('customer_id'),
    revenue: numeric('revenue'),
    orders: integer('orders').notNull(),
    // The customer's first purchase day, and whether this is their first day in its week / month: new vs
    // returning and cohorts count customers per period from these in one pass, without grouping by customer.
    firstDay: timestamp('first_day', { mode: 'string' }),
    weekFirst: boolean('week_first'),
    monthFirst: boolean('month_first'),
  },
  (t) => [
    index('daily_customer_sales_day').on(t.day),
    index('daily_customer_sales_customer').on(t.customerId),
  ],
);

/**
 * Sales per product over all time (purchase and anonymous lines), built with the daily rollups. Top products of
 * all time rank these few thousand rows instead of aggregating every line.
 */
export const productSales = pgTable('product_sales', {
  productId: text('product_id').primaryKey(),
  revenue: numeric('revenue'),
  units: bigint('units', { mode: 'number' }).notNull(),
});

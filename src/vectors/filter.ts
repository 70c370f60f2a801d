/**
 * Pinecone's metadata filter language, checked once and then either evaluated in memory (the Pinecone
 * stand-in, tests) or compiled to parameterised SQL over a jsonb column (pgvector). Field names and values are
 * always bound parameters, never spliced into the statement.
 */
import { type SQL, sql } from 'drizzle-orm';
import { UserError } from '../core/errors.ts';
import type { Metadata, MetadataFilter } from './types.ts';

type Scalar = string | number | boolean;

/** A checked filter: a tree of conditions. */
export type FilterNode =
  | { kind: 'and' | 'or'; children: FilterNode[] }
  | { kind: 'eq' | 'ne'; field: string; value: Scalar }
  | { kind: 'in' | 'nin'; field: string; values: Scalar[] }
  | { kind: 'gt' | 'gte' | 'lt' | 'lte'; field: string; value: number }
  | { kind: 'exists'; field: string; value: boolean };

const RANGE = ['$gt', '$gte', '$lt', '$lte'] as const;
const OPERATORS = ['$eq', '$ne', '$in', '$nin', '$exists', ...RANGE];

function bad(message: string): never {
  throw new UserError('bad_filter', `Invalid metadata filter: ${message}.`, {
    hint: 'Use Pinecone filter syntax, e.g. { "category": { "$in": ["Home", "Garden"] }, "price": { "$lt": 5 } }.',
  });
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Checks a filter and returns its tree; a UserError names the first problem.
 *
 * @example
 * parseFilter({ category: 'Home', price: { $lt: 5 } }); // { kind: 'and', children: [eq, lt] }
 */
export function parseFilter(filter: MetadataFilter): FilterNode {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) bad('expected an object');
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) bad(`${key} takes a non-empty list of filters`);
      children.push({ kind: key === '$and' ? 'and' : 'or', children: value.map((f) => parseFilter(f)) });
    } else if (key.startsWith('$')) {
      bad(`unknown operator ${key} at the top level (only $and and $or combine filters)`);
    } else if (isScalar(value)) {
      children.push({ kind: 'eq', field: key, value });
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const ops = Object.entries(value);
      if (ops.length === 0) bad(`no condition on "${key}"`);
      for (const [op, operand] of ops) children.push(parseCondition(key, op, operand));
    } else {
      bad(`"${key}" must be compared with a string, number or boolean, or an operator object`);
    }
  }
  if (children.length === 1) return children[0]!;
  return { kind: 'and', children };
}

function parseCondition(field: string, op: string, operand: unknown): FilterNode {
  if (!OPERATORS.includes(op)) bad(`unknown operator ${op} on "${field}" (use ${OPERATORS.join(', ')})`);
  if (op === '$eq' || op === '$ne') {
    if (!isScalar(operand)) bad(`${op} on "${field}" takes a string, number or boolean`);
    return { kind: op === '$eq' ? 'eq' : 'ne', field, value: operand };
  }
  if (op === '$in' || op === '$nin') {
    if (!Array.isArray(operand) || !operand.every(isScalar))
      bad(`${op} on "${field}" takes a list of values`);
    return { kind: op === '$in' ? 'in' : 'nin', field, values: operand };
  }
  if (op === '$exists') {
    if (typeof operand !== 'boolean') bad(`$exists on "${field}" takes true or false`);
    return { kind: 'exists', field, value: operand };
  }
  if (typeof operand !== 'number' || !Number.isFinite(operand)) bad(`${op} on "${field}" takes a number`);
  return { kind: op.slice(1) as 'gt' | 'gte' | 'lt' | 'lte', field, value: operand };
}

/** Whether a stored value equals a filter value; a list equals a value it contains. */
function equals(stored: Metadata[string] | undefined, value: Scalar): boolean {
  if (stored === undefined) return false;
  if (Array.isArray(stored)) return stored.includes(value as string);
  return stored === value;
}

/**
 * Evaluates a checked filter against one record's metadata.
 *
 * @example
 * matchesFilter(parseFilter({ price: { $lt: 5 } }), { price: 2.5 }); // true
 */
export function matchesFilter(node: FilterNode, metadata: Metadata | undefined): boolean {
  const m = metadata ?? {};
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => matchesFilter(c, m));
    case 'or':
      return node.children.some((c) => matchesFilter(c, m));
    case 'eq':
      return equals(m[node.field], node.value);
    case 'ne':
      return !equals(m[node.field], node.value);
    case 'in':
      return node.values.some((v) => equals(m[node.field], v));
    case 'nin':
      return !node.values.some((v) => equals(m[node.field], v));
    case 'exists':
      return node.field in m === node.value;
    default: {
      const stored = m[node.field];
      if (typeof stored !== 'number') return false;
      if (node.kind === 'gt') return stored > node.value;
      if (node.kind === 'gte') return stored >= node.value;
      if (node.kind === 'lt') return stored < node.value;
      return stored <= node.value;
    }
  }
}

/**
 * Compiles a checked filter to a SQL condition over a jsonb column. jsonb containment (`@>`) gives Pinecone's
 * equality: a scalar contains itself, and an array contains each of its elements.
 */
export function filterToSql(node: FilterNode, column: SQL): SQL {
  const field = (name: string) => sql`(${column} -> ${name}::text)`;
  const eq = (name: string, value: Scalar) =>
    sql`coalesce(${field(name)} @> ${JSON.stringify(value)}::jsonb, false)`;
  switch (node.kind) {
    case 'and':
    case 'or':
      return sql`(${sql.join(
        node.children.map((c) => filterToSql(c, column)),
        node.kind === 'and' ? sql` and ` : sql` or `,
      )})`;
    case 'eq':
      return eq(node.field, node.value);
    case 'ne':
      return sql`not ${eq(node.field, node.value)}`;
    case 'in':
    case 'nin': {
      const any = node.values.length
        ? sql`(${sql.join(
            node.values.map((v) => eq(node.field, v)),
            sql` or `,
          )})`
        : sql`false`;
      return node.kind === 'in' ? any : sql`not ${any}`;
    }
    case 'exists':
      return node.value
        ? sql`jsonb_exists(${column}, ${node.field}::text)`
        : sql`not jsonb_exists(${column}, ${node.field}::text)`;
    default: {
      const op = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` }[node.kind];
      return sql`(jsonb_typeof(${field(node.field)}) = 'number' and (${field(node.field)})::float8 ${op} ${node.value}::float8)`;
    }
  }
}

/**
 * A loopback stand-in for Pinecone, speaking the REST protocol the official client uses: the control plane
 * (GET /indexes, GET /indexes/{name}) and an index's data plane (POST /vectors/upsert, POST /query with
 * metadata filters, GET /vectors/fetch, POST /vectors/delete, POST /describe_index_stats), with namespaces.
 * One server plays both hosts; describe index answers its own http:// URL as the index host. Errors can be
 * scripted (401, 429, 5xx) and every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesFilter, parseFilter } from '../../src/vectors/filter.ts';
import type { Metadata } from '../../src/vectors/types.ts';
import { readBody, sendJson as send } from './http.ts';

export interface StandInIndex {
  name: string;
  dimension: number;
  metric: 'cosine' | 'dotproduct' | 'euclidean';
}

export interface ScriptedPineconeError {
  status: number;
  message?: string;
  /** Only requests whose path starts with this fail (default: any). */
  path?: string;
  retryAfter?: number;
}

export interface PineconeRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  apiKey: string | undefined;
  apiVersion: string | undefined;
  body: unknown;
}

export interface PineconeStandIn {
  /** The control plane URL (`controllerHostUrl`); also the index host. */
  url: string;
  apiKey: string;
  requests: PineconeRequest[];
  /** Fails the next matching requests, one per scripted error. */
  fail(...errors: ScriptedPineconeError[]): void;
  /** Records of one namespace of one index (for assertions). */
  records(index: string, namespace: string): Map<string, StoredRecord>;
  close(): Promise<void>;
}

interface StoredRecord {
  id: string;
  values: number[];
  metadata?: Metadata;
}

const DEFAULT_NAMESPACE = '__default__';

/**
 * Starts the stand-in on 127.0.0.1 (a free port) with the given indexes.
 *
 * @example
 * const pc = await startPineconeStandIn({ indexes: [{ name: 'megaphone', dimension: 8, metric: 'cosine' }] });
 * const client = new Pinecone({ apiKey: pc.apiKey, controllerHostUrl: pc.url, maxRetries: 0 });
 * await pc.close();
 */
export async function startPineconeStandIn(
  options: { apiKey?: string; indexes?: StandInIndex[] } = {},
): Promise<PineconeStandIn> {
  const apiKey = options.apiKey ?? 'pcsk_stand_in_0123456789';
  const indexes = new Map((options.indexes ?? []).map((i) => [i.name, i]));
  /** index name -> namespace -> id -> record */
  const data = new Map<string, Map<string, Map<string, StoredRecord>>>();
  const requests: PineconeRequest[] = [];
  const failures: ScriptedPineconeError[] = [];
  let url = '';

  const namespaceOf = (index: string, ns: string | undefined, create: boolean) => {
    const name = ns || DEFAULT_NAMESPACE;
    let byNs = data.get(index);
    if (!byNs) {
      byNs = new Map();
      data.set(index, byNs);
    }
    let records = byNs.get(name);
    if (!records && create) {
      records = new Map();
      byNs.set(name, records);
    }
    return records;
  };

  const model = (i: StandInIndex) => ({
    name: i.name,
    dimension: i.dimension,
    metric: i.metric,
    host: url,
    deletion_protection: 'disabled',
    tags: null,
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    status: { ready: true, state: 'Ready' },
    vector_type: 'dense',
  });

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw.toString('utf8')))
      .catch((error: unknown) =>
        send(res, 500, { code: 13, message: `stand-in failure: ${String(error)}`, details: [] }),
      );
  });

  function handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const parsed = new URL(req.url ?? '/', 'http://stand-in');
    const path = parsed.pathname;
    const query: Record<string, string[]> = {};
    for (const key of new Set(parsed.searchParams.keys())) query[key] = parsed.searchParams.getAll(key);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      send(res, 400, { code: 3, message: 'Invalid JSON body', details: [] });
      return;
    }
    const key = req.headers['api-key'];
    const version = req.headers['x-pinecone-api-version'];
    requests.push({
      method: req.method ?? 'GET',
      path,
      query,
      apiKey: typeof key === 'string' ? key : undefined,
      apiVersion: typeof version === 'string' ? version : undefined,
      body,
    });
    const scripted = failures.findIndex((f) => !f.path || path.startsWith(f.path));
    if (scripted !== -1) {
      const [f] = failures.splice(scripted, 1);
      const headers: Record<string, string> = f!.retryAfter ? { 'retry-after': String(f!.retryAfter) } : {};
      send(
        res,
        f!.status,
        {
          error: { code: codeFor(f!.status), message: f!.message ?? `stand-in ${f!.status}` },
          status: f!.status,
        },
        headers,
      );
      return;
    }
    if (key !== apiKey) {
      send(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'Invalid API Key' }, status: 401 });
      return;
    }
    // Control plane.
    if (req.method === 'GET' && path === '/indexes') {
      send(res, 200, { indexes: [...indexes.values()].map(model) });
      return;
    }
    const described = /^\/indexes\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && described) {
      const index = indexes.get(decodeURIComponent(described[1]!));
      if (!index) {
        send(res, 404, {
          error: { code: 'NOT_FOUND', message: `Resource ${described[1]} not found` },
          status: 404,
        });
        return;
      }
      send(res, 200, model(index));
      return;
    }
    // Data plane: this stand-in serves the first index (the one whose host the client was given).
    const index = [...indexes.values()][0];
    if (!index) {
      send(res, 404, { code: 5, message: 'No index behind this host', details: [] });
      return;
    }
    const b = (body ?? {}) as Record<string, unknown>;
    if (req.method === 'POST' && path === '/vectors/upsert') {
      const vectors = b.vectors as StoredRecord[] | undefined;
      if (!Array.isArray(vectors) || vectors.length === 0 || vectors.length > 1000) {
        send(res, 400, { code: 3, message: 'vectors must hold 1 to 1000 records', details: [] });
        return;
      }
      for (const v of vectors) {
        if (!Array.isArray(v.values) || v.values.length !== index.dimension) {
          send(res, 400, {
            code: 3,
            message: `Vector dimension ${v.values?.length ?? 0} does not match the dimension of the index ${index.dimension}`,
            details: [],
          });
          return;
        }
      }
      const records = namespaceOf(index.name, b.namespace as string, true)!;
      for (const v of vectors)
        records.set(v.id, { id: v.id, values: v.values, ...(v.metadata ? { metadata: v.metadata } : {}) });
      send(res, 200, { upsertedCount: vectors.length });
      return;
    }
    if (req.method === 'POST' && path === '/query') {
      const topK = Number(b.topK);
      const vector = b.vector as number[] | undefined;
      if (!Number.isInteger(topK) || topK < 1 || topK > 10_000) {
        send(res, 400, { code: 3, message: 'topK must be between 1 and 10000', details: [] });
        return;
      }
      if (!Array.isArray(vector) || vector.length !== index.dimension) {
        send(res, 400, {
          code: 3,
          message: `Vector dimension ${vector?.length ?? 0} does not match the dimension of the index ${index.dimension}`,
          details: [],
        });
        return;
      }
      let filter: ReturnType<typeof parseFilter> | undefined;
      try {
        filter = b.filter ? parseFilter(b.filter as Record<string, unknown>) : undefined;
      } catch (error) {
        send(res, 400, { code: 3, message: `Invalid filter: ${(error as Error).message}`, details: [] });
        return;
      }
      const records =
        namespaceOf(index.name, b.namespace as string, false) ?? new Map<string, StoredRecord>();
      const matches = [...records.values()]
        .filter((r) => !filter || matchesFilter(filter, r.metadata))
        .map((r) => ({ r, score: score(index.metric, vector, r.values) }))
        .sort((x, y) => (index.metric === 'euclidean' ? x.score - y.score : y.score - x.score))
        .slice(0, topK)
        .map(({ r, score }) => ({
          id: r.id,
          score,
          values: b.includeValues ? r.values : [],
          ...(b.includeMetadata && r.metadata ? { metadata: r.metadata } : {}),
        }));
      send(res, 200, {
        results: [],
        matches,
        namespace: (b.namespace as string) || '',
        usage: { readUnits: 1 },
      });
      return;
    }
    if (req.method === 'GET' && path === '/vectors/fetch') {
      const ids = query.ids ?? [];
      if (ids.length === 0) {
        send(res, 400, { code: 3, message: 'ids are required', details: [] });
        return;
      }
      const records = namespaceOf(index.name, query.namespace?.[0], false) ?? new Map<string, StoredRecord>();
      const vectors: Record<string, StoredRecord> = {};
      for (const id of ids) {
        const r = records.get(id);
        if (r) vectors[id] = r;
      }
      send(res, 200, { vectors, namespace: query.namespace?.[0] ?? '', usage: { readUnits: 1 } });
      return;
    }
    if (req.method === 'POST' && path === '/vectors/delete') {
      const records = namespaceOf(index.name, b.namespace as string, false);
      if (b.deleteAll) {
        data.get(index.name)?.delete((b.namespace as string) || DEFAULT_NAMESPACE);
      } else if (Array.isArray(b.ids)) {
        for (const id of b.ids as string[]) records?.delete(id);
        if (records?.size === 0) data.get(index.name)?.delete((b.namespace as string) || DEFAULT_NAMESPACE);
      } else {
        send(res, 400, { code: 3, message: 'ids, deleteAll or filter is required', details: [] });
        return;
      }
      send(res, 200, {});
      return;
    }
    if (req.method === 'POST' && path === '/describe_index_stats') {
      const namespaces: Record<string, { vectorCount: number }> = {};
      let total = 0;
      for (const [ns, records] of data.get(index.name) ?? []) {
        namespaces[ns] = { vectorCount: records.size };
        total += records.size;
      }
      send(res, 200, {
        namespaces,
        dimension: index.dimension,
        indexFullness: 0,
        totalVectorCount: total,
        metric: index.metric,
        vectorType: 'dense',
      });
      return;
    }
    send(res, 404, { code: 5, message: `Not found: ${req.method} ${path}`, details: [] });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiKey,
    requests,
    fail: (...errors) => {
      failures.push(...errors);
    },
    records: (index, namespace) => namespaceOf(index, namespace, false) ?? new Map(),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

function score(metric: StandInIndex['metric'], a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let dist = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
    dist += (a[i]! - b[i]!) ** 2;
  }
  if (metric === 'dotproduct') return dot;
  if (metric === 'euclidean') return dist;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function codeFor(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 429) return 'RESOURCE_EXHAUSTED';
  if (status === 503) return 'UNAVAILABLE';
  return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
}

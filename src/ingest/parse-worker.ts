/**
 * Worker thread entry: parses one file (parse-file.ts) and posts COPY-ready chunks to the importer, never more
 * than a few ahead of what the database has loaded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ParseJob, parseFile } from './parse-file.ts';

export type WorkerMessage =
  | { type: 'chunk'; chunk: import('./parse-file.ts').ParsedChunk }
  | { type: 'done'; catalogue: import('./parse-file.ts').CatalogueRows }
  | { type: 'error'; message: string; code?: string };

const AHEAD = 3;
const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | null = null;
port.on('message', (message: { type: 'credit' }) => {
  if (message.type === 'credit') {
    inFlight--;
    wake?.();
    wake = null;
  }
});

try {
  const catalogue = await parseFile(workerData as ParseJob, async (chunk) => {
    inFlight++;
    port.postMessage({ type: 'chunk', chunk } satisfies WorkerMessage);
    while (inFlight >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
  });
  port.postMessage({ type: 'done', catalogue } satisfies WorkerMessage);
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  port.postMessage({
    type: 'error',
    message: e.message ?? String(error),
    code: e.code,
  } satisfies WorkerMessage);
}

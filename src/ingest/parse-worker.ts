/**
 * Worker thread entry: parses one file (parse-file.ts) and posts COPY-ready chunks to the importer, never more
 * than a few ahead of what the database has loaded. The importer starts it before it knows the job (starting it
 * takes ~100 ms) and sends the job when it does. It runs bundled (parser-bundle.ts): keep its imports bundleable.
 */
import { parentPort } from 'node:worker_threads';
import { type ParseJob, parseFile } from './parse-file.ts';

export type WorkerMessage =
  | { type: 'chunk'; chunk: import('./parse-file.ts').ParsedChunk }
  | { type: 'done'; catalogue: import('./parse-file.ts').CatalogueRows }
  | { type: 'error'; message: string; code?: string };

const AHEAD = 3;
const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | null = null;
export type ImporterMessage = { type: 'job'; job: ParseJob } | { type: 'credit' };

let giveJob: (job: ParseJob) => void;
const job = new Promise<ParseJob>((resolve) => (giveJob = resolve));
port.on('message', (message: ImporterMessage) => {
  if (message.type === 'job') giveJob(message.job);
  else if (message.type === 'credit') {
    inFlight--;
    wake?.();
    wake = null;
  }
});

try {
  const catalogue = await parseFile(await job, async (chunk) => {
    inFlight++;
    // The events' bytes move to the importer instead of being copied (RowWriter has let go of them).
    const transfer = chunk.events.byteLength > 0 ? [chunk.events.buffer as ArrayBuffer] : [];
    port.postMessage({ type: 'chunk', chunk } satisfies WorkerMessage, transfer);
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

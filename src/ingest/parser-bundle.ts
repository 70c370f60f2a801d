/**
 * The parser worker's code as one ES module, bundled in memory by esbuild on first use. A worker thread does
 * not inherit the main thread's TypeScript loader: registering tsx in it took 180-300 ms of every import
 * (a loader thread, and each module compiled on its way in), against ~100 ms to start the bundle.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = new URL('./parse-worker.ts', import.meta.url);

let bundled: Promise<URL> | undefined;

/** A `data:` URL of the bundled worker, built once per process. */
export function parserWorkerUrl(): Promise<URL> {
  bundled ??= bundle().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function bundle(): Promise<URL> {
  const result = await build({
    entryPoints: [fileURLToPath(ENTRY)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // A bundled CommonJS package (papaparse) may call require for a Node built-in: give it one, resolving
    // from where the source lives (a data: URL has no location of its own).
    banner: {
      js: `import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(${JSON.stringify(ENTRY.href)});`,
    },
  });
  const code = result.outputFiles[0]!.contents;
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

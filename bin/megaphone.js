#!/usr/bin/env node
// Runs the TypeScript sources with no build step, so `npx megaphone` works right after `npm ci`. esbuild bundles
// them under node_modules/.cache/megaphone, again whenever a source file is newer than the bundle (~0.3 s; the
// check takes a few ms). Loading the sources through tsx's loader instead took 1.8-2.5 s of every command's
// start-up here, against ~0.7 s: each module, ours and the packages', went through the loader's thread.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['src', 'commands', 'db'].map((dir) => join(ROOT, dir));
const CACHE = join(ROOT, 'node_modules', '.cache', 'megaphone');
/** Names the folder of the current build; its modification time is when that build began. */
const CURRENT = join(CACHE, 'current');
/** Older builds are removed after this long: a process started from one may still load its chunks lazily. */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;

/** The latest modification time of a TypeScript file under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      latest = Math.max(latest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return latest;
}

/** The entry module of the current build, if no source is newer than it. */
function freshBuild() {
  try {
    const began = statSync(CURRENT).mtimeMs;
    if (!SOURCES.every((dir) => newest(dir) < began)) return null;
    return join(CACHE, readFileSync(CURRENT, 'utf8').trim(), 'cli.mjs');
  } catch {
    return null;
  }
}

// Each source keeps its own location: files, prompts, fonts and migrations are found next to the source that
// names them (import.meta.url), not next to the bundle.
const ownLocation = {
  name: 'own-location',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

async function rebuild() {
  // Stamped with when the build began: a source saved while it ran makes the next start build again.
  const began = new Date();
  const name = `build-${began.getTime().toString(36)}-${process.pid}`;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { cli: join(ROOT, 'src', 'cli', 'main.ts') },
    bundle: true,
    // Code reached only through import() stays in chunks of its own, loaded when used, and so do the
    // packages it imports (Slack, Discord, Pinecone, the OpenAI SDK): packages load from node_modules.
    splitting: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    outdir: join(CACHE, name),
    outExtension: { '.js': '.mjs' },
    write: false,
    logLevel: 'error',
    plugins: [ownLocation],
  });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
  }
  // The pointer moves in one rename: another megaphone starting meanwhile uses either the old build or this.
  const aside = `${CURRENT}.${process.pid}`;
  writeFileSync(aside, name);
  utimesSync(aside, began, began);
  renameSync(aside, CURRENT);
  for (const entry of readdirSync(CACHE, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('build-') || entry.name === name) continue;
    const old = join(CACHE, entry.name);
    if (Date.now() - statSync(old).mtimeMs > KEEP_OLD_BUILDS_MS)
      rmSync(old, { recursive: true, force: true });
  }
  return join(CACHE, name, 'cli.mjs');
}

/** The bundle to run, or null when none can be written here (a read-only install, say). */
async function bundled() {
  const fresh = freshBuild();
  if (fresh) return fresh;
  try {
    return await rebuild();
  } catch (error) {
    if (['EACCES', 'EPERM', 'EROFS'].includes(error?.code)) return null;
    throw error;
  }
}

const entry = await bundled();
if (entry) {
  // Stack traces name the TypeScript sources.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(entry).href);
} else {
  // Slower to start, but needs nothing written.
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

/**
 * Prompts live in `prompts/<name>.md`, reviewed like code: flat front matter (purpose, version, variables)
 * and a body with `{{placeholders}}`. Rendering is strict both ways, so a renamed variable fails loudly rather
 * than sending the model a literal `{{countries}}`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MegaphoneError } from '../core/errors.ts';

export interface Prompt {
  name: string;
  purpose: string;
  version: string;
  /** Names the body may use as `{{name}}`; every one must be given to `renderPrompt`. */
  variables: string[];
  /** Every front-matter key, as text. */
  meta: Record<string, string>;
  body: string;
}

const PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Reads and checks `prompts/<name>.md`.
 *
 * @example
 * const prompt = await loadPrompt('segment-definition');
 * prompt.variables; // ['countries', 'categories', 'metrics', 'lifecycle', 'today']
 */
export async function loadPrompt(name: string, dir = PROMPTS_DIR): Promise<Prompt> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new MegaphoneError(
      'prompt_name',
      `Invalid prompt name "${name}": use lower-case letters, digits and -.`,
    );
  }
  const file = `${dir.replace(/\/?$/, '/')}${name}.md`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MegaphoneError('prompt_missing', `Prompt "${name}" not found at ${file}.`, { cause: error });
  }
  return parsePrompt(name, text);
}

/** The prompts Megaphone's code loads by name: each must exist and parse for Megaphone to start. */
export const REQUIRED_PROMPTS = [
  'segment-definition',
  'chart-request',
  'copy-draft',
  'copy-request',
] as const;

/**
 * Reads and checks every prompt in the directory (each `*.md`), and that every prompt the code loads is there,
 * so a broken prompt stops Megaphone at start rather than at first use. Fails with one error that names every
 * broken or missing file and what is wrong with it.
 *
 * @example
 * const prompts = await loadAllPrompts(); // at boot
 * prompts.map((p) => p.name); // ['chart-request', 'copy-draft', 'copy-request', 'segment-definition']
 */
export async function loadAllPrompts(
  dir = PROMPTS_DIR,
  required: readonly string[] = REQUIRED_PROMPTS,
): Promise<Prompt[]> {
  const base = dir.replace(/\/?$/, '/');
  let files: string[];
  try {
    files = (await readdir(base)).filter((f) => f.endsWith('.md')).sort();
  } catch (error) {
    throw new MegaphoneError('prompt_missing', `Cannot read the prompts directory ${base}.`, {
      cause: error,
    });
  }
  const prompts: Prompt[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const name = file.slice(0, -'.md'.length);
    try {
      prompts.push(await loadPrompt(name, base));
    } catch (error) {
      problems.push(`${base}${file}: ${(error as Error).message}`);
    }
  }
  for (const name of required) {
    if (!files.includes(`${name}.md`))
      problems.push(`${base}${name}.md: missing (Megaphone uses this prompt).`);
  }
  if (problems.length) {
    throw new MegaphoneError(
      'prompt_invalid',
      `${problems.length === 1 ? 'A prompt is' : `${problems.length} prompts are`} broken, so Megaphone cannot start:\n${problems.map((p) => `- ${p}`).join('\n')}\nFix the file${problems.length === 1 ? '' : 's'} (front matter between --- lines with purpose, version and variables; every {{placeholder}} declared) and start again.`,
    );
  }
  return prompts;
}

/**
 * Parses a prompt file's text (front matter between `---` lines, then the body).
 *
 * @example
 * parsePrompt('hi', '---\npurpose: greet\nversion: 1\nvariables: [who]\n---\nHello {{who}}').variables; // ['who']
 */
export function parsePrompt(name: string, text: string): Prompt {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m)
    throw new MegaphoneError('prompt_format', `Prompt "${name}" has no front matter between --- lines.`);
  const meta: Record<string, string> = {};
  for (const [i, line] of m[1]!.split(/\r?\n/).entries()) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!kv) {
      throw new MegaphoneError(
        'prompt_format',
        `Prompt "${name}", front matter line ${i + 2}: expected "key: value".`,
      );
    }
    meta[kv[1]!] = unquote(kv[2]!.trim());
  }
  for (const key of ['purpose', 'version', 'variables']) {
    if (meta[key] === undefined) {
      throw new MegaphoneError('prompt_format', `Prompt "${name}" front matter lacks "${key}".`);
    }
  }
  const variables = meta
    .variables!.replace(/^\[|\]$/g, '')
    .split(',')
    .map((v) => unquote(v.trim()))
    .filter(Boolean);
  const body = m[2]!.trim();
  const undeclared = placeholders(body).filter((p) => !variables.includes(p));
  if (undeclared.length) {
    throw new MegaphoneError(
      'prompt_format',
      `Prompt "${name}" uses undeclared placeholders: ${undeclared.join(', ')} (declared: ${variables.join(', ') || 'none'}).`,
    );
  }
  return { name, purpose: meta.purpose!, version: meta.version!, variables, meta, body };
}

/**
 * Fills the placeholders in one pass (a value containing `{{x}}` stays as it is).
 *
 * @example
 * renderPrompt(prompt, { countries: 'EIRE, Germany', categories: '...', metrics: '...', lifecycle: '...', today: '2011-12-09' });
 */
export function renderPrompt(prompt: Prompt, vars: Record<string, string>): string {
  const missing = prompt.variables.filter((v) => vars[v] === undefined);
  if (missing.length) {
    throw new MegaphoneError(
      'prompt_render',
      `Prompt "${prompt.name}" needs values for: ${missing.join(', ')}.`,
    );
  }
  const undeclared = placeholders(prompt.body).filter((p) => !prompt.variables.includes(p));
  if (undeclared.length) {
    throw new MegaphoneError(
      'prompt_render',
      `Prompt "${prompt.name}" uses undeclared placeholders: ${undeclared.join(', ')}.`,
    );
  }
  return prompt.body.replace(PLACEHOLDER, (_, key: string) => vars[key]!);
}

function placeholders(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

function unquote(value: string): string {
  return /^(['"]).*\1$/.test(value) ? value.slice(1, -1) : value;
}

/**
 * A loader that reads one prompt file once per process, and reads it again after a failure (a file fixed
 * while Megaphone runs is picked up on the next request).
 *
 * @example
 * const chartPrompt = promptOnce('chart-request');
 * const prompt = await chartPrompt();
 */
export function promptOnce(name: string): () => Promise<Prompt> {
  let cached: Promise<Prompt> | undefined;
  return () =>
    (cached ??= loadPrompt(name).catch((error: unknown) => {
      cached = undefined;
      throw error;
    }));
}

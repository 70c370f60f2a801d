/**
 * Prompts live in `prompts/<name>.md`, reviewed like code: flat front matter (purpose, version, variables)
 * and a body with `{{placeholders}}`. Rendering is strict both ways, so a renamed variable fails loudly rather
 * than sending the model a literal `{{countries}}`.
 */
import { readFile } from 'node:fs/promises';
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

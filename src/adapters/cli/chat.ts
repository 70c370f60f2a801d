import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { Caller } from '../../core/command.ts';
import type { Reply } from '../../core/reply.ts';
import type { Router } from '../../core/router.ts';
import { renderReply } from './render.ts';

export interface CliAdapterOptions {
  router: Router;
  input: Readable;
  output: Writable;
  /** Shown once before the first prompt. */
  banner?: string;
  userId?: string;
  /** Where attachments (exports, charts) are written; default ./exports. */
  attachmentsDir?: string;
}

/**
 * The terminal chat: one conversation per session, every line a message to the router. `exit`, `quit` or
 * end of input close it.
 *
 * @example
 * await createCliAdapter({ router, input: process.stdin, output: process.stdout }).run();
 */
export function createCliAdapter(options: CliAdapterOptions) {
  const { router, input, output } = options;
  const caller: Caller = {
    platform: 'cli',
    userId: options.userId ?? 'terminal',
    conversationId: `cli:${Date.now().toString(36)}:${process.pid}`,
  };
  return {
    caller,
    async run(): Promise<void> {
      const terminal = Boolean((output as { isTTY?: boolean }).isTTY);
      const rl = createInterface({ input, output, terminal });
      if (options.banner) output.write(`${options.banner}\n`);
      rl.setPrompt('you> ');
      rl.prompt();
      for await (const line of rl) {
        const text = line.trim();
        if (['exit', 'quit', ':q'].includes(text.toLowerCase())) break;
        if (text !== '') {
          const reply = await router.handle(text, caller);
          const attachmentPaths = await saveAttachments(reply, options.attachmentsDir ?? 'exports');
          output.write(`${renderReply(reply, { attachmentPaths })}\n\n`);
        }
        rl.prompt();
      }
      rl.close();
    },
  };
}

/** The terminal has no file upload: attachments become files, and the reply shows their paths. */
export async function saveAttachments(reply: Reply, dir: string): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  if (!reply.attachments?.length) return paths;
  await mkdir(dir, { recursive: true });
  for (const a of reply.attachments) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    paths[a.filename] = await writeNew(dir, `${stamp}-${a.filename}`, a.data);
  }
  return paths;
}

/**
 * Writes a file that does not exist yet: `name`, else `name` with -2, -3... before its extension. Two charts
 * asked for within one second used to share a name, and the second overwrote the first.
 */
async function writeNew(dir: string, name: string, data: Uint8Array): Promise<string> {
  const dot = name.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? name : `${base}-${n}${ext}`);
    try {
      await writeFile(path, data, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { Caller } from '../../core/command.ts';
import type { Router } from '../../core/router.ts';
import { renderReply } from './render.ts';

export interface CliAdapterOptions {
  router: Router;
  input: Readable;
  output: Writable;
  /** Shown once before the first prompt. */
  banner?: string;
  userId?: string;
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
          output.write(`${renderReply(reply)}\n\n`);
        }
        rl.prompt();
      }
      rl.close();
    },
  };
}

/** Runs the real `megaphone` bin in a child process, as a user would, with only the environment given. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/megaphone.js', import.meta.url));

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * @example
 * const { code, stdout } = await megaphone(['stats', '--json'], { MEGAPHONE_DATA_DIR: dir });
 * await megaphone(['chat'], { MEGAPHONE_DATA_DIR: dir }, 'stats\n'); // answers, then ends with the input
 */
export function megaphone(args: string[], env: Record<string, string>, input?: string): Promise<BinResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    // Typed at the terminal chat's prompt; the end of input closes the chat like Ctrl+D.
    child.stdin?.end(input ?? '');
  });
}

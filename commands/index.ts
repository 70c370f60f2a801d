/** Every chat command, one file each. Adding a command = adding a file and listing it here. */
import type { AnyCommand } from '../src/core/command.ts';
import help from './help.ts';
import stats from './stats.ts';

export const commands: readonly AnyCommand[] = [help, stats];

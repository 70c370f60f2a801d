/**
 * Every chat command, one file each. Order matters twice: command words are matched longest first, and
 * free text goes to the first command that claims it.
 */
import type { AnyCommand } from '../src/core/command.ts';
import chart from './chart.ts';
import help from './help.ts';
import recommend from './recommend.ts';
import segment from './segment.ts';
import compare from './segment-compare.ts';
import deleteSegment from './segment-delete.ts';
import exportSegment from './segment-export.ts';
import group from './segment-group.ts';
import save from './segment-save.ts';
import showSegment from './segment-show.ts';
import segments from './segments.ts';
import discover from './segments-discover.ts';
import similar from './similar.ts';
import stats from './stats.ts';

export const commands: readonly AnyCommand[] = [
  help,
  stats,
  discover,
  similar,
  chart,
  recommend,
  segment,
  save,
  segments,
  showSegment,
  deleteSegment,
  compare,
  exportSegment,
  group,
];

/**
 * Every chat command, one file each. Order matters twice: command words are matched longest first, and
 * free text goes to the first command that claims it.
 */
import type { AnyCommand } from '../src/core/command.ts';
import brand from './brand.ts';
import chart from './chart.ts';
import copy from './copy.ts';
import createDigest from './digest-create.ts';
import deleteDigest from './digest-delete.ts';
import pauseDigest from './digest-pause.ts';
import previewDigest from './digest-preview.ts';
import resumeDigest from './digest-resume.ts';
import runDigest from './digest-run.ts';
import digests from './digests.ts';
import approveDraft from './draft-approve.ts';
import editDraft from './draft-edit.ts';
import exportDraft from './draft-export.ts';
import regenerateDraft from './draft-regenerate.ts';
import rejectDraft from './draft-reject.ts';
import drafts from './drafts.ts';
import figures from './figures.ts';
import help from './help.ts';
import prospects from './prospects.ts';
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
import together from './together.ts';

export const commands: readonly AnyCommand[] = [
  help,
  stats,
  discover,
  // Before chart and segment: "every Monday at 9:00 ... digest to #marketing" is a schedule, not an audience.
  createDigest,
  similar,
  // Before chart and recommend: "what do people buy with candles?" and "cross-sells for candles" name products
  // to find partners for, not an audience's top products or recommendations.
  together,
  // Before segments: "customers likely to buy candles" ranks customers for products, not an audience's filter.
  prospects,
  // Before chart and segment: "how many orders last week?" asks for a figure, not an audience.
  figures,
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
  digests,
  pauseDigest,
  resumeDigest,
  deleteDigest,
  runDigest,
  previewDigest,
  copy,
  approveDraft,
  rejectDraft,
  regenerateDraft,
  editDraft,
  exportDraft,
  drafts,
  brand,
];

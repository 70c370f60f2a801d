import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { describeRun, describeSchedule, describeTarget, nextRunText } from '../src/digests/reply.ts';
import { latestRuns, listDigests } from '../src/digests/service.ts';

export default defineCommand({
  name: 'digests',
  description: 'List scheduled digests: when, where, and how the last one went',
  examples: ['digests'],
  aliases: ['list digests', 'show digests', 'scheduled digests'],
  args: z.object({}),
  async run(ctx) {
    const all = await listDigests(ctx.database);
    if (all.length === 0) {
      return {
        text: 'No digests are scheduled yet. Say e.g. "every Monday at 9:00 Europe/London post a weekly digest to #marketing".',
      };
    }
    const runs = await latestRuns(ctx.database);
    const now = new Date();
    const failed = all.filter((d) => runs.get(d.id)?.status === 'failed').length;
    return {
      title: `${all.length} scheduled digest${all.length === 1 ? '' : 's'}`,
      table: {
        columns: ['Name', 'Schedule', 'Posts to', 'Next', 'Last'],
        rows: all.map((d) => [
          d.name,
          describeSchedule(d),
          describeTarget(d),
          nextRunText(d, now),
          describeRun(runs.get(d.id), d.timezone),
        ]),
      },
      ...(failed ? { tone: 'warning' as const } : {}),
      context:
        'Say "preview digest NAME", "run digest NAME", "pause digest NAME", "resume digest NAME" or "delete digest NAME".',
    };
  },
});

import { z } from 'zod';
import { renderContent } from '../src/copy/channels.ts';
import { DRAFT_STATUSES, listDrafts } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'drafts',
  description: 'Recent copy drafts with their status, or only approved / rejected / open ones',
  examples: ['drafts', 'drafts approved'],
  aliases: ['list drafts', 'copy drafts'],
  args: z.object({
    status: z.enum(DRAFT_STATUSES, { message: 'say draft, approved or rejected' }).optional(),
  }),
  parse: (text) => {
    const s = text.trim().toLowerCase();
    return { status: s === '' ? undefined : s === 'open' ? 'draft' : s };
  },
  async run(ctx, { status }) {
    const drafts = await listDrafts(ctx.database, { status, limit: 20 });
    if (drafts.length === 0) {
      return {
        reply: {
          tone: 'info',
          text: status ? `No ${status} drafts.` : 'No drafts yet. Try "draft an email for lapsed customers".',
        },
      };
    }
    return {
      reply: {
        title: `${drafts.length} recent draft${drafts.length === 1 ? '' : 's'}${status ? ` (${status})` : ''}`,
        table: {
          columns: ['#', 'Channel', 'Status', 'For', 'Opening', 'By', 'When'],
          rows: drafts.map((d) => [
            d.id,
            d.channel,
            d.status,
            d.segment,
            renderContent(d.content).split('\n')[0]!.slice(0, 60),
            d.actedBy ?? d.createdBy,
            (d.actedAt ?? d.createdAt).toISOString().slice(0, 16).replace('T', ' '),
          ]),
        },
      },
    };
  },
});

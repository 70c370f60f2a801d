import { z } from 'zod';
import { draftId } from '../src/copy/ids.ts';
import { indexApproved } from '../src/copy/similar.ts';
import { approveDraft } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'approve draft',
  description: 'Approve a copy draft (it can then be exported)',
  examples: ['approve draft 12'],
  aliases: ['approve'],
  args: z.object({ id: draftId }),
  parse: (text) => ({ id: text }),
  async run(ctx, { id }) {
    const draft = await approveDraft(ctx.database, id, `${ctx.caller.platform}:${ctx.caller.userId}`);
    // Later drafts are compared with approved copy; a store that is not available only costs that check.
    const notIndexed = await indexApproved(ctx.database, ctx.config, draft).catch((error: unknown) => {
      ctx.log.warn({ err: error, draft: draft.id }, 'approved draft not indexed for near-duplicate checks');
      return 'the vector store failed';
    });
    return {
      reply: {
        tone: 'success',
        text: `Approved draft #${draft.id} (${draft.channel} for ${draft.segment}).`,
        buttons: [
          { action: 'export draft', value: `${draft.id}`, label: 'Export text' },
          { action: 'export draft', value: `${draft.id} json`, label: 'Export JSON' },
        ],
        context:
          `approved by ${draft.actedBy} at ${draft.actedAt?.toISOString().slice(0, 16).replace('T', ' ')} UTC` +
          (notIndexed ? ` · not added to the near-duplicate check (${notIndexed.replace(/\.$/, '')})` : ''),
      },
    };
  },
});

import { z } from 'zod';
import { draftId } from '../src/copy/ids.ts';
import { rejectDraft } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'reject draft',
  description: 'Reject a copy draft',
  examples: ['reject draft 12'],
  args: z.object({ id: draftId }),
  parse: (text) => ({ id: text }),
  async run(ctx, { id }) {
    const draft = await rejectDraft(ctx.database, id, `${ctx.caller.platform}:${ctx.caller.userId}`);
    return {
      reply: { tone: 'info', text: `Rejected draft #${draft.id}.` },
    };
  },
});

import { z } from 'zod';
import { draftId } from '../src/copy/ids.ts';
import { draftsReply } from '../src/copy/reply.ts';
import { currentBrand } from '../src/copy/request.ts';
import { checkNearDuplicates } from '../src/copy/similar.ts';
import { regenerateDraft } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'regenerate draft',
  description: 'Replace a copy draft with a new one for the same request (the old one is rejected)',
  examples: ['regenerate draft 12'],
  aliases: ['regenerate'],
  args: z.object({ id: draftId }),
  parse: (text) => ({ id: text }),
  async run(ctx, { id }) {
    const { drafts, notices } = await regenerateDraft(
      {
        database: ctx.database,
        brand: await currentBrand(ctx.config.brandFile, ctx.database),
        llm: ctx.llm,
        log: ctx.log,
      },
      id,
      `${ctx.caller.platform}:${ctx.caller.userId}`,
    );
    const similar = await checkNearDuplicates(ctx.database, ctx.config, drafts, ctx.log);
    return {
      reply: draftsReply(drafts, {
        notices,
        title: `New draft for #${id} (rejected)`,
        similar: similar.notes,
        ...(similar.skipped ? { skippedSimilarity: similar.skipped } : {}),
      }),
    };
  },
});

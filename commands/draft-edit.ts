import { z } from 'zod';
import { textFields } from '../src/copy/channels.ts';
import { draftId } from '../src/copy/ids.ts';
import { draftsReply } from '../src/copy/reply.ts';
import { currentBrand } from '../src/copy/request.ts';
import { checkNearDuplicates } from '../src/copy/similar.ts';
import { editDraft, getDraft } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'edit draft',
  description: 'Change one field of a copy draft ("edit draft 12 subject: new words"); the edit is checked',
  examples: ['edit draft 12 subject: Our Christmas lights are here', 'edit draft 12'],
  args: z.object({
    id: draftId,
    field: z.string().trim().optional(),
    value: z.string().max(2000, 'keep it under 2,000 characters').optional(),
  }),
  parse: (text) => {
    const m = /^#?(\S+)\s*(?:([A-Za-z]+)\s*[:=]\s*([\s\S]*))?$/.exec(text.trim());
    return m ? { id: m[1], field: m[2], value: m[3] } : { id: text };
  },
  async run(ctx, { id, field, value }) {
    const who = `${ctx.caller.platform}:${ctx.caller.userId}`;
    if (!field || value === undefined) {
      // The Edit button: show the fields and how to change one.
      const draft = await getDraft(ctx.database, id);
      const fields = textFields(draft.content);
      return {
        reply: {
          title: `Editing draft #${id}`,
          text: `Reply with the field and the new words, e.g. "edit draft ${id} ${fields[0]![0]}: ...". The edit is checked against the limits, the brand and the facts.`,
          fields: fields.map(([f, v]) => ({ label: f, value: v })),
        },
      };
    }
    const draft = await editDraft(
      {
        database: ctx.database,
        brand: await currentBrand(ctx.config.brandFile, ctx.database),
        llm: ctx.llm,
        log: ctx.log,
      },
      id,
      field,
      value,
      who,
    );
    const similar = await checkNearDuplicates(ctx.database, ctx.config, [draft], ctx.log);
    return {
      reply: draftsReply([draft], {
        title: `Draft #${id} edited`,
        similar: similar.notes,
        ...(similar.skipped ? { skippedSimilarity: similar.skipped } : {}),
      }),
    };
  },
});

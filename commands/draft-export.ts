import { z } from 'zod';
import { draftId } from '../src/copy/ids.ts';
import { exportDraft } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'export draft',
  description: 'Export an approved copy draft as text (default) or JSON',
  examples: ['export draft 12', 'export draft 12 json'],
  args: z.object({
    id: draftId,
    format: z.enum(['text', 'json'], { message: 'say text or json' }).default('text'),
  }),
  parse: (text) => {
    const [id, format] = text.trim().split(/\s+/);
    return { id, format: format?.toLowerCase().replace(/^as$/, '') || undefined };
  },
  async run(ctx, { id, format }) {
    const file = await exportDraft(ctx.database, id, format);
    return {
      reply: {
        text: `Draft #${id} (${file.draft.channel}, approved by ${file.draft.actedBy}).`,
        attachments: [{ filename: file.filename, mimeType: file.mimeType, data: file.data }],
      },
    };
  },
});

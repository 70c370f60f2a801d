import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';

export default defineCommand({
  name: 'help',
  description: 'What Megaphone can do, with examples',
  examples: ['help', 'help stats'],
  aliases: ['?', 'commands'],
  args: z.object({ topic: z.string().optional() }),
  parse: (text) => ({ topic: text || undefined }),
  async run(ctx, { topic }) {
    const chosen = topic ? ctx.commands.filter((c) => c.name === topic.toLowerCase()) : ctx.commands;
    if (topic && chosen.length === 0) {
      return {
        tone: 'warning',
        text: `There is no command "${topic}". Commands: ${ctx.commands.map((c) => c.name).join(', ')}.`,
      };
    }
    return {
      title: topic ? `Megaphone: ${chosen[0]!.name}` : 'Megaphone: what I can do',
      text: topic
        ? chosen[0]!.description
        : 'Ask in plain words. Each answer can be refined in the same thread.',
      table: {
        columns: ['Command', 'What it does', 'Try'],
        rows: chosen.map((c) => [c.name, c.description, c.examples[0] ?? c.name]),
      },
    };
  },
});

/** The first of some patterns that `text` matches, and the match; null when none does. */
export function firstCue(cues: readonly RegExp[], text: string): RegExpExecArray | null {
  for (const cue of cues) {
    const m = cue.exec(text);
    if (m) return m;
  }
  return null;
}

/** Everyone: "which customers…", "what do people buy…" name no audience. */
const EVERYONE = /^(?:people|customers|shoppers|buyers|clients|users|they|folks)$/i;

/**
 * The audience said, without the words around it ("our lapsed customers" → "lapsed customers", "the
 * lapsed-germans segment" → "lapsed-germans"); undefined when it is everyone.
 *
 * @example
 * audienceSaid('of our German customers'); // 'German customers'
 * audienceSaid('people'); // undefined
 */
export function audienceSaid(said: string | undefined): string | undefined {
  const who = said
    ?.trim()
    .replace(/^(?:of\s+)?(?:the|our|all|all\s+our|all\s+the)\s+/i, '')
    .replace(/\s+(?:segment|audience|group)$/i, '')
    .trim();
  return who && !EVERYONE.test(who) ? who : undefined;
}

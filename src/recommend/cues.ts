/** The first of some patterns that `text` matches, and the match; null when none does. */
export function firstCue(cues: readonly RegExp[], text: string): RegExpExecArray | null {
  for (const cue of cues) {
    const m = cue.exec(text);
    if (m) return m;
  }
  return null;
}

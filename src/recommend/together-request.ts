/**
 * Reads "what goes well with candles?", "what do people buy with 85123A?", "frequently bought together with
 * tea lights last quarter", "top 5 cross-sells for Christmas items" into the `together` command's arguments.
 */

import { takePeriod } from '../charts/request.ts';
import { audienceSaid, firstCue } from './cues.ts';

export interface TogetherRequest {
  /** The products named, as said: read against the catalogue by the command, as segments read them. */
  goods?: string;
  k?: number;
  /** Whose orders, as said ("German customers", "lapsed-germans"): read by the command as an audience. */
  who?: string;
  /** The period, as said ("last quarter"): read by the command, so a Discord option can say it too. */
  when?: string;
  /** The pairs bought together most, no products named ("which products are bought together most?"). */
  pairs?: boolean;
}

/**
 * Pairs asked for, no products named: "which products are bought together most?", "what sells together?",
 * "bundle ideas", "top product pairs", "best bundles".
 */
const PAIRS =
  /\b(?:which|what)\s+(?:products|items|things)\s+(?:are|get)\s+(?:most\s+often\s+|often\s+|usually\s+|most\s+|frequently\s+)?(?:bought|ordered|sold|purchased)\s+together\b|\bwhat\s+(?:sells|goes|is\s+bought|gets\s+bought)\s+together\b|\b(?:top|best|good)?\s*(?:product\s+)?(?:pairs|pairings|bundles|bundle\s+ideas)\b(?!\s+(?:with|for)\s+(?![^?!.]*\b(?:customers?|buyers?|shoppers?|spenders?|clients?|people|segment|audience)\b))|\bfrequently\s+bought\s+together\s*$/i;

/** An audience after the products: "candles among customers in Germany", "candles for the lapsed segment". */
const AUDIENCE_AFTER =
  /\s+(?:among|for|by|from)\s+(?<who>[^?!]*\b(?:customers?|buyers?|shoppers?|spenders?|clients?|segment|audience|people)\b[^?!]*)$/i;
/** The words before the products named. Each ends where the products begin. */
const CUES = [
  // "what goes (well) with", "what pairs with", "what sells well with", "what else goes with"
  /\bwhat(?:'s|\s+else)?\s+(?:goes|go|pairs?|sells?)\s+(?:well\s+|best\s+|nicely\s+)?(?:together\s+)?with\b/i,
  // "what do people buy with", "what else do customers order alongside", "what do German customers buy with"
  /\bwhat\s+(?:else\s+)?(?:do|does|did|would)\s+(?<who>[^?!.]{1,80}?)\s+(?:also\s+|usually\s+|often\s+)?(?:buy|order|get|purchase|add)\s+(?:along\s+)?(?:with|alongside)\b/i,
  // "(frequently) bought together with", "what is often bought with", "products ordered alongside"
  /\b(?:often|usually|also|commonly|frequently|mostly)?\s*(?:bought|ordered|purchased|sold)\s+(?:together\s+)?(?:with|alongside)\b/i,
  // "cross-sells for", "cross-sell ideas with", "what to bundle with", "bundles for"
  /\bcross[- ]?sells?\s+(?:ideas?\s+|products?\s+|items?\s+)?(?:with|for)\b/i,
  /\bbundles?\s+(?:ideas?\s+)?(?:with|for)\b/i,
  // "things that go with", "products that pair well with"
  /\b(?:products?|items?|things?|goods)\s+(?:that\s+)?(?:go|goes|pair|pairs|sell)\s+(?:well\s+|best\s+)?with\b/i,
  // "what else do people buy when they buy", "what do shoppers add when they order"
  /\bwhat\s+(?:else\s+)?(?:do|does|did)\s+(?:people|customers|shoppers|buyers|they)\s+(?:also\s+)?(?:buy|order|get|add)\s+when\s+(?:they|he|she)\s+(?:buy|order|get|purchase)\b/i,
  // "what do customers who buy candles also buy": the products are in the middle, read by MIDDLE below.
  /\bwhat\s+(?:else\s+)?(?:do|does|did)\s+(?:people|customers|shoppers|buyers)\s+who\s+(?:buy|bought|order|ordered)\s+[^?!.]+?\s+(?:also\s+|usually\s+|often\s+)?(?:buy|order|get)\b/i,
  // "which products are (most often) bought together", "what sells together", "bundle ideas": pairs.
  PAIRS,
];

/** "what do customers who buy candles also buy": the products named between the two verbs. */
const MIDDLE =
  /\bwho\s+(?:buy|bought|order|ordered)\s+(?<goods>[^?!.]+?)\s+(?:also\s+|usually\s+|often\s+)?(?:buy|order|get)\b/i;

/** A cue in `text`, or null. */
export function togetherCue(text: string): RegExpExecArray | null {
  return firstCue(CUES, text);
}

/**
 * @example
 * parseTogetherRequest('what goes well with candles last quarter?');
 * // { goods: 'candles', when: 'last quarter' }
 */
export function parseTogetherRequest(text: string): TogetherRequest {
  const out: TogetherRequest = {};
  const said = text.replace(/\s+/g, ' ').trim();
  const taken = takePeriod(said);
  let rest = taken.rest;
  if (taken.period || taken.problem) {
    const when = removed(said, rest);
    if (when) out.when = when;
  }
  // "top 5" anywhere ("bought together with candles, top 5"), else a number before the words that ask.
  const top = /,?\s*\b(?:top|best)\s+(\d{1,3})\b/i.exec(rest);
  if (top) {
    out.k = Number(top[1]);
    rest = `${rest.slice(0, top.index)} ${rest.slice(top.index + top[0].length)}`.trim();
  }
  const cue = togetherCue(rest);
  const count = top ? null : /\b(\d{1,3})\b/.exec(cue ? rest.slice(0, cue.index) : '');
  if (count) out.k = Number(count[1]);
  const who = audienceSaid(cue?.groups?.who);
  if (who) out.who = who;
  const middle = cue && MIDDLE.exec(cue[0]);
  // Pairs when the words that ask are those asking for pairs (not "what pairs with…").
  const asked = PAIRS.exec(rest);
  if (cue && asked?.index === cue.index) {
    out.pairs = true;
    // What follows pairs is only ever an audience: "best product pairs for German customers".
    const after = rest
      .slice(asked.index + asked[0].length)
      .replace(/[?!.]+\s*$/, '')
      .trim();
    const whose = audienceSaid(/^(?:for|among|by|from)\s+(?<who>.+)$/i.exec(after)?.groups?.who);
    if (whose && !out.who) out.who = whose;
    return out;
  }
  let goods = (middle?.groups?.goods ?? (cue ? rest.slice(cue.index + cue[0].length) : rest))
    .replace(/[?!.]+\s*$/, '')
    .trim()
    // After a command word ("bought together| with candles").
    .replace(/^(?:with|alongside|for)(?:\s+|$)/i, '')
    .replace(/^(?:the|a|an|our|some|any)\s+/i, '')
    // "our new Christmas range": what is new is said by the products, not the word.
    .replace(/^new\s+(?=\S+\s+\S)/i, '');
  const after = AUDIENCE_AFTER.exec(goods);
  const whoAfter = audienceSaid(after?.groups?.who);
  if (after && whoAfter && !out.who) {
    out.who = whoAfter;
    goods = goods.slice(0, after.index).trim();
  }
  if (goods) out.goods = goods;
  return out;
}

/** The words taken out of `before` to leave `after` (one stretch, its spaces collapsed). */
function removed(before: string, after: string): string {
  let start = 0;
  while (start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end])
    end++;
  return before
    .slice(start, before.length - end)
    .trim()
    .replace(/[?!.,]+$/, '');
}

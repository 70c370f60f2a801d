/**
 * Reads "which customers are likely to buy candles?", "who would buy Christmas items?", "top 50 prospects for
 * 85123A", "which lapsed customers are most likely to buy garden products?" into the `prospects` command's
 * arguments.
 */
import { audienceSaid, firstCue } from './cues.ts';

export interface ProspectsRequest {
  /** The products, as said: read against the catalogue by the command, as segments read them. */
  goods?: string;
  /** Whose customers, as said ("lapsed customers", "German customers"): read by the command as an audience. */
  who?: string;
  k?: number;
}

const BUY = '(?:buy|order|purchase|want|like|be\\s+interested\\s+in|go\\s+for)';
/** The words that ask, each ending where the products begin; `who` is the audience when one is said. */
const CUES = [
  // "which customers are (most) likely to buy", "which lapsed customers would be likely to order"
  new RegExp(
    `\\b(?:which|what)\\s+(?<who>[^?!.]{1,80}?)\\s+(?:are|is|would\\s+be|will\\s+be|might\\s+be)\\s+(?:the\\s+)?(?:most\\s+|more\\s+)?likely\\s+to\\s+${BUY}\\b`,
    'i',
  ),
  // "which customers would buy", "which German customers will want"
  new RegExp(`\\b(?:which|what)\\s+(?<who>[^?!.]{1,80}?)\\s+(?:would|will|might|could)\\s+${BUY}\\b`, 'i'),
  // "customers who would like candles", "people who might want mugs"
  new RegExp(
    `^(?:(?:show|list|find)\\s+(?:me\\s+)?)?(?:the\\s+)?(?:top\\s+\\d{1,6}\\s+|\\d{1,6}\\s+)?(?<who>[^?!.]{0,80}?\\b(?:customers|people|shoppers|buyers|clients|spenders))\\s+(?:who|that)\\s+(?:would|might|will|could)\\s+(?:probably\\s+|likely\\s+)?${BUY}\\b`,
    'i',
  ),
  // "who is likely to buy", "who's most likely to order", "who would buy", "who will want"
  new RegExp(
    `\\bwho(?:'s|\\s+is|\\s+are)?\\s+(?:(?:the\\s+)?(?:most\\s+|more\\s+)?likely\\s+to|would|will|might|could)\\s+${BUY}\\b`,
    'i',
  ),
  // "customers (most) likely to buy", "German customers likely to order"
  new RegExp(
    `^(?:(?:show|list|find|get)\\s+(?:me\\s+)?)?(?:the\\s+)?(?:top\\s+\\d{1,6}\\s+|\\d{1,6}\\s+)?(?<who>[^?!.]{0,80}?\\b(?:customers|people|shoppers|buyers|clients|spenders))\\s+(?:most\\s+|more\\s+)?likely\\s+to\\s+${BUY}\\b`,
    'i',
  ),
  // "prospects for", "propensity to buy", "who should we target with", "who to email about"
  /\b(?:best\s+)?(?:prospects|targets|leads)\s+(?:for|to\s+buy)\b/i,
  /\bpropensity\s+(?:to\s+buy|for)\b/i,
  /\bwho\s+(?:should\s+(?:we|i)\s+|to\s+)(?:target|email|pitch|contact|mail)\s+(?:with|for|about)\b/i,
  // "which customers should get the candle email": the products are in the middle, read by CAMPAIGN below.
  /\b(?:which|what)\s+[^?!.]{1,80}?\s+should\s+(?:get|receive|be\s+sent)\s+(?:the|our|a|an)\s+[^?!.]+?\s+(?:email|e-mail|campaign|offer|promo|promotion|newsletter|mailing|sms|text|push)\b/i,
];

/** "which customers should get the candle email": the products between the article and the channel. */
const CAMPAIGN =
  /\b(?:which|what)\s+(?<who>[^?!.]{1,80}?)\s+should\s+(?:get|receive|be\s+sent)\s+(?:the|our|a|an)\s+(?<goods>[^?!.]+?)\s+(?:email|e-mail|campaign|offer|promo|promotion|newsletter|mailing|sms|text|push)\b/i;

/**
 * "which customers haven't bought candles but are likely to?", "customers who never bought mugs but would":
 * the products are what they have not bought, and those customers are the audience.
 */
const NOT_YET = new RegExp(
  `^(?:(?:which|what|show|list|find)\\s+(?:me\\s+)?)?(?:the\\s+)?(?:top\\s+\\d{1,6}\\s+|\\d{1,6}\\s+)?(?<who>[^?!.]{0,80}?)\\s+(?:(?:who|that)\\s+)?(?:haven't|have\\s+not|never|didn't|did\\s+not|hasn't|has\\s+not)\\s+(?:yet\\s+|ever\\s+)?(?:bought|ordered|purchased)\\s+(?:any\\s+)?(?<goods>[^?!.]+?)\\s+(?:yet\\s+)?(?:but|and)\\s+(?:(?:are|is|would\\s+be|might\\s+be|could\\s+be|would|might|could)(?:\\s+probably)?|probably\\s+would)\\s*(?:(?:the\\s+)?(?:most\\s+|more\\s+)?likely\\s+to)?(?:\\s+${BUY}(?:\\s+(?:them|it|some|one))?)?\\s*[?!.]*$`,
  'i',
);

/** A number said among the words that ask: "top 50 prospects", "the 20 customers most likely to buy". */
function countAsked(text: string): number | undefined {
  const count = /\b(?:top|best|the)\s+(\d{1,6})\b|^(?:show\s+(?:me\s+)?|list\s+|find\s+)?(\d{1,6})\b/i.exec(
    text,
  );
  return count ? Number(count[1] ?? count[2]) : undefined;
}

/** The words that ask in `text`, or null. */
export function prospectsCue(text: string): RegExpExecArray | null {
  return firstCue([NOT_YET, ...CUES], text);
}

/**
 * @example
 * parseProspectsRequest('which lapsed customers are most likely to buy candles?');
 * // { goods: 'candles', who: 'lapsed customers' }
 */
export function parseProspectsRequest(text: string): ProspectsRequest {
  const out: ProspectsRequest = {};
  const rest = text.replace(/\s+/g, ' ').trim();
  const notYet = NOT_YET.exec(rest);
  if (notYet?.groups?.goods) {
    const goods = notYet.groups.goods.trim().replace(/^(?:the|our)\s+/i, '');
    const k = countAsked(rest);
    return {
      goods,
      // The audience is those who have not bought them: said so, for the segment parser to read.
      who: `${audienceSaid(notYet.groups.who) ?? 'customers'} who never bought ${goods}`,
      ...(k !== undefined ? { k } : {}),
    };
  }
  const campaign = CAMPAIGN.exec(rest);
  if (campaign?.groups?.goods) {
    const who = audienceSaid(campaign.groups.who);
    return { goods: campaign.groups.goods.trim(), ...(who ? { who } : {}) };
  }
  const cue = prospectsCue(rest);
  // A number among the words that ask ("top 50 prospects for", "the 20 customers most likely to buy").
  const asking = cue ? rest.slice(0, cue.index + cue[0].length) : '';
  const k = countAsked(asking);
  if (k !== undefined) out.k = k;
  const who = audienceSaid(cue?.groups?.who);
  if (who) out.who = who;
  const goods = (cue ? rest.slice(cue.index + cue[0].length) : rest)
    .replace(/[?!.]+\s*$/, '')
    .trim()
    // After a command word ("prospects| for candles").
    .replace(/^(?:for|with|about|to\s+buy)(?:\s+|$)/i, '')
    .replace(/^(?:the|a|an|our|some|any|more)\s+/i, '')
    // "our new Christmas range": what is new is said by the products, not the word.
    .replace(/^new\s+(?=\S+\s+\S)/i, '')
    .replace(/\s+(?:next|soon|next\s+(?:week|month))$/i, '');
  if (goods) out.goods = goods;
  return out;
}

/**
 * Reads a recommendation request in plain words into the `recommend` command's arguments:
 * "what should we recommend to customer 12347?", "buy again for customer 12347", "top 5 for customer 12347",
 * "what should we push to the lapsed Germans segment?", "recommend to this segment".
 */
export interface RecommendRequest {
  customer?: string;
  segment?: string;
  thisSegment?: boolean;
  k?: number;
  mode?: 'new' | 'again';
  /** Only these products, as said ("Christmas", "candle"): read against the catalogue by the command. */
  goods?: string;
}

/** Words before "products" that are not products: "recommend some products", "top 5 products". */
const NOT_GOODS =
  /^(?:some|any|new|more|other|the|our|good|best|top|\d+|products?|items?|things|stuff|what|which)$/i;
/**
 * "recommend Christmas products to lapsed customers", "which candle items should we push to big spenders?":
 * up to three words naming products.
 */
const GOODS = [
  /\b(?:recommend|push|suggest|promote|offer)\s+(?:our\s+|some\s+|the\s+)?(?<goods>[a-z][\w'&-]*(?:\s+[a-z&][\w'&-]*){0,2})\s+(?:products|items|lines|gifts|range)\b/i,
  // After the command word, which the router takes off: "recommend| Christmas products to lapsed customers".
  /^(?:our\s+|some\s+|the\s+)?(?<goods>[a-z][\w'&-]*(?:\s+[a-z&][\w'&-]*){0,2})\s+(?:products|items|lines|gifts|range)\s+(?:to|for)\b/i,
  /^(?:what|which)\s+(?<goods>[a-z][\w'&-]*(?:\s+[a-z&][\w'&-]*){0,2})\s+(?:products|items|lines|gifts)\s+(?:should|could|can|would)\b/i,
];

// A customer id: quoted (any id), an email address, or a code with a digit in it. A bare word without a digit
// is not taken as an id: "customers in Germany" is an audience, not customer "in".
const CUSTOMER =
  /\b(?:customer|client)s?\s*(?:(?:id|number|no)\b\.?|#)?\s*[:#]?\s*(?:["'“‘]([^"'“”‘’]{1,64})["'”’]|([A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)|([A-Za-z0-9][A-Za-z0-9_-]*))/i;
const THIS_SEGMENT =
  /^(?:this|that|the same|these|those)(?:\s+(?:segment|audience|group|customers|people))?$/i;

export function parseRecommendRequest(text: string): RecommendRequest {
  const out: RecommendRequest = {};
  let rest = text.trim().replace(/[?!.]+$/, '');
  if (/\b(buy|order|purchase)\s+again\b|\brepeat purchases?\b|\breorder\b/i.test(rest)) out.mode = 'again';
  const top = rest.match(
    // "top 5 for customer 1", "5 products for ...", but not "to the top 50 customers by spend" (an audience).
    /\b(?:top|best)\s+(\d{1,3})\s+(?:(?:items|products|picks|recommendations|suggestions)\s+)?(?=for\b|to\b)|\b(\d{1,3})\s+(?:items|products|picks|recommendations|suggestions)\b/i,
  );
  if (top) {
    out.k = Number(top[1] ?? top[2]);
    rest = rest.replace(top[0], ' ');
  }
  for (const form of GOODS) {
    const said = form.exec(rest)?.groups?.goods;
    if (said && !said.split(/\s+/).some((w) => NOT_GOODS.test(w))) {
      out.goods = said;
      rest = rest.replace(said, ' ');
      break;
    }
  }
  const customer = rest.match(CUSTOMER);
  const id =
    customer?.[1]?.trim() || customer?.[2] || (customer?.[3] && /\d/.test(customer[3]) ? customer[3] : '');
  if (id) {
    out.customer = id;
    return out;
  }
  // What is left names the audience: drop the question around it.
  const audience = rest
    .replace(
      /^(?:what|which)\s+(?:products?|items?|lines|gifts)?\s*(?:should|could|can|would)\s+(?:we|i)\s+(?:recommend|push|suggest|offer|promote|send)\b/i,
      '',
    )
    .replace(
      /^(?:please\s+)?(?:recommend(?:ations?)?|push|suggest|promote|offer|buy again|cross-sell|upsell)\b/i,
      '',
    )
    .replace(/^\s*(?:our\s+|some\s+|the\s+)?(?:products|items|lines|gifts|range)\b/i, '')
    .replace(/\b(?:buy|order|purchase)\s+again\b/i, '')
    .replace(/^\s*(?:to|for)\b/i, '')
    .replace(/^\s*the\s+/i, '')
    .replace(/\s+(?:segment|audience|group)$/i, '')
    .replace(/^\s*(?:segment|audience|group)\s+/i, '')
    // Recommendations are for now: "this week" after the audience says nothing more.
    .replace(/\s+(?:this\s+(?:week|month)|today|now|right\s+now)$/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'“”]+|["'“”]+$/g, '');
  if (THIS_SEGMENT.test(audience)) out.thisSegment = true;
  else if (audience) out.segment = audience;
  return out;
}

/**
 * The trained recommender as the digest's "what to push" part: the chosen segment's members each get their
 * own recommendations, pooled (the same ranking as "recommend to SEGMENT" in the chat). A digest never trains:
 * with no model yet, or no chosen segment, or an empty segment, the digest keeps its rising products.
 */
import { formatNumber } from '../core/reply.ts';
import { recommendForSegment } from '../recommend/service.ts';
import { latestModelId } from '../recommend/store.ts';
import { segmentMemberIds } from '../segments/service.ts';
import type { DigestRecommender } from './compose.ts';

export const NO_MODEL_NOTE =
  'No recommendation model is trained yet, so these are the rising products. Train one with `megaphone train` (or ask for a recommendation in the chat once).';

/**
 * @example
 * const scheduler = createDigestScheduler({ database, deliveries, log, recommender: modelRecommender });
 */
export const modelRecommender: DigestRecommender = {
  async recommend(database, { segment, limit }) {
    // Rising products describe the period for everyone best; the model speaks for a chosen audience.
    if (!segment) return { fallback: undefined };
    if ((await latestModelId(database)) === null) return { fallback: NO_MODEL_NOTE };
    const members = await segmentMemberIds(database, segment.definition);
    if (members.length === 0) {
      return { fallback: `No customers are in ${segment.name} today, so these are the rising products.` };
    }
    const { items } = await recommendForSegment(database, members, { k: limit });
    return items.map((item) => ({
      title: item.name,
      detail: `${item.reason} (suits ${formatNumber(item.customers)} of ${formatNumber(members.length)})`,
    }));
  },
};

import { z } from 'zod';

/** A draft number as typed or pressed: "12" or "#12". */
export const draftId = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().replace(/^#/, '') : v),
  z.coerce
    .number({ message: 'give the draft number, e.g. 12 (say "drafts" to list them)' })
    .int('give the draft number, e.g. 12')
    .positive('give the draft number, e.g. 12'),
);

import type { Reply } from './reply.ts';

/** Where a message is posted without a request to answer: a channel, optionally a thread in it. */
export interface DeliveryTarget {
  channel: string;
  thread?: string;
}

/**
 * Posts a neutral `Reply` to a channel on one platform, unprompted (scheduled digests). Each chat adapter
 * exposes one; the scheduler never imports an adapter, it is handed these.
 *
 * @example
 * const { messageRef } = await delivery.post({ channel: 'C0123' }, { title: 'Weekly digest', text: '...' });
 */
export interface Delivery {
  platform: 'slack' | 'discord' | 'stdout';
  /** Posts the reply (with its attachments); resolves with a reference to the posted message. */
  post(target: DeliveryTarget, reply: Reply): Promise<{ messageRef: string }>;
}

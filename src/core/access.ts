import type { Caller } from './command.ts';

/** Who may use Megaphone, where, and who may see personal data. Empty lists mean no restriction. */
export interface AccessRules {
  users: string[];
  channels: string[];
  personalDataUsers: string[];
}

export interface AccessDecision {
  allowed: boolean;
  /** A polite refusal to show when not allowed. */
  reason?: string;
}

export interface AccessPolicy {
  /** May this caller use Megaphone here at all? */
  check(caller: Caller): AccessDecision;
  /** May this caller see personal data (unmasked ids, customer exports)? */
  canSeePersonalData(caller: Caller): boolean;
}

/** `slack:U123` matches the Slack user U123; a bare `U123` matches it on any platform. */
function matches(list: string[], platform: string, id: string | undefined): boolean {
  if (!id) return false;
  return list.includes(id) || list.includes(`${platform}:${id}`);
}

/**
 * Access rules from configuration, applied by the router before any command runs.
 *
 * @example
 * const policy = createAccessPolicy({ users: ['slack:U1'], channels: [], personalDataUsers: [] });
 * policy.check({ platform: 'slack', userId: 'U2', conversationId: 'c' }).allowed; // false
 */
export function createAccessPolicy(rules: AccessRules): AccessPolicy {
  return {
    check(caller) {
      // The terminal and scheduled digests run as whoever started Megaphone.
      if (caller.platform === 'cli' || caller.platform === 'digest') return { allowed: true };
      if (rules.users.length && !matches(rules.users, caller.platform, caller.userId)) {
        return {
          allowed: false,
          reason:
            "Sorry, you're not on the list of people who can use Megaphone here. Ask your Megaphone admin to add you (MEGAPHONE_ALLOWED_USERS).",
        };
      }
      if (rules.channels.length && !matches(rules.channels, caller.platform, caller.channelId)) {
        return {
          allowed: false,
          reason:
            "Sorry, Megaphone isn't enabled in this channel. Ask in a channel where it is, or ask your Megaphone admin to add this one (MEGAPHONE_ALLOWED_CHANNELS).",
        };
      }
      return { allowed: true };
    },
    canSeePersonalData(caller) {
      if (caller.platform === 'cli') return true;
      if (!rules.personalDataUsers.length) return true;
      return matches(rules.personalDataUsers, caller.platform, caller.userId);
    },
  };
}

/** Everyone may do everything: the default when no rules are configured. */
export const OPEN_ACCESS: AccessPolicy = createAccessPolicy({
  users: [],
  channels: [],
  personalDataUsers: [],
});

import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from './access.ts';
import type { Caller } from './command.ts';

const caller = (platform: Caller['platform'], userId: string, channelId?: string): Caller => ({
  platform,
  userId,
  channelId,
  conversationId: 'c',
});

describe('access policy', () => {
  const policy = createAccessPolicy({
    users: ['slack:U1', 'U2', 'discord:42'],
    channels: ['slack:C1', 'discord:900'],
    personalDataUsers: ['slack:U1'],
  });

  it('lets listed users in listed channels in, on their own platform only when qualified', () => {
    expect(policy.check(caller('slack', 'U1', 'C1')).allowed).toBe(true);
    expect(policy.check(caller('discord', 'U2', '900')).allowed).toBe(true);
    expect(policy.check(caller('discord', 'U1', '900')).allowed).toBe(false);
    expect(policy.check(caller('discord', '42', '900')).allowed).toBe(true);
  });

  it('refuses with a reason that says what to ask for', () => {
    expect(policy.check(caller('slack', 'U9', 'C1')).reason).toMatch(/MEGAPHONE_ALLOWED_USERS/);
    expect(policy.check(caller('slack', 'U1', 'C9')).reason).toMatch(/MEGAPHONE_ALLOWED_CHANNELS/);
  });

  it('always lets the terminal and digests in, and empty lists mean everyone', () => {
    expect(policy.check(caller('cli', 'anyone')).allowed).toBe(true);
    expect(policy.check(caller('digest', 'scheduler')).allowed).toBe(true);
    const open = createAccessPolicy({ users: [], channels: [], personalDataUsers: [] });
    expect(open.check(caller('slack', 'U9', 'C9')).allowed).toBe(true);
    expect(open.canSeePersonalData(caller('slack', 'U9'))).toBe(true);
  });

  it('shows personal data only to listed users', () => {
    expect(policy.canSeePersonalData(caller('slack', 'U1'))).toBe(true);
    expect(policy.canSeePersonalData(caller('slack', 'U2'))).toBe(false);
  });
});

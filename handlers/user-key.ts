import type { OutboxMessage } from '../src/core/ports.js';

/**
 * A user key's chat platform and user there (`slack:U123`, `teams:29:abc`, `console:pat`); null
 * for a key no platform reaches (`import`, the criteria, the system).
 */
export function splitUserKey(userKey: string): { platform: OutboxMessage['platform']; user: string } | null {
  const i = userKey.indexOf(':');
  const platform = userKey.slice(0, i);
  if (platform !== 'slack' && platform !== 'teams' && platform !== 'console') return null;
  return { platform, user: userKey.slice(i + 1) };
}

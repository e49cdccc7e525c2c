import { servedChatPlatforms } from './config.js';
import type { PlatformHost } from './serve.js';
import type { Runtime } from './runtime.js';
import { createSlackHost } from './slack.js';
import { createTeamsHost } from './teams.js';

/**
 * The chat platforms the config turns on. Teams is served authenticated when MICROSOFT_APP_ID
 * is set. Without it, `/api/messages` is unauthenticated, which is only for trying the bot
 * locally: it is served only when no other platform is configured (`npx roe serve` with no
 * credentials), only on 127.0.0.1 (serve's `listenHost`), and never in production. A Slack
 * deployment therefore has no open Teams door.
 */
export function configuredPlatforms(rt: Runtime): PlatformHost[] {
  return servedChatPlatforms(rt.config).map((p) => (p === 'slack' ? createSlackHost(rt) : createTeamsHost(rt)));
}

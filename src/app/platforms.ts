import type { PlatformHost } from './serve.js';
import type { Runtime } from './runtime.js';
import { createSlackHost } from './slack.js';
import { createTeamsHost } from './teams.js';

/** The chat platforms the config turns on. */
export function configuredPlatforms(rt: Runtime): PlatformHost[] {
  const hosts: PlatformHost[] = [];
  if (rt.config.slack) hosts.push(createSlackHost(rt));
  // Teams: authenticated with MICROSOFT_APP_ID; without it, unauthenticated for local testing,
  // which production refuses (a Slack-only production deployment simply has no Teams endpoint).
  if (rt.config.teams.appId || !rt.config.production || !rt.config.slack) hosts.push(createTeamsHost(rt));
  return hosts;
}

import type { PlatformHost } from './serve.js';
import type { Runtime } from './runtime.js';
import { createSlackHost } from './slack.js';

/** The chat platforms the config turns on. */
export function configuredPlatforms(rt: Runtime): PlatformHost[] {
  const hosts: PlatformHost[] = [];
  if (rt.config.slack) hosts.push(createSlackHost(rt));
  return hosts;
}

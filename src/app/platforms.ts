import type { PlatformHost } from './serve.js';
import type { Runtime } from './runtime.js';

/** The chat platforms the config turns on. */
export function configuredPlatforms(_rt: Runtime): PlatformHost[] {
  const hosts: PlatformHost[] = [];
  return hosts;
}

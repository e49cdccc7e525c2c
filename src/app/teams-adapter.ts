import { createRequire } from 'node:module';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { createTurnErrorHandler, RoeTeamsBot, type TeamsBotOptions, type TeamsLog } from '../../handlers/platforms/teams/bot.js';

/**
 * The list of token issuers botbuilder's emulator check takes (botframework-connector's
 * `EmulatorValidation.ToBotFromEmulatorTokenValidationParameters.issuer`, the very array botbuilder
 * uses and adds to), or null if this botbuilder keeps it elsewhere.
 */
function emulatorIssuers(): string[] | null {
  try {
    const fromBotbuilder = createRequire(createRequire(import.meta.url).resolve('botbuilder'));
    const connector = fromBotbuilder('botframework-connector') as { EmulatorValidation?: { ToBotFromEmulatorTokenValidationParameters?: { issuer?: unknown } } };
    const issuers = connector.EmulatorValidation?.ToBotFromEmulatorTokenValidationParameters?.issuer;
    return Array.isArray(issuers) ? (issuers as string[]) : null;
  } catch {
    return null;
  }
}

/**
 * botbuilder's CloudAdapter and the bot. In a module of its own, loaded only when Teams is
 * served: botbuilder costs a Slack-only server tens of MB and a fraction of a second at start.
 */
export function createTeamsAdapter(
  options: ConfigurationBotFrameworkAuthenticationOptions,
  bot: TeamsBotOptions,
  log: TeamsLog,
): { adapter: CloudAdapter; bot: RoeTeamsBot; authenticates: (activity: Record<string, unknown>, authorization: string) => Promise<boolean> } {
  const auth = new ConfigurationBotFrameworkAuthentication(options);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = createTurnErrorHandler(log);
  const issuers = emulatorIssuers();
  /** Whether the Authorization header is Bot Framework's token for this activity (its serviceUrl and channel), as the adapter checks it. */
  const authenticates = async (activity: Record<string, unknown>, authorization: string) => {
    const known = issuers?.length ?? 0;
    try {
      await auth.authenticateRequest(activity as Partial<Activity> as Activity, authorization);
      return true;
    } catch {
      // botbuilder adds the issuers of any tenant a token names (claim `tid`) to that list before
      // it checks the signature, for the life of the process, and scans the list at every request:
      // what a refused token added is taken back, so a stream of unsigned tokens naming made-up
      // tenants cannot grow it (memory, and time per request) without bound. (A tenant a valid
      // token named meanwhile is added again by its next request.)
      if (issuers && issuers.length > known) issuers.splice(known);
      return false;
    }
  };
  return { adapter, bot: new RoeTeamsBot(bot), authenticates };
}

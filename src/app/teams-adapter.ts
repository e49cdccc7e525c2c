import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { createTurnErrorHandler, RoeTeamsBot, type TeamsBotOptions, type TeamsLog } from '../../handlers/platforms/teams/bot.js';

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
  /** Whether the Authorization header is Bot Framework's token for this activity (its serviceUrl and channel), as the adapter checks it. */
  const authenticates = async (activity: Record<string, unknown>, authorization: string) => {
    try {
      await auth.authenticateRequest(activity as Partial<Activity> as Activity, authorization);
      return true;
    } catch {
      return false;
    }
  };
  return { adapter, bot: new RoeTeamsBot(bot), authenticates };
}

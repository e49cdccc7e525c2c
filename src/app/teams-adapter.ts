import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { createTurnErrorHandler, RoeTeamsBot, type TeamsBotOptions, type TeamsLog } from '../../handlers/platforms/teams/bot.js';

/**
 * botbuilder's CloudAdapter and the bot. In a module of its own, loaded only when Teams is
 * served: botbuilder costs a Slack-only server tens of MB and a fraction of a second at start.
 */
export function createTeamsAdapter(options: ConfigurationBotFrameworkAuthenticationOptions, bot: TeamsBotOptions, log: TeamsLog): { adapter: CloudAdapter; bot: RoeTeamsBot } {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(options));
  adapter.onTurnError = createTurnErrorHandler(log);
  return { adapter, bot: new RoeTeamsBot(bot) };
}

import { createRequire } from 'node:module';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type ConfigurationBotFrameworkAuthenticationOptions, type InvokeResponse, type TurnContext } from 'botbuilder';
import { createTurnErrorHandler, describeActivity, describeError, RoeTeamsBot, type TeamsBotOptions, type TeamsLog } from '../../handlers/platforms/teams/bot.js';

/**
 * The list of token issuers botbuilder's emulator check takes (botframework-connector's
 * `EmulatorValidation.ToBotFromEmulatorTokenValidationParameters.issuer`, the very array botbuilder
 * uses and adds to), or null if this botbuilder keeps it elsewhere.
 */
function emulatorIssuers(): string[] | null {
  const issuers = botbuilderConnector()?.EmulatorValidation?.ToBotFromEmulatorTokenValidationParameters?.issuer;
  return Array.isArray(issuers) ? (issuers as string[]) : null;
}

/** botframework-connector as botbuilder loads it (the same module instance), or null. */
function botbuilderConnector(): { EmulatorValidation?: { ToBotFromEmulatorTokenValidationParameters?: { issuer?: unknown } }; AuthenticationError?: new (...args: never[]) => Error } | null {
  try {
    return createRequire(createRequire(import.meta.url).resolve('botbuilder'))('botframework-connector');
  } catch {
    return null;
  }
}

/** Whether botbuilder refused the request's credentials (its AuthenticationError), as its own `process` tells a 401 from a 500. */
function refusedCredentials(e: unknown): boolean {
  const AuthenticationError = botbuilderConnector()?.AuthenticationError;
  return AuthenticationError !== undefined && e instanceof AuthenticationError;
}

/** What `CloudAdapter.processActivity` takes for the request's credentials: its Authorization header, or what authenticating it gave. */
type Credentials = Parameters<CloudAdapter['processActivityDirect']>[0];

/**
 * botbuilder's CloudAdapter, whose failures outside a turn go to the bot's log. onTurnError sees
 * only what fails inside a turn; what fails before one exists (authenticating the request,
 * the connector's credentials) or after it, botbuilder's `process` prints to the console
 * (`console.error`, a stack trace beside the JSON log) and answers with its message. Here it is
 * one log line naming the error and the activity (never a header or a token), and the answer a
 * 401 or a 500 saying nothing of the cause. An answer of 5xx the turn gave (an invoke the bot
 * failed or does not handle) is logged too.
 */
class LoggedCloudAdapter extends CloudAdapter {
  constructor(
    auth: ConfigurationBotFrameworkAuthentication,
    private readonly log: TeamsLog,
  ) {
    super(auth);
  }

  protected override async processActivity(credentials: Credentials, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    let answer: InvokeResponse | undefined;
    try {
      answer = typeof credentials === 'string' ? await super.processActivity(credentials, activity, logic) : await super.processActivity(credentials, activity, logic);
    } catch (e) {
      const err = withoutToken(describeError(e), typeof credentials === 'string' ? credentials : '');
      if (refusedCredentials(e)) {
        this.log.warn({ status: 401, err, activity: describeActivity(activity) }, 'teams request refused by the Bot Framework adapter: its token does not hold');
        return { status: 401, body: { error: 'unauthorized: Bot Framework’s token is missing or not valid' } };
      }
      this.log.error({ status: 500, err, activity: describeActivity(activity) }, 'teams request failed in the Bot Framework adapter, outside the turn');
      return { status: 500, body: { error: 'internal error' } };
    }
    if (answer && answer.status >= 500) this.log.error({ status: answer.status, activity: describeActivity(activity) }, 'teams request answered with a server error');
    return answer;
  }
}

/** An error described for the log, the request's token (should its message quote it) taken out. */
function withoutToken(err: Record<string, unknown>, authorization: string): Record<string, unknown> {
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  if (token.length < 8) return err;
  return Object.fromEntries(Object.entries(err).map(([k, v]) => [k, typeof v === 'string' ? v.split(token).join('[redacted]') : v]));
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
  const adapter = new LoggedCloudAdapter(auth, log);
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

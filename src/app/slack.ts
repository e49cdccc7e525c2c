import { createSlackApp, SLACK_EVENTS_PATH, socketModeFailure } from '../../handlers/platforms/slack/app.js';
import { createSlackDeliverer, type SlackDelivererOptions } from '../../handlers/platforms/slack/deliver.js';
import { caseCardLive, refreshStaleCards } from '../../handlers/notify.js';
import { scheduleUnreachable } from '../core/sla/sla.service.js';
import type { Runtime } from './runtime.js';
import { PlatformStartError, type PlatformHost } from './serve.js';

export interface SlackHostOptions {
  /** Web API client overrides for the listeners (tests: `retryConfig: { retries: 0 }`). */
  clientOptions?: Parameters<typeof createSlackApp>[0]['clientOptions'];
}

/**
 * Slack on the shared server: `POST /slack/events` (or Socket Mode when SLACK_APP_TOKEN is
 * set) and the outbox deliverer for DMs and dispute threads.
 */
export function createSlackHost(rt: Runtime, opts: SlackHostOptions = {}): PlatformHost {
  const cfg = rt.config.slack;
  if (!cfg) throw new Error('Slack is not configured (SLACK_BOT_TOKEN)');
  const log = rt.logger.child({ platform: 'slack' });
  const slack = createSlackApp({
    botToken: cfg.botToken,
    signingSecret: cfg.signingSecret,
    appToken: cfg.appToken,
    apiUrl: cfg.apiUrl,
    internalTeamIds: cfg.internalTeamIds,
    deps: rt.deps,
    resolve: rt.resolve,
    log,
    ...(opts.clientOptions ? { clientOptions: opts.clientOptions } : {}),
  });
  const deliver = createSlackDeliverer({
    client: slack.deliveryClient,
    disputes: rt.store.disputes,
    caseCards: slackCaseCards(rt),
    log,
    departed: (card) => scheduleUnreachable(rt.store, { disputeId: card.disputeId, person: card.person, platform: 'slack' }, rt.clock.now()),
  });
  const listener = slack.requestListener;
  return {
    name: 'slack',
    routes: listener ? { [`POST ${SLACK_EVENTS_PATH}`]: (req, res) => listener(req, res) } : {},
    deliver,
    start: async () => {
      try {
        await slack.start();
      } catch (e) {
        // Socket Mode that cannot connect (its token refused, Slack not reached): one line saying what to check.
        const problem = cfg.appToken ? socketModeFailure(e) : null;
        if (problem) throw new PlatformStartError(problem, { cause: e });
        throw e;
      }
    },
    stop: slack.stop,
  };
}

/** The Slack deliverer's case cards on a runtime: whether one is still live, and where one landed. */
export function slackCaseCards(rt: Pick<Runtime, 'deps' | 'store'>): SlackDelivererOptions['caseCards'] {
  return {
    live: (disputeId, person) => caseCardLive(rt.deps, disputeId, person),
    remember: (card) =>
      rt.store.transaction(() => {
        rt.store.caseCards.remember(card);
        // Moved on between the check and the post: updated at once.
        refreshStaleCards(rt.deps, card.disputeId);
      }),
  };
}

import { createSlackApp, SLACK_EVENTS_PATH } from '../../handlers/platforms/slack/app.js';
import { createSlackDeliverer } from '../../handlers/platforms/slack/deliver.js';
import { DeliveryError } from './outbox-worker.js';
import type { Runtime } from './runtime.js';
import type { PlatformHost } from './serve.js';

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
    deps: rt.deps,
    resolve: rt.resolve,
    log,
    ...(opts.clientOptions ? { clientOptions: opts.clientOptions } : {}),
  });
  const deliver = createSlackDeliverer({
    client: slack.deliveryClient,
    disputes: rt.store.disputes,
    caseCards: rt.store.caseCards,
    fail: (message, retryAfterMs, permanent, throttled) => new DeliveryError(message, retryAfterMs, permanent, throttled),
  });
  const listener = slack.requestListener;
  return {
    name: 'slack',
    routes: listener ? { [`POST ${SLACK_EVENTS_PATH}`]: (req, res) => listener(req, res) } : {},
    deliver,
    start: slack.start,
    stop: slack.stop,
  };
}

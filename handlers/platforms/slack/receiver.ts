import type { RequestListener } from 'node:http';
import { HTTPModuleFunctions as http, HTTPResponseAck, type App, type Logger, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { SlackLog } from './context.js';
import { guardSlackRequests, type GuardedHandler } from './http-guard.js';

/**
 * Bolt's receiver for `POST /slack/events` on the shared server. Its request listener is the
 * guard (signature, replay and body checks, the body parsed once), then what Bolt's own HTTP
 * receiver does with a request: Slack's SSL check and URL verification answered, everything
 * else handed to the app with an acknowledgement that writes the HTTP response (and answers
 * 404, logged, if no listener acknowledges within 3 seconds). It listens on no port itself.
 */
export class SlackEventsReceiver implements Receiver {
  private app: App | undefined;
  /** The listener to mount on `POST /slack/events`. */
  readonly requestListener: RequestListener;

  /**
   * `unrouted(body)`: what no listener of the app would take in a request (`unknown command
   * "/x"`), answered at once instead of by Bolt's 404 three seconds later.
   */
  constructor(
    signingSecret: string,
    private readonly log: SlackLog,
    private readonly logger: Logger,
    private readonly unrouted: (body: Record<string, unknown>) => string | null = () => null,
  ) {
    this.requestListener = guardSlackRequests(this.dispatch, signingSecret, log);
  }

  init(app: App): void {
    this.app = app;
  }

  /** The shared server listens; nothing to start. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  private readonly dispatch: GuardedHandler = (req, res, body) => {
    if (body.ssl_check === '1') {
      http.buildSSLCheckResponse(res);
      return;
    }
    if (body.type === 'url_verification') {
      http.buildUrlVerificationResponse(res, body);
      return;
    }
    if (body.type === 'app_rate_limited') {
      // Slack dropped events meant for the app for a minute (https://docs.slack.dev/apis/events-api/#rate-limiting).
      this.log.warn({ route: 'slack', minute: body.minute_rate_limited }, 'slack says it dropped events for the app: it was sending more than Slack allows');
      res.writeHead(200);
      res.end();
      return;
    }
    const unknown = this.unrouted(body);
    if (unknown) {
      this.log.warn({ route: 'slack', problem: unknown }, 'slack request refused: no listener for it');
      // A command's acknowledgement is what the user reads; anything else gets the 400 a malformed body gets.
      const answer = typeof body.command === 'string' ? { status: 200, body: { response_type: 'ephemeral', text: `roe-bot has no command ${body.command.slice(0, 80)}. Try /roe help.` } } : { status: 400, body: { error: unknown } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    const app = this.app;
    if (!app) {
      res.writeHead(503);
      res.end();
      return;
    }
    const ack = new HTTPResponseAck({ logger: this.logger, processBeforeResponse: false, httpRequest: req, httpRequestBody: body, httpResponse: res });
    const event: ReceiverEvent = {
      body,
      ack: ack.bind(),
      retryNum: http.extractRetryNumFromHTTPRequest(req),
      retryReason: http.extractRetryReasonFromHTTPRequest(req),
    };
    app.processEvent(event).catch(async (error: unknown) => {
      const acknowledged = await http.defaultProcessEventErrorHandler({ error: error as Error, logger: this.logger, request: req, response: res, storedResponse: ack.storedResponse });
      if (acknowledged) ack.ack();
    });
  };
}

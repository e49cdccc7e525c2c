/**
 * At LOG_LEVEL=debug (and trace) the Slack libraries write a line per Web API call, and Socket
 * Mode one per message it receives. What users wrote (a claim's evidence, a dispute's reason, an
 * answer's words), the names Slack gives of them and the payloads' tokens never reach the log:
 * such a line keeps its label and what was called, without the payload.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackLibraryLogger } from '../../../handlers/platforms/slack/app.js';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, type Harness } from '../../support/slack-harness.js';

const C = SLACK_IDS.commands;

describe('Slack at debug level', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startSlack();
  });
  afterEach(async () => {
    await h.close();
  });

  it('logs each Web API call, but neither what users wrote nor who Slack says they are', async () => {
    const claim = await h.openForm(USERS.northwind, C.claim, '', SHARED_CHANNEL);
    await h.submit(USERS.northwind, claim, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'NW-OPPORTUNITY', stage: 'proposal', amount: '77777', evidence: 'NW-EVIDENCE' });
    const dispute = await h.openForm(USERS.contoso, C.dispute, 'soylent', SHARED_CHANNEL);
    await h.submit(USERS.contoso, dispute, { account: 'soylent', product: 'Analytics', reason: 'CO-REASON: we met them first', evidence: 'CO-EVIDENCE' });
    await h.drain();
    const log = h.rt.logs.lines.join('\n');
    // The debug lines are there: each call, by its method.
    expect(log).toContain("apiCall('users.info') start");
    expect(log).toContain("apiCall('chat.postMessage') start");
    for (const personal of ['NW-OPPORTUNITY', 'NW-EVIDENCE', '77,777', 'CO-REASON', 'CO-EVIDENCE', 'nora.northwind', 'carl.contoso']) {
      expect(log, `the log holds "${personal}"`).not.toContain(personal);
    }
  });
});

describe('the Slack libraries’ log lines', () => {
  it('keep a Socket Mode message’s label, not its payload (the user, their words, the token Slack sends in it)', () => {
    const lines: { level: string; msg: string }[] = [];
    const at = (level: string) => (_o: object, msg: string) => lines.push({ level, msg });
    const logger = slackLibraryLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as never);
    const payload = JSON.stringify({ envelope_id: 'e1', type: 'interactive', payload: { token: 'VERIFICATIONtoken123', user: { id: 'U0NW1', name: 'nora.northwind' }, view: { state: { values: { evidence: { value: { value: 'NW-EVIDENCE' } } } } } } });
    logger.debug(`Received a message on the WebSocket: ${payload}`);
    logger.debug(`Calling ack() - type: interactive, envelope_id: e1, data: ${JSON.stringify({ text: 'NW-EVIDENCE' })}`);
    logger.debug(`Unable to parse an incoming WebSocket message (will ignore): SyntaxError, ${payload}`);
    logger.debug(`http request result: ${JSON.stringify({ ok: true, user: { real_name: 'Nora Northwind' } })}`);
    logger.debug('WebSocket open event received (connection established)!');
    const text = lines.map((l) => l.msg).join('\n');
    for (const personal of ['nora.northwind', 'NW-EVIDENCE', 'VERIFICATIONtoken123', 'Nora Northwind', 'U0NW1']) expect(text, `logged "${personal}"`).not.toContain(personal);
    expect(lines.map((l) => l.msg)).toEqual([
      'Received a message on the WebSocket: [payload not logged]',
      'Calling ack() - type: interactive, envelope_id: e1, data: [payload not logged]',
      'Unable to parse an incoming WebSocket message (will ignore): [payload not logged]',
      'http request result: [payload not logged]',
      'WebSocket open event received (connection established)!',
    ]);
  });

  it('keep a Socket Mode acknowledgement’s label, not what it answers (a who-owns answer, a form as filed, its errors with what was typed)', () => {
    const lines: string[] = [];
    const at = (_o: object, msg: string) => lines.push(msg);
    const logger = slackLibraryLogger({ debug: at, info: at, warn: at, error: at } as never);
    // What Bolt's Socket Mode receiver and the Socket Mode client write when a listener acks with a body.
    const body = { response_action: 'errors', errors: { amount: 'amounts use a decimal point, got "NW-TYPED 12,50"' } };
    logger.debug(`ack() call begins (body: ${JSON.stringify(body)})`);
    logger.debug(`Sending a WebSocket message: ${JSON.stringify({ envelope_id: 'e1', payload: { text: 'Soylent Corp is owned by NW-OWNER' } })}`);
    logger.debug(`ack() response sent (body: ${JSON.stringify(body)})`);
    for (const personal of ['NW-TYPED', 'NW-OWNER']) expect(lines.join('\n'), `logged "${personal}"`).not.toContain(personal);
    expect(lines).toEqual(['ack() call begins (body: [payload not logged])', 'Sending a WebSocket message: [payload not logged]', 'ack() response sent (body: [payload not logged])']);
  });
});

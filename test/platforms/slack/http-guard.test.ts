import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ByteBudget, MAX_BUFFERED_BYTES } from '../../../handlers/platforms/request-body.js';
import { guardSlackRequests, MAX_BODY_BYTES, readSlackBody, ReplayCache, SIGNATURE_WINDOW_SECONDS, verifySlackSignature } from '../../../handlers/platforms/slack/http-guard.js';

const SECRET = 'f00dfacef00dfacef00dfacef00dface';
const sign = (ts: string, body: Buffer | string, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest('hex')}`;

describe('verifySlackSignature: Slack’s v0 signature, checked once per request', () => {
  const now = 1_764_000_000_000;
  const ts = String(now / 1000);
  const body = 'command=%2Fwho-owns&text=acme&user_id=U0SAM&team_id=T0HOME';

  it('accepts the HMAC-SHA256 of v0:{timestamp}:{raw body} with the signing secret', () => {
    expect(verifySlackSignature(SECRET, ts, sign(ts, body), body, now)).toBe(true);
  });

  it('signs the text as sent, accents and all', () => {
    const accented = body.replace('acme', encodeURIComponent('Société Générale')).concat('&note=café');
    expect(verifySlackSignature(SECRET, ts, sign(ts, accented), accented, now)).toBe(true);
  });

  it.each([
    ['another secret', () => sign(ts, body, 'other-secret'), ts, body],
    ['a changed body', () => sign(ts, body), ts, body.replace('acme', 'umbrella')],
    ['another timestamp', () => sign(String(Number(ts) - 1), body), ts, body],
    ['no signature', () => undefined, ts, body],
    ['a signature of another version', () => sign(ts, body).replace('v0=', 'v1='), ts, body],
    ['a truncated signature', () => sign(ts, body).slice(0, 40), ts, body],
    ['upper-case hex', () => sign(ts, body).toUpperCase().replace('V0=', 'v0='), ts, body],
    ['no timestamp', () => sign(ts, body), undefined, body],
    ['a timestamp that is not a whole number', () => sign(`${ts}.5`, body), `${ts}.5`, body],
  ])('refuses %s', (_case, signature, timestamp, b) => {
    expect(verifySlackSignature(SECRET, timestamp, signature(), b, now)).toBe(false);
  });

  it('refuses a timestamp more than five minutes from the server’s clock, in either direction', () => {
    for (const [delta, ok] of [[-SIGNATURE_WINDOW_SECONDS, true], [-SIGNATURE_WINDOW_SECONDS - 1, false], [SIGNATURE_WINDOW_SECONDS, true], [SIGNATURE_WINDOW_SECONDS + 1, false]] as const) {
      const t = String(now / 1000 + delta);
      expect(verifySlackSignature(SECRET, t, sign(t, body), body, now), `${delta}s`).toBe(ok);
    }
  });
});

describe('ReplayCache', () => {
  it('knows a signature until its window ends, then forgets it', () => {
    const cache = new ReplayCache();
    expect(cache.seen('v0=a', 10_000, 1_000)).toBe(false);
    expect(cache.seen('v0=a', 10_000, 9_999)).toBe(true);
    expect(cache.seen('v0=a', 20_000, 10_000)).toBe(false); // expired: recorded afresh
    expect(cache.seen('v0=a', 20_000, 10_001)).toBe(true);
  });

  it('drops expired entries as requests come, and never grows past its bound', () => {
    const cache = new ReplayCache(100);
    for (let i = 0; i < 1_000; i++) cache.seen(`v0=${i}`, i + 50, i);
    expect(cache.size).toBeLessThanOrEqual(100);
    const flood = new ReplayCache(100);
    for (let i = 0; i < 1_000; i++) flood.seen(`v0=${i}`, 1e9, 0);
    expect(flood.size).toBe(100);
    expect(flood.seen('v0=999', 1e9, 1)).toBe(true); // the newest are kept
  });
});

describe('readSlackBody: parsed once, as the listeners take it', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const COMMAND = 'command=%2Fwho-owns&text=acme+corp&user_id=U1&team_id=T1&trigger_id=1.2.t&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1';
  const CLICK = { type: 'block_actions', user: { id: 'U1' }, trigger_id: '1.2.t', container: { type: 'message', message_ts: '1.2', channel_id: 'C1' }, actions: [{ action_id: 'roe_pick_account', value: 'acme' }] };
  it('a slash command is its form fields; an interactive payload and an event are their JSON', () => {
    expect(readSlackBody(FORM, COMMAND)).toEqual({ body: expect.objectContaining({ command: '/who-owns', text: 'acme corp', user_id: 'U1' }) });
    expect(readSlackBody(`${FORM}; charset=utf-8`, `payload=${encodeURIComponent(JSON.stringify(CLICK))}`)).toEqual({ body: CLICK });
    expect(readSlackBody('application/json', JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened' } }))).toEqual({ body: { type: 'event_callback', event: { type: 'app_home_opened' } } });
    // Slack's notice that it dropped events is taken, and left alone.
    expect(readSlackBody('application/json', JSON.stringify({ type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1 }))).toEqual({ body: { type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1 } });
  });

  it.each([
    ['command=%2Froe&team_id=T1', 'command: user_id is missing'],
    ['command=%2Froe&user_id=&team_id=T1', 'command: user_id is empty'],
    ['command=%2Froe&user_id=U1', 'command: team_id is missing'],
    ['command=%2Froe&user_id=U1&team_id=T1&text=a&text=b', 'command: text is given more than once'],
    // Slack sends the text, empty when nothing follows the command.
    [COMMAND.replace(/&text=[^&]*/, ''), 'command: text is missing'],
    // A form opens with the command's trigger_id; every answer after the acknowledgement goes to its response_url.
    [COMMAND.replace(/&trigger_id=[^&]*/, ''), 'command: trigger_id is missing'],
    [COMMAND.replace(/&response_url=[^&]*/, ''), 'command: response_url is missing'],
    [COMMAND.replace(/&trigger_id=[^&]*/, '&trigger_id='), 'command: trigger_id is empty'],
    ['payload=%7B%7D&payload=%7B%7D', 'the payload field is given more than once'],
    ['hello=world', 'the form has neither a command nor a payload'],
  ])('%s: %s', (body, problem) => {
    expect(readSlackBody(FORM, body)).toEqual({ problem });
  });

  const VIEW = { id: 'V1', callback_id: 'roe_claim_form', private_metadata: '{}', blocks: [], state: { values: { account: { value: { type: 'plain_text_input', value: 'acme' } } } } };
  const omit = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
  it.each([
    ['a click without actions', omit(CLICK, 'actions'), 'payload: actions is missing'],
    ['a click with no action in its actions', { ...CLICK, actions: [] }, 'payload: actions has no action'],
    ['a click without a trigger_id', omit(CLICK, 'trigger_id'), 'payload: trigger_id is missing'],
    ['a click without its container', omit(CLICK, 'container'), 'payload: container is missing'],
    ['a form submission without its view', { type: 'view_submission', user: { id: 'U1' } }, 'payload: view is missing'],
    ['a form submission without the view id (the request key)', { type: 'view_submission', user: { id: 'U1' }, view: omit(VIEW, 'id') }, 'payload: view.id is missing'],
    ['a form submission without the form id', { type: 'view_submission', user: { id: 'U1' }, view: omit(VIEW, 'callback_id') }, 'payload: view.callback_id is missing'],
    ['a form submission without its state', { type: 'view_submission', user: { id: 'U1' }, view: omit(VIEW, 'state') }, 'payload: view.state is missing'],
    ['a form submission whose inputs are not objects', { type: 'view_submission', user: { id: 'U1' }, view: { ...VIEW, state: { values: { account: null } } } }, 'payload: view.state.values.account is not an object'],
    ['a form submission without its blocks', { type: 'view_submission', user: { id: 'U1' }, view: omit(VIEW, 'blocks') }, 'payload: view.blocks is missing'],
    ['a typeahead query without its text', { type: 'block_suggestion', user: { id: 'U1' }, action_id: 'roe_account_search' }, 'payload: value is missing'],
    ['a message shortcut without the message', { type: 'message_action', user: { id: 'U1' }, callback_id: 'dispute_message', trigger_id: '1.t', channel: { id: 'C1' } }, 'payload: message is missing'],
    ['a click whose value is not text', { ...CLICK, actions: [{ action_id: 'roe_open_claim', value: { account: 'acme' } }] }, 'payload: actions.0.value Invalid input: expected string, received object'],
    ['a form submission with a block that is not an object', { type: 'view_submission', user: { id: 'U1' }, view: { ...VIEW, blocks: [null] } }, 'payload: view.blocks.0 Invalid input: expected object, received null'],
    ['a message shortcut whose message text is not text', { type: 'message_action', user: { id: 'U1' }, callback_id: 'dispute_message', trigger_id: '1.t', channel: { id: 'C1' }, message: { ts: '1.2', text: 42 } }, 'payload: message.text Invalid input: expected string, received number'],
    ['a payload of a type roe-bot has no listener for', { type: 'dialog_submission', user: { id: 'U1' } }, 'payload: type "dialog_submission" is not one roe-bot handles'],
  ])('%s', (_, payload, problem) => {
    expect(readSlackBody(FORM, `payload=${encodeURIComponent(JSON.stringify(payload))}`)).toEqual({ problem });
  });

  it.each([
    ['an event callback without its event', { type: 'event_callback', team_id: 'T1' }, 'event: event is missing'],
    ['a URL verification without its challenge', { type: 'url_verification' }, 'event: challenge is missing'],
    // Slack posts interactive payloads as a form field, never as JSON: a JSON one would skip their checks.
    ['an interactive payload sent as JSON', { type: 'block_suggestion', action_id: 'roe_account_search', value: 'acme' }, 'event: type "block_suggestion" is not one roe-bot handles'],
    ['a form submission sent as JSON', { type: 'view_submission', user: { id: 'U1' }, view: { id: 'V1' } }, 'event: type "view_submission" is not one roe-bot handles'],
  ])('%s', (_, body, problem) => {
    expect(readSlackBody('application/json', JSON.stringify(body))).toEqual({ problem });
  });
});

describe('guardSlackRequests: the request bodies held at once are bounded', () => {
  const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

  /** Opens a request with signature headers that may hold and sends `bytes` of its body, never the rest; what the server answered (once it does). */
  function stalled(port: number, bytes: number): { socket: Socket; answer: Promise<string> } {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    const answered = new Promise<string>((ok) => {
      setTimeout(() => ok(answer || 'no answer'), 3_000);
      socket.on('data', (d) => {
        answer += String(d);
        if (answer.includes('\r\n\r\n')) ok(answer);
      });
      socket.on('close', () => ok(answer));
    });
    socket.write(`POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${MAX_BODY_BYTES}\r\nX-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}\r\n\r\n`);
    socket.write('x'.repeat(bytes));
    return { socket, answer: answered };
  }

  it('holds at most some 32 MB: a client may not make the server keep 1 MB on each of its thousands of connections', () => {
    expect(MAX_BUFFERED_BYTES).toBeLessThanOrEqual(32 * MAX_BODY_BYTES);
  });

  it('a body that would take them past the allowance gets 503 at once, the others still read; once they are gone, requests are read again', async () => {
    const budget = new ByteBudget(100_000);
    const handled: string[] = [];
    const server: Server = createServer(guardSlackRequests((_req, res, body) => {
      handled.push(String(body.command));
      res.end();
    }, SECRET, quiet, Date.now, budget));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    try {
      const first = stalled(port, 60_000);
      for (let i = 0; i < 100 && budget.inUse < 60_000; i++) await new Promise((r) => setTimeout(r, 10));
      const second = stalled(port, 60_000);
      expect(await second.answer).toMatch(/^HTTP\/1\.1 503 [^]*\r\nretry-after: 1\r\n/i);
      second.socket.destroy();
      first.socket.destroy();
      for (let i = 0; i < 100 && budget.inUse > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(budget.inUse).toBe(0);
      // a signed command is taken again
      const ts = String(Math.floor(Date.now() / 1000));
      const body = 'command=%2Fwho-owns&text=acme&user_id=U1&team_id=T1&trigger_id=1.2.t&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1';
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(ts, body) }, body });
      expect(res.status).toBe(200);
      expect(handled).toEqual(['/who-owns']);
    } finally {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
  });
});

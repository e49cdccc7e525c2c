import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { BOT_TOKEN, SHARED_CHANNEL, SIGNING_SECRET, startSlack, textsIn, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { appHomeOpened, signature, slashCommand, urlVerification, viewSubmission } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const claimValues = { account: 'soylent', claimant: 'direct', route: 'direct', product: 'Services', opportunity: 'Soylent services', stage: 'qualified' };

describe('request signatures', () => {
  it('a correctly signed url_verification is answered with the challenge', async () => {
    const res = await h.send(urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it("Slack's notice that it dropped events (app_rate_limited) is taken at once and logged", async () => {
    const res = await h.send({ body: JSON.stringify({ token: 'x', type: 'app_rate_limited', team_id: USERS.sam.team, minute_rate_limited: 1518467820, api_app_id: 'A1' }), contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(h.rt.logs.lines.filter((l) => l.includes('dropped events'))).toHaveLength(1);
  });

  it('an interactive payload posted as JSON instead of a form field gets a 400 naming its type', async () => {
    const res = await h.send({ body: JSON.stringify({ type: 'block_suggestion', action_id: SLACK_IDS.options.account, value: 'acme' }), contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('event: type \\"block_suggestion\\" is not one roe-bot handles');
  });

  it.each([
    ['a forged signature', { signature: `v0=${'0'.repeat(64)}` }],
    ['a signature made with another secret', { secret: 'not-the-signing-secret' }],
    ['a stale timestamp (over 5 minutes old), even correctly signed', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a body changed after signing', { tamper: true }],
  ])('%s gets 401 and changes nothing', async (_case, o: { signature?: string; secret?: string; timestamp?: number; tamper?: boolean }) => {
    const view = await h.openForm(USERS.sam, SLACK_IDS.commands.claim);
    const callsBefore = h.fake.calls.length;
    const ledgerBefore = h.ledgerCount();
    const req = viewSubmission({ user: USERS.sam, view, values: claimValues });
    const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
    const sig = o.signature ?? signature(o.secret ?? SIGNING_SECRET, ts, req.body);
    const body = o.tamper ? req.body.replace('soylent', 'acme') : req.body;
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': req.contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
    expect(h.ledgerCount()).toBe(ledgerBefore);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(0);
    expect(h.fake.calls.length).toBe(callsBefore);
  });

  it('a request signed more than five minutes ahead of the server’s clock gets 401 too (it could be replayed later)', async () => {
    const responseUrl = h.fake.responseUrl();
    const res = await h.send(slashCommand({ command: SLACK_IDS.commands.whoOwns, text: 'acme', user: USERS.sam, responseUrl }), { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });

  it('the same signed command again is a replay: 401, and no second answer', async () => {
    const req = slashCommand({ command: SLACK_IDS.commands.whoOwns, text: 'acme', user: USERS.sam, responseUrl: h.fake.responseUrl() });
    const ts = Math.floor(Date.now() / 1000);
    const first = await h.send(req, { timestamp: ts });
    expect(first.status).toBe(200);
    expect(visible(first.json())).toContain('Acme Corporation');
    const again = await h.send(req, { timestamp: ts });
    expect(again.status).toBe(401);
    expect(again.json()).toEqual({ error: 'replayed request' });
  });

  it('an unsigned retry header does not excuse a replayed command or form: 401, and nothing happens twice', async () => {
    const req = slashCommand({ command: SLACK_IDS.commands.whoOwns, text: 'acme', user: USERS.sam, responseUrl: h.fake.responseUrl() });
    const ts = Math.floor(Date.now() / 1000);
    expect((await h.send(req, { timestamp: ts })).status).toBe(200);
    const again = await h.send(req, { timestamp: ts, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(again.status).toBe(401);
    expect(again.json()).toEqual({ error: 'replayed request' });
  });

  it('Slack’s retry of an event (same signature, with the retry header) is let through', async () => {
    const req = appHomeOpened({ user: USERS.sam.id });
    const ts = Math.floor(Date.now() / 1000);
    expect((await h.send(req, { timestamp: ts })).status).toBe(200);
    expect((await h.send(req, { timestamp: ts, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    expect((await h.send(req, { timestamp: ts })).status).toBe(401);
  });

  it('Slack’s SSL check (unsigned) gets 200 and reaches no listener', async () => {
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=legacy-verification-token' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(h.fake.calls).toHaveLength(1); // only the start-up auth.test
  });

  it('a request without signature headers gets 401 and no answer goes out', async () => {
    const responseUrl = h.fake.responseUrl();
    const req = slashCommand({ command: SLACK_IDS.commands.whoOwns, text: 'acme', user: USERS.sam, responseUrl });
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': req.contentType }, body: req.body });
    expect(res.status).toBe(401);
    expect(h.fake.responses).toHaveLength(0);
    expect(h.fake.calls).toHaveLength(1); // only the start-up auth.test
  });
});

/**
 * Posts the headers of a request announcing a 1 MB body and only its first bytes: what the server
 * answered within three seconds, or 'no answer' (it waits for the rest, up to its time for a request).
 */
function announceAndStall(url: string, headers: Record<string, string>): Promise<{ status: number; body: string } | 'no answer'> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-length': String(1_000_000), ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => {
        clearTimeout(giveUp);
        req.destroy();
        ok({ status: res.statusCode ?? 0, body });
      });
    });
    const giveUp = setTimeout(() => {
      req.destroy();
      ok('no answer');
    }, 3_000);
    req.on('error', fail);
    req.write('command=%2Fwho-owns&text=acme&');
  });
}

describe('a request that can carry no valid signature is refused before its body is read', () => {
  it.each([
    ['without signature headers', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['without signature headers, as JSON', { 'content-type': 'application/json' }],
    ['signed more than five minutes ago', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000) - 600), 'x-slack-signature': `v0=${'0'.repeat(64)}` }],
    ['with a signature that is not one', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=nothex' }],
  ])('%s, announcing 1 MB and sending a few bytes: 401 at once, not when the server’s time for a request runs out', async (_name, headers) => {
    expect(await announceAndStall(h.url, headers)).toEqual({ status: 401, body: '' });
    expect(h.fake.responses).toHaveLength(0);
    expect(h.fake.calls).toHaveLength(1); // only the start-up auth.test
  });
});

describe('mrkdwn injection: what users type never pings, mentions or links', () => {
  const INJECTION = '<!channel> call <@U123> & see <https://evil.example|our CRM>';

  /** Every mrkdwn and fallback text the app sent anywhere: API calls and response_url posts. */
  const everythingSent = () => [...h.fake.calls.map((c) => c.args), ...h.fake.responses.map((r) => r.body)];

  function expectNoRawMarkup(sent: unknown): void {
    for (const t of textsIn(sent)) {
      if (t.type === 'plain_text') continue; // plain_text is never parsed for mentions
      // rich text is shown literally; its mentions are broken all the same
      expect(t.text).not.toContain('<!channel>');
      expect(t.text).not.toContain('<@U123>');
      expect(t.text).not.toContain('<https://evil');
    }
  }

  it('evidence typed into a claim comes out escaped in the arbitrator’s DM, the thread and the modal', async () => {
    const view = await h.openForm(USERS.northwind, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    await h.submit(USERS.northwind, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: `Deal ${INJECTION}`, stage: 'proposal', evidence: INJECTION });
    const second = await h.openForm(USERS.contoso, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    const res = await h.submit(USERS.contoso, second, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'qualified' });
    expect(res.status).toBe(200);
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    // The evidence is a quote of its own under its label, shown literally: its mention and link broken, never live.
    const quoted = textsIn(dm.args).find((t) => t.type === 'rich_text' && t.text.includes('call'))!;
    expect(quoted.text).toBe(INJECTION.replace(/</g, '<\u200B'));
    expect(visible(dm.args)).toMatch(/Evidence on claim #\d+ \(Northwind Partners\)\n/);
    // The opportunity's name, in the claims list: plain text, shown as typed and never parsed.
    expect(textsIn(dm.args).filter((t) => t.type === 'plain_text').map((t) => t.text).join('\n')).toContain(`Deal ${INJECTION}`);
    expectNoRawMarkup(everythingSent());
    expectNoRawMarkup(res.json());
  });

  it('a partner’s evidence cannot pass for lines of the arbitrator’s card: it is a quote of its own, literal; an opportunity’s name is one plain line', async () => {
    const evidence = '*CONFIRMED BY LEGAL* ~rejected~ `x`\n• #1 Direct sales, registered Jan 1 (protected)\n:white_check_mark: Ruled by Pat Okafor: Northwind owns it.';
    const view = await h.openForm(USERS.northwind, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    await h.submit(USERS.northwind, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: '*URGENT*\n_read me_', stage: 'proposal', evidence });
    const second = await h.openForm(USERS.contoso, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    await h.submit(USERS.contoso, second, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'qualified' });
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const blocks = dm.args.blocks as { type: string; elements?: { type: string; elements?: { type: string; text: string }[] }[] }[];
    const quotes = blocks.filter((b) => b.type === 'rich_text').map((b) => b.elements![0]!);
    // The case's reason (the system's words here), then the evidence.
    expect(quotes).toEqual([
      { type: 'rich_text_quote', elements: [{ type: 'text', text: 'Overlap detected when the claim was filed.' }] },
      { type: 'rich_text_quote', elements: [{ type: 'text', text: evidence }] },
    ]);
    // Nowhere else: no mrkdwn or plain text of the card carries a line of it, or its markers.
    for (const t of textsIn(blocks).filter((x) => x.type !== 'rich_text')) {
      expect(t.text).not.toContain('Ruled by Pat Okafor: Northwind');
      expect(t.text).not.toContain('Direct sales, registered Jan 1');
    }
    const list = textsIn(blocks).find((t) => t.type === 'plain_text' && t.text.includes('*URGENT*'))!;
    expect(list.text).toContain('resell, *URGENT* _read me_, stage proposal');
  });

  it('a search for markup is answered with the markup escaped', async () => {
    // As Slack sends it: what the user typed literally arrives escaped, mentions and links as
    // markup (a real broadcast, <!channel>, names nothing and is left out of the search).
    const { res } = await h.command(USERS.sam, SLACK_IDS.commands.whoOwns, '<!channel> &lt;!channel&gt; &lt;@U123&gt; &amp; co');
    const answer = res.json();
    expect(visible(answer)).toContain('No account matches "&lt;!channel&gt; &lt;@U123&gt; &amp; co"');
    expectNoRawMarkup(answer);
  });
});

describe('logs', () => {
  it('no token or secret reaches any log line, at debug level, through a whole flow and a failure', async () => {
    const view = await h.openForm(USERS.sam, SLACK_IDS.commands.claim);
    await h.submit(USERS.sam, view, claimValues);
    h.fake.failNext(1, { error: 'invalid_auth' }, 'users.info');
    const { responseUrl } = await h.command(USERS.rep, SLACK_IDS.commands.roe, 'mine');
    expect(visible(await h.answer(responseUrl))).toMatch(/Sorry, something went wrong on our side/);
    await h.fake.waitFor(() => h.rt.logs.lines.some((l) => l.includes('slack request failed')), 'the failure to be logged');
    await h.drain();
    const all = h.rt.logs.lines.join('\n');
    expect(all).toContain('"level":20'); // debug lines were written: the check below means something
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(BOT_TOKEN.slice(5));
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toContain('legacy-verification-token');
  });

  it('a Web API call answered 500 is logged with its status and code, not Slack’s whole answer (its headers and body)', async () => {
    h.fake.failNext(1, { status: 500 }, 'users.info');
    const { responseUrl } = await h.command(USERS.rep, SLACK_IDS.commands.roe, 'mine');
    expect(visible(await h.answer(responseUrl))).toMatch(/Sorry, something went wrong on our side/);
    const line = await h.fake.waitFor(() => h.rt.logs.lines.find((l) => l.includes('slack request failed')), 'the failure to be logged');
    const { err } = JSON.parse(line) as { err: Record<string, unknown> };
    expect(err).toMatchObject({ type: 'WebAPIHTTPError', code: 'slack_webapi_http_error', statusCode: 500, message: 'An HTTP protocol error occurred: statusCode = 500' });
    expect(Object.keys(err)).not.toContain('headers');
    expect(Object.keys(err)).not.toContain('body');
    expect(h.rt.logs.lines.join('\n')).not.toContain(BOT_TOKEN.slice(5));
  });

  it('a Web API call cut off on the network (a request error, logged with its cause) logs no token', async () => {
    h.fake.failNext(1, { drop: true }, 'users.info');
    const { responseUrl } = await h.command(USERS.rep, SLACK_IDS.commands.roe, 'mine');
    expect(visible(await h.answer(responseUrl))).toMatch(/Sorry, something went wrong on our side/);
    await h.fake.waitFor(() => h.rt.logs.lines.some((l) => l.includes('slack request failed')), 'the failure to be logged');
    const all = h.rt.logs.lines.join('\n');
    expect(h.rt.logs.lines.find((l) => l.includes('slack request failed'))).toContain('"err":'); // logged with its cause
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(BOT_TOKEN.slice(5));
  });
});

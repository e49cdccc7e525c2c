/**
 * The company's own Slack beyond the one workspace the bot token is of: an app installed across
 * an Enterprise Grid org (an org-wide install: auth.test names the org, `is_enterprise_install`),
 * and the company's other workspaces or orgs (SLACK_INTERNAL_TEAM_IDS) whose people reach the
 * bot through Slack Connect, as a partner's do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { closePartner } from '../../../src/core/claims/close-partner.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const whoOwns = async (user: SlackUser, text: string) => {
  const { res, responseUrl } = await h.command(user, SLACK_IDS.commands.whoOwns, text, { channel: SHARED_CHANNEL });
  expect(res.status).toBe(200);
  return visible(res.text ? (res.json() as Record<string, unknown>) : await h.answer(responseUrl));
};
const directClaim = { account: 'acme', claimant: 'direct', route: 'direct', product: 'Services', opportunity: 'Acme services', stage: 'qualified' };

describe('an app installed across an Enterprise Grid org (org-wide install)', () => {
  it("a user of the org's workspace listed as Contoso's acts for Contoso, though Slack names the org as both the bot's team and the user's", async () => {
    h = await startSlack({ enterprise: 'E0ORG', orgWide: true });
    // The start-up line says so: the org, and no workspace.
    const connected = h.rt.logs.lines.find((l) => l.includes('slack connected over HTTP'));
    expect(JSON.parse(connected!)).toMatchObject({ team: null, enterprise: 'E0ORG' });
    // users.info names the org as the user's team, as an interactive payload's user.team_id does.
    const cora = { id: 'W0CO2', name: 'cora.contoso', team: 'E0ORG' };
    h.fake.addUser({ id: cora.id, name: cora.name, team_id: 'E0ORG', enterprise: { id: 'E0ORG', teams: ['T0CONTOSO'] } });
    const ops = { id: 'W0OPS', name: 'olga.ops', team: 'E0ORG' };
    h.fake.addUser({ id: ops.id, name: ops.name, team_id: 'E0ORG', enterprise: { id: 'E0ORG', teams: ['T0OPS'] } });

    const seen = await whoOwns(cora, 'acme corp');
    expect(seen).toContain('protected by another party until');
    expect(seen).not.toContain('Northwind');
    expect(seen).not.toContain('48,000');
    // A colleague of another workspace of the org is one.
    expect(await whoOwns(ops, 'acme corp')).toContain('Northwind Partners');

    // Forms as an org-wide install gets them (no team, the org's enterprise): Cora's claim is Contoso's, Olga's the direct team's.
    const claim = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' };
    const hers = await h.openForm(cora, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    expect((await h.submit(cora, hers, claim)).status).toBe(200);
    const olgas = await h.openForm(ops, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    expect((await h.submit(ops, olgas, directClaim)).json()).toMatchObject({ response_action: 'update' });
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent').map((c) => c.claimant)).toEqual(['contoso']);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'acme' && c.productLine === 'Services').map((c) => c.claimant)).toEqual(['direct']);
  });
});

describe('SLACK_INTERNAL_TEAM_IDS: the company\'s other workspaces', () => {
  // A rep of the company's EMEA workspace, in a channel shared with the workspace the bot is in.
  const emma = { id: 'U0EMMA', name: 'emma.emea', team: 'T0EMEA' };

  it('without it, a rep of another workspace of the company is an unknown external; with it, a colleague who files for the direct team', async () => {
    h = await startSlack();
    h.fake.addUser({ id: emma.id, name: emma.name, team_id: 'T0EMEA' });
    expect(await whoOwns(emma, 'acme corp')).toMatch(/not linked to a partner/);
    await h.close();

    h = await startSlack({ env: { SLACK_INTERNAL_TEAM_IDS: 'T0EMEA, T0APAC' } });
    h.fake.addUser({ id: emma.id, name: emma.name, team_id: 'T0EMEA' });
    const seen = await whoOwns(emma, 'acme corp');
    expect(seen).toContain('Northwind Partners');
    expect(seen).toContain('48,000');
    const view = await h.openForm(emma, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    expect((await h.submit(emma, view, directClaim)).json()).toMatchObject({ response_action: 'update' });
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'acme' && c.productLine === 'Services').map((c) => c.claimant)).toEqual(['direct']);
  });

  it('a guest of one of them is still no colleague; a partner and a stranger are as before', async () => {
    h = await startSlack({ env: { SLACK_INTERNAL_TEAM_IDS: 'T0EMEA' } });
    const gus = { id: 'U0GUS', name: 'gus.guest', team: 'T0EMEA' };
    h.fake.addUser({ id: gus.id, name: gus.name, team_id: 'T0EMEA', guest: 'multi' });
    expect(await whoOwns(gus, 'acme corp')).toMatch(/Guest accounts cannot use roe-bot/);
    expect(await whoOwns(USERS.northwind, 'acme corp')).toContain('48,000');
    expect(await whoOwns(USERS.contoso, 'acme corp')).not.toContain('48,000');
    expect(await whoOwns(USERS.stranger, 'acme corp')).toMatch(/not linked to a partner/);
  });

  it("another Enterprise Grid org of the company, by its E… id: its users are colleagues, whichever of its workspaces Slack names", async () => {
    h = await startSlack({ env: { SLACK_INTERNAL_TEAM_IDS: 'E0SUBSID' } });
    const sol = { id: 'W0SOL', name: 'sol.subsidiary', team: 'E0SUBSID' };
    h.fake.addUser({ id: sol.id, name: sol.name, team_id: 'T0SUBSALES', enterprise: { id: 'E0SUBSID', teams: ['T0SUBSALES'] } });
    expect(await whoOwns(sol, 'acme corp')).toContain('48,000');
  });

  it("a partner's workspace inside a listed org stays the partner's, as in the bot's own org: its users see no other partner's deals", async () => {
    h = await startSlack({ env: { SLACK_INTERNAL_TEAM_IDS: 'E0SUBSID' } });
    // Contoso's workspace (its slack_team_id T0CONTOSO) is one of that org's: Slack names the org as the user's enterprise.
    const cora = { id: 'W0CORA', name: 'cora.contoso', team: 'E0SUBSID' };
    h.fake.addUser({ id: cora.id, name: cora.name, team_id: 'T0CONTOSO', enterprise: { id: 'E0SUBSID', teams: ['T0CONTOSO'] } });
    const seen = await whoOwns(cora, 'acme corp');
    expect(seen).toContain('protected by another party until');
    expect(seen).not.toContain('Northwind');
    expect(seen).not.toContain('48,000');
    // Her claim is Contoso's, not the direct team's.
    const view = await h.openForm(cora, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
    expect((await h.submit(cora, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' })).status).toBe(200);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent').map((c) => c.claimant)).toEqual(['contoso']);
    // A colleague of another of the org's workspaces still is one.
    const sol = { id: 'W0SOL', name: 'sol.subsidiary', team: 'E0SUBSID' };
    h.fake.addUser({ id: sol.id, name: sol.name, team_id: 'T0SUBSALES', enterprise: { id: 'E0SUBSID', teams: ['T0SUBSALES'] } });
    expect(await whoOwns(sol, 'acme corp')).toContain('48,000');
  });
});

describe('a stranger: the admin is told which team to link', () => {
  it("the log names the stranger's team once (not the user), and names no partner's, colleague's or guest's", async () => {
    h = await startSlack({ env: { SLACK_INTERNAL_TEAM_IDS: 'T0EMEA' } });
    h.fake.addUser({ id: 'U0GUS', name: 'gus.guest', team_id: 'T0HOME', guest: 'multi' });
    await whoOwns(USERS.stranger, 'acme corp');
    await whoOwns(USERS.stranger, 'initech');
    await whoOwns(USERS.northwind, 'acme corp');
    await whoOwns(USERS.rep, 'acme corp');
    await whoOwns({ id: 'U0GUS', name: 'gus.guest', team: 'T0HOME' }, 'acme corp');
    const noted = h.rt.logs.lines.filter((l) => l.includes('neither yours nor a partner'));
    expect(noted).toHaveLength(1);
    expect(JSON.parse(noted[0]!)).toMatchObject({ team: 'T0STRANGER', msg: expect.stringContaining('SLACK_INTERNAL_TEAM_IDS') });
    expect(noted[0]).not.toContain(USERS.stranger.id);
    expect(noted[0]).not.toContain(USERS.stranger.name);
  });
});

describe('a user of a partner taken out of the programme (roe partner close)', () => {
  it('is told their organisation is no longer in the programme; the log names the partner, not the partners CSV as the way in', async () => {
    h = await startSlack();
    closePartner(h.rt.ctx, 'northwind');
    expect(await whoOwns(USERS.northwind, 'acme corp')).toContain('Your organisation (Northwind Partners) is no longer in our partner programme, so you cannot look up accounts');
    const noted = h.rt.logs.lines.filter((l) => l.includes('until it left the programme'));
    expect(noted).toHaveLength(1);
    expect(JSON.parse(noted[0]!)).toMatchObject({ team: 'T0NORTHWIND', partner: 'northwind', msg: expect.stringContaining('--reopen northwind') });
    expect(h.rt.logs.lines.filter((l) => l.includes('neither yours nor a partner'))).toEqual([]);
    expect(noted[0]).not.toContain(USERS.northwind.id);
  });
});

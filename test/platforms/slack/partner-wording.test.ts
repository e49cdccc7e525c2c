import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';

/**
 * What a partner's user in a Slack Connect channel reads where the company's people read their
 * own words: whom to ask about a fact, what App Home holds, what to do when a button or a
 * command is not theirs.
 */
let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const C = SLACK_IDS.commands;
const A = SLACK_IDS.actions;
const CO = USERS.contoso;

async function roeAnswer(user: SlackUser, text: string): Promise<string> {
  const { responseUrl } = await h.command(user, C.roe, text, { channel: SHARED_CHANNEL });
  return visible(await h.answer(responseUrl));
}

/** What only the clicker is told after clicking a button (its response_url). */
async function clicked(user: SlackUser, actionId: string, value: string): Promise<string> {
  const { responseUrl } = await h.click(user, actionId, value, { channel: SHARED_CHANNEL, messageTs: '1700000000.000200' });
  return visible(await h.answer(responseUrl));
}

describe('a Slack Connect partner reads words meant for them', () => {
  it('a claim or dispute the criteria settle against them sends them to their partner manager to correct a fact, not to the company’s partner ops', async () => {
    // Stark Industries is Northwind's named account: the criteria settle at once.
    const claim = await h.openForm(CO, C.claim, 'stark', SHARED_CHANNEL);
    const filed = visible(((await h.submit(CO, claim, { account: 'stark', route: 'resell', product: 'Analytics', opportunity: 'Stark BI', stage: 'proposal' })).json() as { view: unknown }).view);
    expect(filed).toContain('was not accepted: the criteria settled dispute #1 for another party.');
    expect(filed).toContain('If a fact they used is wrong (the account\'s incumbent partner, named owner or coverage), ask your partner manager to correct it.');
    expect(filed).not.toContain('partner ops');

    const dispute = await h.openForm(CO, C.dispute, 'acme', SHARED_CHANNEL);
    const raised = visible(((await h.submit(CO, dispute, { account: 'acme', product: 'Analytics', reason: 'We have worked Acme for a year' })).json() as { view: unknown }).view);
    expect(raised).toContain('settled at once by the criteria: another party owns it.');
    expect(raised).toContain('ask your partner manager to correct it.');
    expect(raised).not.toContain('partner ops');

    // The company's own people keep their words.
    const own = await h.openForm(USERS.sam, C.claim, 'stark', 'C0DEALS');
    const theirs = visible(((await h.submit(USERS.sam, own, { account: 'stark', claimant: 'contoso', route: 'resell', product: 'Services', opportunity: 'Stark services', stage: 'proposal' })).json() as { view: unknown }).view);
    expect(theirs).toContain('ask partner ops to correct it.');
  });

  it('help describes App Home as what it shows them, with no arbitrator’s queue', async () => {
    const help = await roeAnswer(CO, 'help');
    expect(help).toContain('Your claims, as /roe mine lists them.');
    expect(help).not.toContain('arbitrator’s queue');
    expect(help).not.toContain('for arbitrators the queue');
    // A colleague's help still says what an arbitrator finds there.
    expect(await roeAnswer(USERS.sam, 'help')).toContain('Your claims, and for arbitrators the queue with due times.');
  });

  it('/roe queue, which has nothing for them, says where their organisation’s claims and cases are', async () => {
    const seen = await roeAnswer(CO, 'queue');
    expect(seen).toContain('/roe mine lists the claims of Contoso Consulting and the cases they are in; /roe case <number> shows one as it stands.');
    expect(seen).not.toContain('named in the policy');
  });

  it('an arbitrator’s button clicked by a party’s user says who rules and how to follow the case, not only that they may not', async () => {
    for (const [user, stage] of [[USERS.northwind, 'proposal'], [CO, 'qualified']] as const) {
      const view = await h.openForm(user, C.claim, '', SHARED_CHANNEL);
      await h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage });
    }
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    const follow = `/roe case ${d.id} shows the case as it stands, and its ruling once it is made.`;
    for (const [action, value] of [[A.rule_approve, `${d.id}:northwind`], [A.rule_award, String(d.id)], [A.rule_ask, String(d.id)]] as const) {
      const said = await clicked(CO, action, value);
      expect(said).toContain(`Only Pat Okafor (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #${d.id}. ${follow}`);
    }
    expect(h.rt.store.disputes.get(d.id)!.status).toBe('open');
    // A partner that is no party of the case is sent to no case it cannot open, and told of it what it is told of one that does not exist.
    const fabrikam = { id: 'U0FB1', name: 'fay.fabrikam', team: 'T0FABRIKAM' };
    h.fake.addUser({ id: fabrikam.id, team_id: fabrikam.team, name: fabrikam.name });
    const other = await clicked(fabrikam, A.rule_approve, `${d.id}:northwind`);
    expect(other).toContain(`Dispute #${d.id} is not one your organisation is a party to.`);
    expect(other).not.toContain('Pat Okafor');
    expect(other).not.toContain('/roe case');
  });
});

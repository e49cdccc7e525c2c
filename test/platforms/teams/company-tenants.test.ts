/**
 * The company's other Microsoft 365 tenants (MICROSOFT_INTERNAL_TENANT_IDS): their members are
 * colleagues, as the main tenant's (MICROSOFT_APP_TENANT_ID) are, in a 1:1 chat and in a
 * channel of the main tenant alike (where the roster gives their own tenant); their guests are not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readCard } from '../../support/fake-connector.js';
import { startTeams, TENANTS, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const EMEA = '22222222-2222-4222-8222-222222222222';
/** A rep of the company's EMEA tenant (an acquisition that kept its own). */
const eve: TeamsUser = { id: '29:eve', name: 'Eve Emea', aadObjectId: 'f0000000-0000-4000-8000-000000000001', tenant: EMEA };

let h: TeamsHarness;
afterEach(async () => {
  await h.stop();
});

async function start(env: Record<string, string> = {}) {
  h = await startTeams({ env });
  h.connector.memberTenants.set(eve.id, EMEA);
}

describe('MICROSOFT_INTERNAL_TENANT_IDS', () => {
  it('without it, a rep of another tenant of the company is told their organisation is not linked; with it, a colleague', async () => {
    await start();
    expect(readCard(await h.say(eve, 'who-owns acme corp'))).toMatch(/not linked to a partner/);
    await h.stop();

    // In capitals, as the Entra admin center may show it.
    await start({ MICROSOFT_INTERNAL_TENANT_IDS: EMEA.toUpperCase() });
    const answer = readCard(await h.say(eve, 'who-owns acme corp'));
    expect(answer).toContain('Northwind Partners');
    expect(answer).toContain('48,000');
  });

  it('in a channel of the main tenant, where the roster gives their own tenant, they are colleagues too; a guest of that tenant is not; partners are as before', async () => {
    await start({ MICROSOFT_INTERNAL_TENANT_IDS: EMEA });
    const scope: Scope = { kind: 'channel', root: '1700000000777' };
    const inChannel = { ...eve, tenant: TENANTS.home };
    const stub = await h.say(inChannel, 'who-owns acme corp', scope);
    const refresh = stub.refresh as { action: { verb: string; data: Record<string, unknown> } };
    expect(readCard(await h.click(inChannel, refresh.action.verb, refresh.action.data, scope))).toContain('48,000');

    const gil = { id: '29:gil', name: 'Gil Guest', aadObjectId: 'f0000000-0000-4000-8000-000000000002', tenant: EMEA };
    h.connector.memberTenants.set(gil.id, EMEA);
    h.connector.guests.add(gil.id);
    expect(readCard(await h.say(gil, 'who-owns acme corp'))).toMatch(/Guest accounts cannot use roe-bot/);

    expect(readCard(await h.say(USERS.contoso, 'who-owns acme corp'))).not.toContain('48,000');
    expect(readCard(await h.say(USERS.stranger, 'who-owns acme corp'))).toMatch(/not linked to a partner/);
  });
});

describe('a stranger: the admin is told which tenant to link', () => {
  it("the log names the stranger's tenant once (not the user), and no partner's or colleague's", async () => {
    await start();
    await h.say(USERS.stranger, 'who-owns acme corp');
    await h.say(USERS.stranger, 'who-owns initech');
    await h.say(USERS.northwind, 'who-owns acme corp');
    await h.say(USERS.rep, 'who-owns acme corp');
    const noted = h.rt.logs.lines.filter((l) => l.includes('neither yours nor a partner'));
    expect(noted).toHaveLength(1);
    expect(JSON.parse(noted[0]!)).toMatchObject({ tenant: TENANTS.stranger, msg: expect.stringContaining('teams_tenant_id') });
    expect(noted[0]).not.toContain(USERS.stranger.id);
    expect(noted[0]).not.toContain(USERS.stranger.name);
  });
});

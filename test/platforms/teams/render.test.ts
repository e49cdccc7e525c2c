import { describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { caseRefreshOf, md, renderForm, renderReply } from '../../../handlers/platforms/teams/render.js';
import { ACTIONS, FORMS, reply, text, type Form } from '../../../handlers/replies/model.js';
import { readCard } from '../../support/fake-connector.js';

describe('md(): user text in a TextBlock is shown as text', () => {
  it.each([
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['_it_ and ~strike~ and `code`', '\\_it\\_ and \\~strike\\~ and \\`code\\`'],
    ['[link](http://x)', '\\[link\\](http://x)'],
    ['<at>Pat</at>', '<\u200Bat>Pat<\u200B/at>'],
    ['<!channel> <http://x>', '<\u200B!channel> <\u200Bhttp://x>'],
    ['- not a list\n1. nor this\n# nor a heading\n> nor a quote', '\\- not a list\n\n1\\. nor this\n\n\\# nor a heading\n\n\\> nor a quote'],
    ['back\\slash', 'back\\\\slash'],
    ['a < b and 3 > 2, Direct-led #12', 'a < b and 3 > 2, Direct-led #12'],
  ])('%j', (typed, escaped) => {
    expect(md(typed)).toBe(escaped);
  });
});

describe('renderReply', () => {
  it('maps tones, facts, lists and buttons, each button an Action.Execute with an Action.Submit fallback', () => {
    const card = renderReply(
      reply('s', [text('ok', 'good'), text('careful', 'attention'), { type: 'facts', facts: [{ label: 'Owner', value: 'Northwind' }] }, { type: 'divider' }, { type: 'list', title: 'Claims', items: [{ text: '#1', detail: 'resell' }] }, { type: 'actions', actions: [{ action: ACTIONS.openClaim, label: 'Claim', value: 'acme', style: 'primary' }] }], { title: 'Acme' }),
    );
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: 'Acme', weight: 'Bolder' });
    expect(card.body[1]).toMatchObject({ color: 'Good' });
    expect(card.body[2]).toMatchObject({ color: 'Attention' });
    expect(card.body[3]).toMatchObject({ type: 'FactSet', facts: [{ title: 'Owner', value: 'Northwind' }] });
    expect(card.body[4]).toMatchObject({ type: 'Container', separator: true });
    expect(card.body[5]).toEqual({
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.Execute',
          title: 'Claim',
          verb: TEAMS_IDS.actions[ACTIONS.openClaim],
          data: { value: 'acme' },
          style: 'positive',
          fallback: { type: 'Action.Submit', title: 'Claim', data: { value: 'acme', verb: TEAMS_IDS.actions[ACTIONS.openClaim] }, style: 'positive' },
        },
      ],
    });
    expect(card.refresh).toBeUndefined();
  });

  it('a case card (only ruling buttons) refreshes to the case; a reminder with other buttons does not', () => {
    const ruling = reply('case', [{ type: 'actions', actions: [{ action: ACTIONS.approve, label: 'Approve', value: '7' }, { action: ACTIONS.ask, label: 'Ask', value: '7' }] }]);
    expect(caseRefreshOf(ruling)).toEqual({ verb: TEAMS_IDS.refresh.disputeCase, data: { value: '7' } });
    expect(renderReply(ruling).refresh?.action).toMatchObject({ type: 'Action.Execute', verb: TEAMS_IDS.refresh.disputeCase, data: { value: '7' } });
    const reminder = reply('reminder', [...ruling.blocks, { type: 'actions', actions: [{ action: ACTIONS.snooze, label: 'Snooze 1h', value: '7:1h' }] }]);
    expect(caseRefreshOf(reminder)).toBeUndefined();
  });
});

describe('renderForm', () => {
  const form: Form = {
    id: FORMS.claim,
    title: 'Register a deal',
    submitLabel: 'Claim',
    fields: [
      { id: 'account', label: 'Account', kind: 'account', required: true, initial: { value: 'acme', label: 'Acme Corporation' } },
      { id: 'route', label: 'Route to market', kind: 'select', required: true, options: [{ value: 'resell', label: 'resell' }, { value: 'referral', label: 'referral' }] },
      { id: 'amount', label: 'Amount', kind: 'number', required: false },
      { id: 'evidence', label: 'Evidence', kind: 'multiline', required: false, maxLength: 3000, hint: 'Meeting notes' },
    ],
    state: { dispute: '3' },
  };

  it('renders labelled inputs with the client-side checks and the hidden state on the submit button', () => {
    const card = renderForm(form);
    expect(card.body).toContainEqual({ type: 'Input.Text', id: 'account', label: 'Account', isRequired: true, errorMessage: 'Account is required.', placeholder: 'Account name, alias or web domain', maxLength: 200, value: 'Acme Corporation' });
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.ChoiceSet', id: 'route', style: 'compact', choices: [{ title: 'resell', value: 'resell' }, { title: 'referral', value: 'referral' }] }));
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.Number', id: 'amount', min: 0, isRequired: false }));
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.Text', id: 'evidence', isMultiline: true, maxLength: 3000 }));
    expect(card.body.at(-1)).toMatchObject({ type: 'ActionSet', actions: [{ type: 'Action.Execute', verb: TEAMS_IDS.submits[FORMS.claim], data: { state: { dispute: '3' } } }] });
  });

  it('shows the server’s errors under their fields, with what was typed', () => {
    const card = renderForm(form, { values: { account: 'zzqx', amount: 'lots', evidence: '**x**' }, errors: { account: 'No account matches "zzqx"', amount: 'A positive number, e.g. 50000' }, message: 'Please fix: account' });
    const ids = card.body.map((e) => (typeof e.id === 'string' ? e.id : e.type === 'TextBlock' ? `text:${String(e.text)}` : e.type));
    expect(ids).toEqual(['text:Register a deal', 'text:Please fix: account', 'account', 'text:No account matches "zzqx"', 'route', 'amount', 'text:A positive number, e.g. 50000', 'evidence', 'text:Meeting notes', 'ActionSet']);
    expect(card.body.find((e) => e.id === 'account')).toMatchObject({ value: 'zzqx' });
    // a typed value that is not a number cannot be put back in a number input
    expect(card.body.find((e) => e.id === 'amount')).not.toHaveProperty('value');
    expect(card.body.find((e) => e.id === 'evidence')).toMatchObject({ value: '**x**' });
    expect(readCard(card)).toContain('No account matches "zzqx"');
  });
});

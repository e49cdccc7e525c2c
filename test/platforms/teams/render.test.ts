import { describe, expect, it } from 'vitest';
import { formValues } from '../../../handlers/platforms/teams/bot.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { caseRefreshOf, clip, LIMITS, md, renderForm, renderPrivateStub, renderRefusal, renderReply } from '../../../handlers/platforms/teams/render.js';
import { ACTIONS, FORMS, quote, reply, text, type Form } from '../../../handlers/replies/model.js';
import { readCard } from '../../support/fake-connector.js';
import { checkTeamsCard } from '../../support/limits.js';

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
    // Adaptive Cards' date and time functions: typed, they would show a date the card makes up.
    ['signed {{DATE(2026-01-01T00:00:00Z, SHORT)}} at {{TIME(2026-01-01T09:00:00Z)}}', 'signed {\u200B{DATE(2026-01-01T00:00:00Z, SHORT)}} at {\u200B{TIME(2026-01-01T09:00:00Z)}}'],
    // A brace more in front leaves no "{{" whole: each brace followed by another is broken.
    ['{{{DATE(2026-01-01T00:00:00Z)}}} and {{{{TIME(2026-01-01T09:00:00Z)}}}}', '{\u200B{\u200B{DATE(2026-01-01T00:00:00Z)}}} and {\u200B{\u200B{\u200B{TIME(2026-01-01T09:00:00Z)}}}}'],
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

  it('a button asked about first (Approve) shows its question and the button that acts, under the card: the first click rules nothing', () => {
    const card = renderReply(
      reply('case', [
        {
          type: 'actions',
          actions: [
            { action: ACTIONS.approve, label: 'Approve: Northwind Partners', value: '7:northwind', style: 'primary', confirm: { title: 'Approve Northwind Partners?', text: 'Northwind Partners gets Acme (Analytics). A ruling is not undone.', yes: 'Approve' } },
            { action: ACTIONS.ask, label: 'Ask for information', value: '7' },
          ],
        },
      ]),
    );
    const [approve, ask] = (card.body.at(-1) as unknown as { actions: Record<string, unknown>[] }).actions;
    expect(approve).toEqual({
      type: 'Action.ShowCard',
      title: 'Approve: Northwind Partners',
      card: {
        type: 'AdaptiveCard',
        body: [
          { type: 'TextBlock', text: 'Approve Northwind Partners?', wrap: true, weight: 'Bolder' },
          { type: 'TextBlock', text: 'Northwind Partners gets Acme (Analytics). A ruling is not undone.', wrap: true },
        ],
        actions: [
          {
            type: 'Action.Execute',
            title: 'Approve',
            verb: TEAMS_IDS.actions[ACTIONS.approve],
            data: { value: '7:northwind' },
            style: 'positive',
            fallback: { type: 'Action.Submit', title: 'Approve', data: { value: '7:northwind', verb: TEAMS_IDS.actions[ACTIONS.approve] }, style: 'positive' },
          },
        ],
      },
    });
    // A button asked about nothing acts on its click.
    expect(ask).toMatchObject({ type: 'Action.Execute', verb: TEAMS_IDS.actions[ACTIONS.ask] });
    expect(checkTeamsCard(card)).toEqual([]);
  });

  it('a quote is set apart on a shaded container under its label, its line breaks kept inside it; list items and facts stay one line', () => {
    const typed = '*CONFIRMED BY LEGAL* ~rejected~ `x`\n• #1 Direct sales, registered Jan 1 (protected)\n:white_check_mark: Ruled by Pat Okafor: Northwind owns it. <!channel>';
    const card = renderReply(reply('s', [{ type: 'facts', facts: [{ label: 'Account', value: 'Acme\nRuled: yes' }] }, { type: 'list', items: [{ text: 'Deal\n• #1 fake', detail: 'stage\r\nproposal' }] }, quote('Evidence on claim #2 (Northwind Partners)', typed)]));
    expect(card.body[0]).toMatchObject({ type: 'FactSet', facts: [{ value: 'Acme Ruled: yes' }] });
    expect(card.body[1]).toMatchObject({ type: 'Container', items: [{ text: '• Deal • #1 fake' }, { text: 'stage proposal' }] });
    expect(card.body[2]).toEqual({
      type: 'Container',
      style: 'emphasis',
      items: [
        { type: 'TextBlock', text: 'Evidence on claim #2 (Northwind Partners)', wrap: true, isSubtle: true, size: 'Small' },
        { type: 'TextBlock', text: md(typed), wrap: true, spacing: 'Small' },
      ],
    });
    // Every line the partner typed is inside the quote, its markdown escaped.
    expect(readCard(card)).toContain('Ruled by Pat Okafor: Northwind owns it.');
    expect(JSON.stringify(card.body.slice(0, 2))).not.toContain('Ruled by');
    expect(md(typed)).toContain('\\*CONFIRMED BY LEGAL\\*');
  });

  it('a case card (only ruling buttons) refreshes to the case; so does a reminder (ruling and snooze buttons), marked as one; a card with other buttons does not', () => {
    const ruling = reply('case', [{ type: 'actions', actions: [{ action: ACTIONS.approve, label: 'Approve', value: '7' }, { action: ACTIONS.ask, label: 'Ask', value: '7' }] }]);
    expect(caseRefreshOf(ruling)).toEqual({ verb: TEAMS_IDS.refresh.disputeCase, data: { value: '7' } });
    expect(renderReply(ruling).refresh?.action).toMatchObject({ type: 'Action.Execute', verb: TEAMS_IDS.refresh.disputeCase, data: { value: '7' } });
    const reminder = reply('reminder', [...ruling.blocks, { type: 'actions', actions: [{ action: ACTIONS.snooze, label: 'Snooze 1h', value: '7:1h' }] }]);
    expect(caseRefreshOf(reminder)).toEqual({ verb: TEAMS_IDS.refresh.disputeCase, data: { value: '7', reminder: true } });
    const other = reply('other', [...ruling.blocks, { type: 'actions', actions: [{ action: ACTIONS.openCase, label: 'Open', value: '7' }] }]);
    expect(caseRefreshOf(other)).toBeUndefined();
  });
});

describe('what a screen reader and a small screen get of a card', () => {
  it('a toned line says its tone with the mark Slack shows too, not by its colour alone', () => {
    const card = renderReply(reply('s', [text('Claim #3 is protected.', 'good'), text('Claim #3 goes dormant tomorrow.', 'warning'), text('Claim #3 was not accepted.', 'attention'), text('Plain.'), text('Small print.', 'muted')]));
    expect(card.body.map((e) => e.text)).toEqual(['\u2705 Claim #3 is protected.', '\u26A0\uFE0F Claim #3 goes dormant tomorrow.', '\u26D4 Claim #3 was not accepted.', 'Plain.', 'Small print.']);
    expect(card.body.map((e) => e.color ?? e.isSubtle)).toEqual(['Good', 'Warning', 'Attention', undefined, true]);
  });

  it('a refusal has one look wherever it shows: ⚠️ in the Warning colour, as a warning line (and Slack\u2019s refusal); a failure on our side is ⛔ in Attention', () => {
    const why = 'Dispute #7 was already ruled by Dana Reyes.';
    const line = { type: 'TextBlock', text: `\u26A0\uFE0F ${why}`, color: 'Warning' };
    // The card that takes a clicked one's place, a case card under its refusal, and a form sent back with one.
    expect(renderRefusal(why).body[0]).toMatchObject(line);
    expect(renderReply(reply(why, [text(why, 'warning'), text('Nothing was changed.', 'muted')])).body[0]).toMatchObject(line);
    expect(renderForm({ id: FORMS.claim, title: 'Register a deal', submitLabel: 'Register', fields: [], state: {} }, { message: why }).body[1]).toMatchObject(line);
    expect(renderRefusal('Something went wrong on our side.', 'attention').body[0]).toMatchObject({ text: '\u26D4 Something went wrong on our side.', color: 'Attention' });
  });

  it('the title of a reply and of a form is a heading (Adaptive Cards 1.5), as Slack\u2019s header block', () => {
    expect(renderReply(reply('s', [text('x')], { title: 'Dispute #3: Acme' })).body[0]).toMatchObject({ type: 'TextBlock', text: 'Dispute #3: Acme', style: 'heading' });
    expect(renderForm({ id: FORMS.claim, title: 'Register a deal', submitLabel: 'Register', fields: [], state: {} }).body[0]).toMatchObject({ type: 'TextBlock', text: 'Register a deal', style: 'heading' });
    // Nothing else on the card is one.
    expect(JSON.stringify(renderReply(reply('s', [text('x'), { type: 'list', title: 'Claims', items: [{ text: '#1' }] }]))).includes('heading')).toBe(false);
  });

  it('a button\u2019s accessibility label is its tooltip (Adaptive Cards 1.5: read by a screen reader), on the action and its fallback: one line, tags broken, cut; its title unchanged', () => {
    const name = `Soylent <at>Corp</at>\n${'International Holdings '.repeat(20)}`;
    const card = renderReply(reply('1 dispute waiting', [{ type: 'actions', actions: [{ action: ACTIONS.openCase, label: 'Open #12', value: '12', accessibilityLabel: `Open dispute #12: ${name}` }, { action: ACTIONS.openCase, label: 'Open #13', value: '13' }] }]));
    const [open, other] = (card.body.find((e) => e.type === 'ActionSet') as unknown as { actions: { title: string; tooltip?: string; fallback: { tooltip?: string } }[] }).actions;
    expect(open!.title).toBe('Open #12');
    expect(open!.tooltip).toMatch(/^Open dispute #12: Soylent <\u200Bat>Corp<\u200B\/at> International Holdings .*…$/);
    expect(open!.tooltip!.length).toBeLessThanOrEqual(LIMITS.title + 2);
    expect(open!.fallback.tooltip).toBe(open!.tooltip);
    expect(other).not.toHaveProperty('tooltip');
    expect(checkTeamsCard(card)).toEqual([]);
  });

  it('a row of more buttons than Teams shows in one set (a queue\u2019s ten Open buttons) is split into sets of six, every button kept in order', () => {
    const open = Array.from({ length: 10 }, (_, i) => ({ action: ACTIONS.openCase, label: `Open #${i + 1}`, value: String(i + 1) }));
    const card = renderReply(reply('10 cases waiting', [text('Waiting for your ruling'), { type: 'actions', actions: open }]));
    const sets = card.body.filter((e) => e.type === 'ActionSet') as unknown as { actions: { title: string }[] }[];
    expect(sets.map((s) => s.actions.length)).toEqual([6, 4]);
    expect(sets.flatMap((s) => s.actions.map((a) => a.title))).toEqual(open.map((b) => b.label));
    expect(checkTeamsCard(card)).toEqual([]);
  });
});

describe('control characters', () => {
  /** Typed or imported before imports refused them: a bell, a terminal escape, a NUL, a DEL, a C1 control, a direction override. */
  const typed = 'Acme\u0007 deal\u001b[31m red\u0000\u007f\u009b\u202Egnp.exe';
  const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('no text a person reads holds one: each shows as �, and a typed line break stays a line break', () => {
    const card = renderReply(
      reply(typed, [
        text(typed),
        { type: 'facts', facts: [{ label: typed, value: typed }] },
        { type: 'list', title: typed, items: [{ text: typed, detail: typed }] },
        quote(typed, `${typed}\r\nsecond line`),
        { type: 'actions', actions: [{ action: ACTIONS.pickAccount, label: typed, value: 'acme' }] },
      ], { title: typed }),
    );
    const shown = JSON.stringify(card.body);
    expect(JSON.parse(shown)).toEqual(card.body);
    const texts: string[] = [];
    const walk = (v: unknown, key?: string): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
      else if (typeof v === 'string' && (key === 'text' || key === 'title' || key === 'value')) texts.push(v);
    };
    walk(card.body);
    expect(texts.filter((t) => t.includes('gnp.exe')).length).toBeGreaterThan(8);
    for (const t of texts) expect(t, t).not.toMatch(controls);
    expect(md(typed)).toBe('Acme� deal�\\[31m red����gnp.exe');
    expect(readCard(card)).toContain('gnp.exe\nsecond line');
    // Who asked what, as everyone in a channel reads it (what its button carries back is not shown).
    const stub = renderPrivateStub({ askerName: typed, command: typed, forUser: '29:x' });
    expect(stub.body[0]).toMatchObject({ type: 'TextBlock', text: expect.stringContaining('gnp.exe asked: Acme�') });
    for (const e of stub.body.filter((x) => x.type === 'TextBlock')) expect(e.text).not.toMatch(controls);
  });
});

describe('renderReply keeps a card well inside what Teams takes', () => {
  const items = (n: number, textLength: number, detailLength: number) =>
    Array.from({ length: n }, (_, i) => ({ text: `#${i} ${'Bigcorp Holdings '.repeat(20)}`.slice(0, textLength), detail: `${'Company-wide analytics rollout, stage negotiation. '.repeat(60)}`.slice(0, detailLength) }));
  /** The card as Teams measures it: its JSON, two bytes a character. */
  const utf16Bytes = (card: unknown) => JSON.stringify(card).length * 2;

  it('shows at most 40 items of a list, then how many more, as Slack does', () => {
    const card = renderReply(reply('300 claims', [{ type: 'list', title: 'Claims of Northwind Partners', items: items(300, 60, 80) }]));
    const text = readCard(card);
    expect(text.match(/^• #/gm)).toHaveLength(LIMITS.listItems);
    expect(text).toContain('• #39 ');
    expect(text).not.toContain('• #40 ');
    expect(text).toContain('…and 260 more not shown.');
    expect(utf16Bytes(card)).toBeLessThan(40_000);
  });

  it('a list that fits is shown whole, without a count', () => {
    const text = readCard(renderReply(reply('3', [{ type: 'list', items: items(3, 60, 80) }])));
    expect(text.match(/^• #/gm)).toHaveLength(3);
    expect(text).not.toContain('more not shown');
  });

  it('long items: the list shows its 40, their lines cut with an ellipsis and the details left out to make the room, and counts the rest', () => {
    const card = renderReply(reply('300 long claims', [{ type: 'list', title: 'Claims', items: items(300, 1000, 3000) }]));
    const lines = readCard(card).split('\n');
    const shown = lines.filter((l) => l.startsWith('• #')).length;
    expect(shown).toBe(LIMITS.listItems);
    expect(lines).toContain(`…and ${300 - shown} more not shown.`);
    // Details of 3,000 characters on 40 items cannot all fit even cut short: they are left out, the lines kept.
    expect(lines.filter((l) => l.startsWith('Company-wide'))).toEqual([]);
    for (const l of lines.filter((l) => l.startsWith('• #'))) expect(l.length).toBeLessThanOrEqual(LIMITS.itemText);
    expect(lines.some((l) => l.endsWith('…'))).toBe(true);
    expect(JSON.stringify(card.body).length).toBeLessThanOrEqual(LIMITS.cardChars);
    expect(utf16Bytes(card)).toBeLessThan(40_000);
  });

  it('a list a little too long for the card shows every item: their details are cut short first, their lines kept whole', () => {
    const long = items(25, 200, 1500);
    const card = renderReply(reply('25 claims', [{ type: 'list', title: 'Claims', items: long }]));
    const lines = readCard(card).split('\n');
    expect(lines.filter((l) => l.startsWith('• #'))).toEqual(long.map((i) => `• ${i.text}`));
    const details = lines.filter((l) => l.startsWith('Company-wide'));
    expect(details).toHaveLength(25);
    for (const d of details) {
      expect(d.endsWith('…')).toBe(true);
      expect(long[0]!.detail.startsWith(d.slice(0, -1))).toBe(true);
    }
    expect(readCard(card)).not.toContain('more not shown');
    expect(JSON.stringify(card.body).length).toBeLessThanOrEqual(LIMITS.cardChars);
  });

  it('items are left out only when even their shortest lines do not fit the room the rest of the card leaves', () => {
    const long = 'Signed NDA, see deck; call notes with the CIO and the procurement lead. '.repeat(30);
    const card = renderReply(reply('crowded', [...Array.from({ length: 8 }, () => text(long)), { type: 'list', title: 'Claims', items: items(25, 200, 300) }]));
    const lines = readCard(card).split('\n');
    const shown = lines.filter((l) => l.startsWith('• #'));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(25);
    for (const l of shown) expect(l.endsWith('…')).toBe(true);
    expect(lines.filter((l) => l.startsWith('Company-wide'))).toEqual([]);
    expect(lines).toContain(`…and ${25 - shown.length} more not shown.`);
    expect(JSON.stringify(card.body).length).toBeLessThanOrEqual(LIMITS.cardChars);
  });

  it('a realistic worst case (long title, texts, facts, lists and buttons) stays under 40 KB as UTF-16', () => {
    const long = 'Signed NDA, see deck; call notes with the CIO and the procurement lead. '.repeat(60);
    const card = renderReply(
      reply('worst', [
        text(long),
        text(long, 'attention'),
        { type: 'facts', facts: Array.from({ length: 6 }, (_, i) => ({ label: `Fact ${i}`, value: long.slice(0, 300) })) },
        { type: 'list', title: 'Claims', items: items(300, 1000, 3000) },
        { type: 'list', title: 'Why', items: items(6, 300, 1500) },
        { type: 'actions', actions: Array.from({ length: 5 }, (_, i) => ({ action: ACTIONS.logActivity, label: `Log activity on #${i}`, value: String(i) })) },
      ], { title: long }),
    );
    expect(utf16Bytes(card)).toBeLessThan(40_000);
    // a text is cut at its limit, not dropped
    expect(readCard(card)).toContain(long.slice(0, 1000));
  });

  it('many long quotes (a case whose every claim has pages of evidence) share the room: the card stays under 40 KB, each quote shows its start', () => {
    const notes = (i: number) => `Notes ${i}:\n${'**bold** _x_ [link](http://x) <at>y</at>\n'.repeat(80)}`;
    const card = renderReply(
      reply('case', [
        { type: 'facts', facts: [{ label: 'Account', value: 'Soylent Corp (Analytics)' }] },
        { type: 'list', title: 'Claims', items: items(12, 200, 300) },
        ...Array.from({ length: 12 }, (_, i) => quote(`Evidence on claim #${i + 1} (Partner ${i})`, notes(i))),
        { type: 'actions', actions: [{ action: ACTIONS.approve, label: 'Approve: Partner 0', value: '1:p0' }] },
      ]),
    );
    expect(utf16Bytes(card)).toBeLessThan(40_000);
    const text = readCard(card);
    for (let i = 0; i < 12; i++) expect(text).toContain(`Evidence on claim #${i + 1} (Partner ${i})\nNotes ${i}:`);
    // Each cut quote says it shows only the start.
    expect(text.match(/The first \d+ of \d+ characters\./g)).toHaveLength(12);
    expect(text).toContain(`of ${notes(0).trim().length} characters.`);
    expect(text).toContain('[Approve: Partner 0]');
    // One short quote is shown whole.
    expect(readCard(renderReply(reply('one', [quote('Evidence', notes(0).slice(0, 500))])))).toContain(notes(0).slice(0, 500).trim().split('\n').at(-1));
  });

  it('a cut quote names how much it shows, counting what is shown when the cut falls in a surrogate pair', () => {
    const words = `${'a'.repeat(1998)}😀${'b'.repeat(500)}`;
    const card = renderReply(reply('s', [quote('Evidence', words)]));
    const text = readCard(card);
    const shown = /\n(a+)…\n/.exec(text)![1]!.length;
    expect(text).toContain(`The first ${shown} of ${words.length} characters.`);
  });

  it('clip() cuts with an ellipsis and never splits a surrogate pair', () => {
    expect(clip('abcdef', 6)).toBe('abcdef');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('ab😀cd', 4)).toBe('ab…');
  });

  it('clip() cuts between the characters a reader sees: never a flag, an emoji sequence or a letter from its accent', () => {
    expect(clip('Team 🇩🇪🇫🇷 Berlin', 12)).toBe('Team 🇩🇪…');
    expect(clip(`Familien ${'👩🏽‍💻'.repeat(3)}`, 18)).toBe('Familien 👩🏽‍💻…');
    expect(clip('Cafe\u0301 de Paris', 5)).toBe('Caf…');
    const card = renderReply(reply('f', [{ type: 'facts', facts: [{ label: 'Account', value: `${'x'.repeat(LIMITS.factValue - 3)}🇩🇪🇫🇷` }] }]));
    expect(JSON.stringify(card)).toContain(`${'x'.repeat(LIMITS.factValue - 3)}…`);
    expect(JSON.stringify(card)).not.toContain('🇩…');
  });

  it('a private stub carries at most a bounded command', () => {
    const stub = renderPrivateStub({ askerName: 'Sam', command: `who-owns ${'x'.repeat(30_000)}`, forUser: '29:sam' });
    expect(utf16Bytes(stub)).toBeLessThan(10_000);
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
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.ChoiceSet', id: 'route', style: 'compact', placeholder: 'Choose one', choices: [{ title: 'resell', value: 'resell' }, { title: 'referral', value: 'referral' }] }));
    const many = renderForm({ id: 'claim', title: 'Register', submitLabel: 'Claim', fields: [{ id: 'claimant', label: 'Claim for', kind: 'select', required: true, options: Array.from({ length: 12 }, (_, k) => ({ value: `p${k}`, label: `Partner ${k}` })) }], state: {} });
    // A long list is filtered as the person types.
    expect(many.body).toContainEqual(expect.objectContaining({ type: 'Input.ChoiceSet', id: 'claimant', style: 'filtered' }));
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.Number', id: 'amount', min: 0, isRequired: false }));
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.Text', id: 'evidence', isMultiline: true, maxLength: 3000 }));
    expect(card.body.at(-1)).toMatchObject({ type: 'ActionSet', actions: [{ type: 'Action.Execute', verb: TEAMS_IDS.submits[FORMS.claim], data: { state: { dispute: '3' } } }] });
  });

  /** The data of a form card's submit button. */
  const submitData = (card: { body: unknown[] }) => (card.body.at(-1) as { actions: { data: Record<string, unknown> }[] }).actions[0]!.data;

  it('a prefilled account shows its name and carries its id beside it on the submit button; submitted unchanged, the name stands for the id', () => {
    const card = renderForm(form);
    const submit = submitData(card);
    expect(submit).toEqual({ state: { dispute: '3' }, prefill: { account: { label: 'Acme Corporation', value: 'acme' } } });
    expect(formValues({ ...submit, account: 'Acme Corporation', route: 'resell' })).toEqual({ account: 'acme', route: 'resell', dispute: '3' });
    expect(formValues({ ...submit, account: ' Acme Corporation ' }).account).toBe('acme');
    // typed over, it is what was typed
    expect(formValues({ ...submit, account: 'Acme Analytics' }).account).toBe('Acme Analytics');
    expect(formValues({ ...submit, account: '' }).account).toBe('');
    // shown again (the id came back from the submit), it shows the name and still carries the id
    const again = renderForm(form, { values: { account: 'acme' }, prefill: { account: { label: 'Acme Corporation', value: 'acme' } } });
    expect(again.body.find((e) => e.id === 'account')).toMatchObject({ value: 'Acme Corporation' });
    expect(submitData(again).prefill).toEqual({ account: { label: 'Acme Corporation', value: 'acme' } });
    // replaced by other text, the id is not carried any more
    const other = renderForm(form, { values: { account: 'zzqx' }, prefill: { account: { label: 'Acme Corporation', value: 'acme' } } });
    expect(submitData(other)).not.toHaveProperty('prefill');
  });

  it('shows the server’s errors under their fields, with what was typed', () => {
    const card = renderForm(form, { values: { account: 'zzqx', amount: 'lots', evidence: '**x**' }, errors: { account: 'No account matches "zzqx"', amount: 'A positive number, e.g. 50000' }, message: 'Please fix: account' });
    const ids = card.body.map((e) => (typeof e.id === 'string' ? e.id : e.type === 'TextBlock' ? `text:${String(e.text)}` : e.type));
    expect(ids).toEqual(['text:Register a deal', 'text:⚠️ Please fix: account', 'account', 'text:No account matches "zzqx"', 'route', 'amount', 'text:A positive number, e.g. 50000', 'evidence', 'text:Meeting notes', 'ActionSet']);
    expect(card.body.find((e) => e.id === 'account')).toMatchObject({ value: 'zzqx' });
    // a typed value that is not a number cannot be put back in a number input
    expect(card.body.find((e) => e.id === 'amount')).not.toHaveProperty('value');
    expect(card.body.find((e) => e.id === 'evidence')).toMatchObject({ value: '**x**' });
    expect(readCard(card)).toContain('No account matches "zzqx"');
  });
});

describe('lists sharing a card', () => {
  it('a long list does not leave a short one after it empty: each gets its share of the room', () => {
    const long = Array.from({ length: 200 }, (_, i) => ({ text: `Claim #${i} ${'by a partner with a long name '.repeat(8)}`, detail: 'Registered Dec 1, 2026, at proposal' }));
    const shown = readCard(renderReply(reply('Case', [{ type: 'list', title: 'Claims', items: long }, { type: 'list', title: 'Criteria', items: [{ text: 'Named account: not reached' }, { text: 'First registration: picked Northwind' }] }])));
    expect(shown).toContain('First registration: picked Northwind');
    expect(shown).toMatch(/Claims[\s\S]*more not shown[\s\S]*Criteria/);
  });
});

describe('quotes on a crowded card', () => {
  const evidence = (n: number, words: string) => Array.from({ length: n }, (_, i) => quote(`Evidence on claim #${i + 1} (Partner ${i + 1})`, `${words} ${i + 1}`, { many: true }));

  it('many short notes that fit are all shown, with the rationale after them', () => {
    const shown = readCard(renderReply(reply('Case', [...evidence(30, 'Met the CIO, note'), text('Ruled for P3.'), quote('Rationale', 'P3 sourced the deal')])));
    expect(shown).toContain('Met the CIO, note 30');
    expect(shown).toContain('P3 sourced the deal');
    expect(shown).not.toContain('not shown');
  });

  it('too many long notes: the last of them give way, the reason and the rationale stay', () => {
    const long = 'Call with the CIO, next steps agreed. '.repeat(80);
    const card = renderReply(reply('Case', [quote('Reason', 'They overlap on the renewal.'), ...evidence(80, long), text('Ruled for P3.'), quote('Rationale', 'P3 sourced the deal')]));
    const shown = readCard(card);
    expect(shown).toContain('They overlap on the renewal.');
    expect(shown).toContain('P3 sourced the deal');
    expect(shown).toMatch(/…and \d+ more notes not shown\./);
    expect(JSON.stringify(card.body).length).toBeLessThanOrEqual(LIMITS.cardMax);
  });
});

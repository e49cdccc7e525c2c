import { describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { accountOptions, escapeMrkdwn, LIMITS, mrkdwnText, plainFromSlack, renderForm, renderReply, resultView, truncate } from '../../../handlers/platforms/slack/render.js';
import { ACTIONS, FORMS, quote, reply, text, type Block, type Form } from '../../../handlers/replies/model.js';
import { checkSlackMessage } from '../../support/limits.js';
import { startSlack, textsIn, USERS } from '../../support/slack-harness.js';

type AnyBlock = { type: string; text?: { text: string; type: string }; fields?: { text: string }[]; elements?: { action_id: string; value: string; text: { text: string } }[] };
const blocksOf = (r: ReturnType<typeof renderReply>) => r.blocks as unknown as AnyBlock[];

describe('escaping', () => {
  it('escapes &, < and > for mrkdwn, & first', () => {
    expect(escapeMrkdwn('<!channel> & <@U1> &amp;')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt; &amp;amp;');
  });

  it('cuts escaped text without splitting an entity', () => {
    const s = mrkdwnText('<'.repeat(100), 50);
    expect(s.length).toBeLessThanOrEqual(50);
    expect(s).toMatch(/^(&lt;)+…$/);
    expect(truncate('x'.repeat(80), 75)).toHaveLength(75);
    expect(truncate('😀'.repeat(50), 75).endsWith('…')).toBe(true);
    expect(truncate('😀'.repeat(50), 75)).not.toMatch(/[\uD800-\uDBFF]…$/);
  });

  it('cuts between the characters a reader sees: never a flag, an emoji sequence or a letter from its accent', () => {
    // A flag is two regional indicators; an emoji family is people joined by zero-width joiners;
    // a name written decomposed (NFD) has its accent after the letter.
    expect(mrkdwnText('Team 🇩🇪🇫🇷 <Berlin>', 12)).toBe('Team 🇩🇪…');
    expect(truncate('Team 🇩🇪🇫🇷 Berlin', 12)).toBe('Team 🇩🇪…');
    expect(truncate(`Familien ${'👨‍👩‍👧‍👦'.repeat(3)}`, 25)).toBe('Familien 👨‍👩‍👧‍👦…');
    expect(truncate('Cafe\u0301 de Paris', 5)).toBe('Caf…');
    expect(mrkdwnText('Cafe\u0301 & Co', 5)).toBe('Caf…');
    // A long account name among the picker's options (75 characters).
    const name = `${'Ö'.repeat(70)}🇯🇵🇰🇷`;
    expect(accountOptions([{ id: 'x', name }])[0]!.text.text).toBe(`${'Ö'.repeat(70)}🇯🇵…`);
  });

  it.each([
    ['mentions', '<@U0PAT|'],
    ['special mentions', '<!subteam^S0|'],
    ['links', '<https://acme.com|'],
  ])('reads 300,000 characters of unclosed %s in one pass and keeps them as typed', (_, start) => {
    // Each "<" used to be searched to the end of the text for its ">".
    const typed = start.repeat(Math.ceil(300_000 / start.length));
    expect(plainFromSlack(typed)).toBe(typed);
    expect(plainFromSlack(`${typed}<@U0PAT|pat>`)).toBe(`${typed}@pat`);
  });

  it('turns Slack-formatted command text back into what was typed', () => {
    expect(plainFromSlack('<https://acme.com|acme.com> &amp; &lt;b&gt; <mailto:jo@acme.com|jo@acme.com>')).toBe('acme.com & <b> jo@acme.com');
  });

  it.each([
    ['a broadcast before the name', '<!channel> acme', ' acme'],
    ['broadcasts alone', '<!here> <!everyone|everyone>', ' '],
    ['a user mention', '<@U0PAT|pat> and <@U0SAM>', '@pat and @U0SAM'],
    ['a channel', 'see <#C0DEALS|deals>', 'see #deals'],
    ['a user group', '<!subteam^S0SALES|@sales> <!subteam^S0OPS>', '@sales '],
    ['a date', 'met <!date^1764000000^{date}|Nov 24, 2025>', 'met Nov 24, 2025'],
  ])('%s: mentions are what Slack shows, broadcasts are dropped', (_, typed, plain) => {
    expect(plainFromSlack(typed)).toBe(plain);
  });

  it('every mrkdwn text of a reply is escaped, and a line of text is plain text (shown literally); the tone shows as an emoji prefix', () => {
    const r = renderReply(reply('<!here>', [text('<!channel>', 'good'), { type: 'facts', facts: [{ label: '<a>', value: '<@U1>' }] }, { type: 'list', title: '<t>', items: [{ text: '<i>', detail: '<d>' }] }]));
    for (const t of textsIn(r)) if (t.type !== 'plain_text') expect(t.text).not.toMatch(/<[!@a-z]/);
    expect(r.text).toBe('&lt;!here&gt;');
    expect(blocksOf(r)[0]!.text).toEqual({ type: 'plain_text', text: '\u2705 <!channel>', emoji: false });
  });
});

describe('what a person typed', () => {
  const typed = '*CONFIRMED BY LEGAL* ~rejected~ `x`\n• #1 Direct sales, registered Jan 1 (protected)\n:white_check_mark: Ruled by Pat Okafor: Northwind owns it. <!channel>';

  it('a quote: its label in small print, its words in a rich text quote, shown literally, line breaks kept, mentions broken', () => {
    const r = renderReply(reply('s', [quote('Evidence on claim #2 (Northwind Partners)', typed)]));
    expect(r.blocks).toEqual([
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Evidence on claim #2 (Northwind Partners)', verbatim: true }] },
      { type: 'rich_text', elements: [{ type: 'rich_text_quote', elements: [{ type: 'text', text: typed.replace('<!channel>', '<\u200B!channel>') }] }] },
    ]);
  });

  it('list items are plain text, one line each: typed markers are no formatting, typed line breaks no lines of their own', () => {
    const r = renderReply(reply('s', [{ type: 'list', title: 'Claims', items: [{ text: '#2 Northwind Partners (protected)', detail: `resell, ${typed}` }] }]));
    const [title, items] = blocksOf(r);
    expect(title!.text).toEqual({ type: 'mrkdwn', text: '*Claims*', verbatim: true });
    expect(items!.text!.type).toBe('plain_text');
    expect(items!.text!.text.split('\n')).toEqual(['• #2 Northwind Partners (protected)', `      resell, ${typed.replace(/\n/g, ' ')}`]);
  });

  it('plain text never turns a typed :shortcode: into an emoji: the bot’s own emoji are Unicode characters', () => {
    const r = renderReply(reply('s', [text('Ruled', 'good'), text('careful', 'warning'), text('refused', 'attention'), { type: 'list', items: [{ text: '#2 Northwind', detail: ':white_check_mark: Ruled by Pat Okafor' }] }]));
        const found: { type: string; text: string; emoji?: boolean }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) {
        const o = v as { type?: string; text?: unknown };
        if (o.type === 'plain_text') found.push(o as { type: string; text: string; emoji?: boolean });
        else Object.values(o).forEach(walk);
      }
    };
    walk(r.blocks);
    expect(found).toHaveLength(4);
    for (const t of found) expect(t.emoji).toBe(false);
    expect(found.map((t) => t.text.split(' ')[0])).toEqual(['\u2705', '\u26A0\uFE0F', '\u26D4', '•']);
    expect(found[3]!.text).toContain(':white_check_mark: Ruled by Pat Okafor');
  });

  it.each([
    ['an account named with bold and strike markers', { label: 'Account', value: 'Soylent *URGENT* ~old~' }, 'Account\nSoylent *URGENT* ~old~'],
    ['a label naming a partner with italic and code markers', { label: 'Owner (Northwind _it_ `x`)', value: 'yes' }, 'Owner (Northwind _it_ `x`)\nyes'],
  ])('a fact with %s is plain text, shown as written', (_, fact, shown) => {
    const [field] = blocksOf(renderReply(reply('s', [{ type: 'facts', facts: [fact, { label: 'Stage', value: 'proposal' }] }])))[0]!.fields!;
    expect(field).toEqual({ type: 'plain_text', text: shown, emoji: false });
  });

  it('a fact without formatting markers keeps its label in bold', () => {
    const fields = blocksOf(renderReply(reply('s', [{ type: 'facts', facts: [{ label: 'Account', value: 'Soylent *URGENT*' }, { label: 'Stage', value: 'proposal & <b>' }] }])))[0]!.fields!;
    expect(fields[1]).toEqual({ type: 'mrkdwn', text: '*Stage*\nproposal &amp; &lt;b&gt;', verbatim: true });
  });

  it('a list title and a quote label with formatting markers are plain text, shown as written', () => {
    const r = renderReply(reply('s', [{ type: 'list', title: 'Claims on *Soylent*', items: [{ text: 'x' }] }, quote('Evidence on claim #4 (Northwind *Bold*)', 'words')]));
    const [title, , label] = blocksOf(r);
    expect(title!.text).toEqual({ type: 'plain_text', text: 'Claims on *Soylent*', emoji: false });
    expect(label!.elements).toEqual([{ type: 'plain_text', text: 'Evidence on claim #4 (Northwind *Bold*)', emoji: false }]);
  });

  it('a fact is one line: a typed line break shows as a space', () => {
    const r = renderReply(reply('s', [{ type: 'facts', facts: [{ label: 'Account', value: 'Acme\nRuled: yes' }] }]));
    expect(blocksOf(r)[0]!.fields![0]!.text).toBe('*Account*\nAcme Ruled: yes');
  });
});

describe('control characters', () => {
  /** Typed or imported before imports refused them: a bell, a terminal escape, a NUL, a DEL, a C1 control, a direction override. */
  const typed = 'Acme\u0007 deal\u001b[31m red\u0000\u007f\u009b\u202Egnp.exe';
  const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('no text a person reads holds one: each shows as �, and a typed line break stays a line break', () => {
    const r = renderReply(
      reply(typed, [
        text(typed),
        { type: 'facts', facts: [{ label: 'Opportunity', value: typed }] },
        { type: 'list', title: `Claims of ${typed}`, items: [{ text: typed, detail: typed }] },
        quote(`Evidence (${typed})`, `${typed}\r\nsecond line`),
        { type: 'actions', actions: [{ action: ACTIONS.pickAccount, label: typed, value: 'acme' }] },
      ], { title: typed }),
    );
    const texts = textsIn(r);
    expect(texts.length).toBeGreaterThan(8);
    for (const t of texts) expect(t.text, t.text).not.toMatch(controls);
    for (const t of texts) expect(t.text).toContain('Acme� deal�[31m red����gnp.exe');
    expect(texts.find((t) => t.type === 'rich_text')!.text).toContain('gnp.exe\nsecond line');
    const form = renderForm({ id: FORMS.claim, title: typed, submitLabel: 'Claim', intro: typed, fields: [{ id: 'stage', label: typed, kind: 'select', required: true, options: [{ value: 'x', label: typed }], placeholder: typed, hint: typed }], state: {} }, { channel: null, message: null });
    for (const t of textsIn(form)) expect(t.text, t.text).not.toMatch(controls);
    for (const o of accountOptions([{ id: 'acme', name: typed }])) expect(o.text.text).not.toMatch(controls);
  });
});

describe('Block Kit limits', () => {
  it('a long text is cut to 3000 characters', () => {
    const r = renderReply(reply('s', [text('y'.repeat(5000))]));
    expect(blocksOf(r)[0]!.text!.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
  });

  it('a long list is split into sections of at most 3000 characters', () => {
    const r = renderReply(reply('s', [{ type: 'list', title: 'Claims', items: Array.from({ length: 40 }, (_, i) => ({ text: `#${i} ${'z'.repeat(200)}`, detail: 'd'.repeat(100) })) }]));
    const sections = blocksOf(r).filter((b) => b.type === 'section');
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.text!.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(sections.map((s) => s.text!.text).join('\n')).toContain('#39 ');
  });

  it('more than 10 facts go into several sections', () => {
    const r = renderReply(reply('s', [{ type: 'facts', facts: Array.from({ length: 23 }, (_, i) => ({ label: `L${i}`, value: 'v' })) }]));
    expect(blocksOf(r).map((b) => b.fields?.length)).toEqual([10, 10, 3]);
  });

  it('a message keeps at most 50 blocks, saying how many were left out; a view 100', () => {
    const many: Block[] = Array.from({ length: 120 }, (_, i) => text(`t${i}`));
    const message = blocksOf(renderReply(reply('s', many)));
    expect(message).toHaveLength(LIMITS.messageBlocks);
    expect(JSON.stringify(message.at(-1))).toContain('…and 71 more not shown.');
    expect(renderReply(reply('s', many), 'home').blocks).toHaveLength(LIMITS.viewBlocks);
  });

  it('a card too long for 50 blocks keeps its buttons at the end, and never a quote’s label without its words', () => {
    const many: Block[] = [{ type: 'facts', facts: [{ label: 'Account', value: 'Soylent' }] }, ...Array.from({ length: 30 }, (_, i) => quote(`Evidence on claim #${i}`, `notes ${i}`)), { type: 'actions', actions: [{ action: ACTIONS.approve, label: 'Approve', value: '1:p0' }, { action: ACTIONS.award, label: 'Award', value: '1' }] }];
    const blocks = blocksOf(renderReply(reply('s', many)));
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(blocks.at(-1)!.type).toBe('actions');
    expect(blocks.at(-1)!.elements!.map((e) => e.text.text)).toEqual(['Approve', 'Award']);
    const notice = blocks.at(-2)!;
    expect(JSON.stringify(notice)).toMatch(/…and \d+ more not shown\./);
    // Every label kept has its words after it.
    blocks.forEach((b, i) => {
      if (b.type === 'context' && JSON.stringify(b).includes('Evidence on claim')) expect(blocks[i + 1]!.type).toBe('rich_text');
    });
    // 30 quotes, of which 23 are shown: the notice counts the quotes left out (a label and its words are one), not blocks.
    expect(blocks.filter((b) => b.type === 'rich_text').length).toBe(23);
    expect(JSON.stringify(notice)).toContain('…and 7 more not shown.');
  });

  it('a button\u2019s accessibility label (what a screen reader says of an Open button) is one line, without control characters, cut to 75 characters; its text is unchanged', () => {
    const name = `Soylent\u0007 Corp\n${'International Holdings '.repeat(5)}`;
    const open = { action: ACTIONS.openCase, label: 'Open #12', value: '12', accessibilityLabel: `Open dispute #12: ${name} (Analytics)` };
    const r = renderReply(reply('1 dispute waiting', [{ type: 'actions', actions: [open, { action: ACTIONS.openCase, label: 'Open #13', value: '13' }] }]));
    const [labelled, plainOne] = blocksOf(r).find((b) => b.type === 'actions')!.elements! as unknown as { text: { text: string }; accessibility_label?: string }[];
    expect(labelled!.text.text).toBe('Open #12');
    expect(labelled!.accessibility_label).toHaveLength(LIMITS.accessibilityLabel);
    expect(labelled!.accessibility_label).toMatch(/^Open dispute #12: Soylent\uFFFD Corp International Holdings .*…$/);
    // A button given none has none (Slack refuses an empty one).
    expect(plainOne).not.toHaveProperty('accessibility_label');
    expect(checkSlackMessage(r)).toEqual([]);
  });

  it('a list too long for 50 blocks (a queue of hundreds of cases) says how many of its items were left out, not how many sections', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ text: `#${i} ${'Bigcorp Holdings International '.repeat(6)}(Analytics): due Dec 4, 2026, 10:00 AM EST`, detail: `Recommendation: ${'Northwind Partners '.repeat(10)}(assigned to Pat Okafor)` }));
    const open = { type: 'actions' as const, actions: items.slice(0, 10).map((_, i) => ({ action: ACTIONS.openCase, label: `Open #${i}`, value: String(i) })) };
    const blocks = blocksOf(renderReply(reply('300 disputes waiting', [{ type: 'list', title: 'Waiting for your ruling', items }, open, text('Open shows a case.', 'muted')])));
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    const shown = blocks.filter((b) => b.type === 'section').flatMap((b) => b.text!.text.split('\n')).filter((l) => l.startsWith('• ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(300);
    expect(JSON.stringify(blocks.at(-3))).toContain(`…and ${300 - shown} more not shown.`);
    expect(blocks.at(-2)!.elements!.map((e) => e.text.text)).toEqual(items.slice(0, 10).map((_, i) => `Open #${i}`));
  });

  it('a ruled case too long for 50 blocks ends with its outcome and rationale: its notes and lists are cut before them, and counted', () => {
    const claims = Array.from({ length: 30 }, (_, i) => ({ text: `#${i} Partner ${i}, registered Nov 1, 2026 (pending)`, detail: `resell, Deal ${i}, stage proposal` }));
    const card: Block[] = [
      { type: 'facts', facts: [{ label: 'Account', value: 'Soylent Corp (Analytics)' }, { label: 'Arbitrator', value: 'Pat Okafor' }] },
      { type: 'list', title: 'Claims', items: claims },
      ...claims.map((_, i) => quote(`Evidence on claim #${i} (Partner ${i})`, `notes ${i}`, { many: true })),
      { type: 'list', title: 'Criteria', items: Array.from({ length: 5 }, (_, i) => ({ text: `Rule ${i}: no pick`, detail: 'why' })) },
      text('Ruled by Pat Okafor on Dec 1, 2026: Northwind Partners owns it.', 'good'),
      quote('Rationale', 'Northwind registered first.'),
    ];
    const blocks = blocksOf(renderReply(reply('s', card)));
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(blocks.slice(-3).map((b) => JSON.stringify(b))).toEqual([
      expect.stringContaining('\u2705 Ruled by Pat Okafor on Dec 1, 2026: Northwind Partners owns it.'),
      expect.stringContaining('"Rationale"'),
      expect.stringContaining('Northwind registered first.'),
    ]);
    // Every claim is shown (the list comes first), 21 of the 30 notes, none of the criteria: 9 notes and 5 criteria left out.
    const items = blocks.filter((b) => b.type === 'section' && b.text).flatMap((b) => b.text!.text.split('\n')).filter((l) => l.startsWith('• '));
    expect(items).toHaveLength(30);
    expect(blocks.filter((b) => b.type === 'rich_text' && JSON.stringify(b).includes('notes '))).toHaveLength(21);
    expect(JSON.stringify(blocks.at(-4))).toContain('…and 14 more not shown.');
  });

  it('what follows a reply’s last list is kept at its end only when it takes at most half the message', () => {
    const many: Block[] = [{ type: 'list', title: 'Claims', items: [{ text: '#1 Northwind' }] }, ...Array.from({ length: 60 }, (_, i) => text(`t${i}`))];
    const blocks = blocksOf(renderReply(reply('s', many)));
    expect(blocks).toHaveLength(LIMITS.messageBlocks);
    expect(JSON.stringify(blocks.at(-2))).toContain('t46');
    expect(JSON.stringify(blocks.at(-1))).toContain('…and 13 more not shown.');
  });

  it('buttons followed by a line keep both when cut; buttons anywhere are kept', () => {
    const many: Block[] = [...Array.from({ length: 30 }, (_, i) => quote(`Evidence ${i}`, `notes ${i}`)), { type: 'actions', actions: [{ action: ACTIONS.approve, label: 'Approve', value: '1:p0' }] }, text('Reply in the thread.', 'muted')];
    const blocks = blocksOf(renderReply(reply('s', many)));
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(blocks.slice(-2).map((b) => b.type)).toEqual(['actions', 'context']);
    expect(JSON.stringify(blocks.at(-3))).toMatch(/more not shown/);
  });

  it('buttons near the top are kept by the plain cut, with as many blocks after them as fit', () => {
    const many: Block[] = [text('Your claims'), { type: 'actions', actions: [{ action: ACTIONS.openClaim, label: 'Claim', value: '' }] }, ...Array.from({ length: 80 }, (_, i) => text(`t${i}`))];
    const blocks = blocksOf(renderReply(reply('s', many)));
    expect(blocks).toHaveLength(LIMITS.messageBlocks);
    expect(blocks[1]!.type).toBe('actions');
    expect(JSON.stringify(blocks.at(-1))).toContain('…and 33 more not shown.');
  });

  it('never more than 50 blocks, even with more rows of buttons than that', () => {
    const many: Block[] = [...Array.from({ length: 60 }, (_, i) => text(`t${i}`)), { type: 'actions', actions: Array.from({ length: 1300 }, (_, i) => ({ action: ACTIONS.pickAccount, label: `a${i}`, value: `a${i}` })) }];
    const blocks = blocksOf(renderReply(reply('s', many)));
    expect(blocks).toHaveLength(LIMITS.messageBlocks);
    expect(blocks.at(-1)!.type).toBe('actions');
  });

  it('buttons: at most 25 per actions block, unique action ids, text ≤ 75, value ≤ 2000', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({ action: ACTIONS.pickAccount, label: `${i} ${'b'.repeat(100)}`, value: 'v'.repeat(3000) }));
    const r = blocksOf(renderReply(reply('s', [{ type: 'actions', actions: buttons }])));
    const actions = r.filter((b) => b.type === 'actions');
    expect(actions.map((a) => a.elements!.length)).toEqual([25, 5]);
    const elements = actions.flatMap((a) => a.elements!);
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(30);
    expect(elements[0]!.action_id).toBe(SLACK_IDS.actions.pick_account);
    expect(elements[1]!.action_id).toBe(`${SLACK_IDS.actions.pick_account}:1`);
    for (const e of elements) {
      expect(e.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
      expect(e.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
    }
  });
});

type OptionSeen = { text: { type: string; text: string }; value: string };
type SelectSeen = { type: string; options?: OptionSeen[]; option_groups?: { label: { type: string; text: string }; options: OptionSeen[] }[]; initial_option?: OptionSeen; placeholder?: { text: string } };

/** What Slack checks of a static select: options or groups (not both), the counts, the lengths, an initial option among them. */
function expectValidStaticSelect(el: SelectSeen): OptionSeen[] {
  expect(el.type).toBe('static_select');
  expect(Boolean(el.options) !== Boolean(el.option_groups)).toBe(true);
  const groups = el.option_groups ?? [];
  expect(groups.length).toBeLessThanOrEqual(LIMITS.optionGroups);
  for (const g of groups) {
    expect(g.label.type).toBe('plain_text');
    expect(g.label.text.length).toBeGreaterThan(0);
    expect(g.label.text.length).toBeLessThanOrEqual(LIMITS.optionGroupLabel);
    expect(g.options.length).toBeGreaterThan(0);
    expect(g.options.length).toBeLessThanOrEqual(LIMITS.options);
  }
  const all = el.options ?? groups.flatMap((g) => g.options);
  expect(all.length).toBeLessThanOrEqual(LIMITS.options * LIMITS.optionGroups);
  if (el.options) expect(el.options.length).toBeLessThanOrEqual(LIMITS.options);
  for (const o of all) {
    expect(o.text.text.length).toBeLessThanOrEqual(LIMITS.optionText);
    expect(o.value.length).toBeLessThanOrEqual(150);
  }
  expect(new Set(all.map((o) => o.value)).size).toBe(all.length);
  if (el.initial_option) expect(all).toContainEqual(el.initial_option);
  if (el.placeholder) expect(el.placeholder.text.length).toBeLessThanOrEqual(LIMITS.placeholder);
  return all;
}

describe('selects with more than 100 choices (the "Claim for" list with every partner)', () => {
  const choices = (n: number) => [{ value: 'direct', label: 'Direct sales' }, ...Array.from({ length: n }, (_, i) => ({ value: `partner-${i + 1}`, label: `Partner ${String(i + 1).padStart(5, '0')}` }))];
  const selectOf = (options: { value: string; label: string }[], initial?: string, placeholder?: string) => {
    const view = renderForm({ id: FORMS.claim, title: 'Register a deal', submitLabel: 'Claim', fields: [{ id: 'claimant', label: 'Claim for', kind: 'select', required: true, options, ...(initial ? { initial: { value: initial, label: initial } } : {}), ...(placeholder ? { placeholder } : {}) }], state: {} }, { channel: null, message: null });
    return (view.blocks[0] as unknown as { element: SelectSeen }).element;
  };

  it('a choice whose value is longer than an option holds (150) is left out, not sent to fail the whole form', () => {
    const long = `p-${'y'.repeat(149)}`;
    const el = selectOf([...choices(3), { value: long, label: 'Longid Partners' }], long);
    expect(expectValidStaticSelect(el).map((o) => o.value)).toEqual(['direct', 'partner-1', 'partner-2', 'partner-3']);
    expect(el.initial_option).toBeUndefined();
    expect(accountOptions([{ id: long, name: 'Zeppelin' }, { id: 'zep', name: 'Zeppelin Widgets' }]).map((o) => o.value)).toEqual(['zep']);
    const account = renderForm({ id: FORMS.claim, title: 'Register a deal', submitLabel: 'Claim', fields: [{ id: 'account', label: 'Account', kind: 'account', required: true, initial: { value: long, label: 'Zeppelin' } }], state: {} }, { channel: null, message: null });
    expect((account.blocks[0] as unknown as { element: { initial_option?: unknown } }).element.initial_option).toBeUndefined();
  });

  it('up to 100 choices stay a plain options list', () => {
    const el = selectOf(choices(99), 'direct');
    expect(el.option_groups).toBeUndefined();
    expect(expectValidStaticSelect(el)).toHaveLength(100);
    expect(el.initial_option).toEqual(el.options![0]);
  });

  it('120 partners: partner #120 is selectable, groups of ≤ 100 labelled by their range, Direct still the initial option', () => {
    const el = selectOf(choices(120), 'direct');
    const all = expectValidStaticSelect(el);
    expect(all).toHaveLength(121);
    expect(all.map((o) => o.value)).toContain('partner-120');
    expect(all.at(-1)).toEqual({ text: { type: 'plain_text', text: 'Partner 00120', emoji: false }, value: 'partner-120' });
    expect(el.option_groups!.map((g) => [g.label.text, g.options.length])).toEqual([
      ['Direct sales – Partner 00060', 61],
      ['Partner 00061 – Partner 00120', 60],
    ]);
    expect(el.initial_option).toEqual({ text: { type: 'plain_text', text: 'Direct sales', emoji: false }, value: 'direct' });
  });

  it('an initial choice past the 100th is still set, from its group', () => {
    const el = selectOf(choices(150), 'partner-140');
    expectValidStaticSelect(el);
    expect(el.initial_option?.value).toBe('partner-140');
    expect(el.option_groups!.some((g) => g.options.some((o) => o === el.initial_option || JSON.stringify(o) === JSON.stringify(el.initial_option)))).toBe(true);
  });

  it('long labels make group labels within 75 characters', () => {
    const el = selectOf(Array.from({ length: 230 }, (_, i) => ({ value: `v${i}`, label: `${'Long partner name '.repeat(6)}${i}` })));
    expectValidStaticSelect(el);
    expect(el.option_groups).toHaveLength(3);
  });

  it('past 100 × 100 choices the rest are cut, and the placeholder says how many', () => {
    const el = selectOf(choices(10_049), 'partner-10049', 'Choose who the deal is for');
    const all = expectValidStaticSelect(el);
    expect(all).toHaveLength(10_000);
    expect(el.option_groups).toHaveLength(100);
    expect(el.initial_option).toBeUndefined();
    expect(el.placeholder!.text).toBe('Choose who the deal is for (10,000 of 10,050 listed; 50 not shown)');
  });
});

describe('forms as modals', () => {
  const form: Form = {
    id: FORMS.claim,
    title: 'Register a deal on a very long account name',
    submitLabel: 'Claim',
    intro: 'Fill <this> in',
    fields: [
      { id: 'account', label: 'Account', kind: 'account', required: true, initial: { value: 'acme', label: 'Acme Corporation' } },
      { id: 'claimant', label: 'Claim for', kind: 'select', required: true, options: Array.from({ length: 130 }, (_, i) => ({ value: `p${i}`, label: `Partner ${i} ${'n'.repeat(90)}` })), initial: { value: 'p1', label: 'x' } },
      { id: 'amount', label: 'Amount', kind: 'number', required: false },
      { id: 'evidence', label: 'Evidence', kind: 'multiline', required: false, maxLength: 3000, hint: 'Notes' },
    ],
    state: { dispute: '7' },
  };
  const view = renderForm(form, { channel: 'C1', message: { channel: 'D1', ts: '1.2' } });
  const inputs = view.blocks.filter((b) => b.type === 'input') as unknown as { block_id: string; optional: boolean; element: Record<string, unknown> & { options?: { text: { text: string } }[] } }[];

  it('has the form’s callback id, a title within 24 characters, and its state and origin in private_metadata', () => {
    expect(view.callback_id).toBe(SLACK_IDS.views.claim);
    expect(view.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
    expect(JSON.parse(view.private_metadata!)).toEqual({ state: { dispute: '7' }, channel: 'C1', message: { channel: 'D1', ts: '1.2' } });
  });

  it('one input per field, block_id = field id, the right element per kind', () => {
    expect(inputs.map((b) => [b.block_id, b.element.type, b.optional])).toEqual([
      ['account', 'external_select', false],
      ['claimant', 'static_select', false],
      ['amount', 'number_input', true],
      ['evidence', 'plain_text_input', true],
    ]);
    expect(inputs[0]!.element).toMatchObject({ action_id: SLACK_IDS.options.account, min_query_length: 1, initial_option: { value: 'acme', text: { text: 'Acme Corporation' } } });
    expect(inputs[3]!.element).toMatchObject({ multiline: true, max_length: 3000 });
  });

  it('a select of more than 100 choices lists them all in option groups, text ≤ 75, and the initial option is one of them', () => {
    const el = inputs[1]!.element as unknown as SelectSeen;
    expect(el.options).toBeUndefined();
    const all = el.option_groups!.flatMap((g) => g.options);
    expect(all.map((o) => o.value)).toEqual(Array.from({ length: 130 }, (_, i) => `p${i}`));
    for (const o of all) expect(o.text.text.length).toBeLessThanOrEqual(LIMITS.optionText);
    expect(el.initial_option).toEqual(all[1]);
  });

  it('the intro is plain text, shown as written', () => {
    expect(view.blocks[0]).toMatchObject({ type: 'section', text: { type: 'plain_text', text: expect.stringContaining('Fill <this> in') } });
  });

  it('a result view has a Done button and no submit', () => {
    const r = resultView(reply('ok', [text('Done')], { title: 'A title much longer than twenty-four' }), 'Claim');
    expect(r.submit).toBeUndefined();
    expect(r.close?.text).toBe('Done');
    expect(r.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
    expect(JSON.stringify(r.blocks)).toContain('A title much longer than twenty-four');
  });
});

describe('the Slack claim modal with more than 100 partners', () => {
  it('an internal user can claim for partner #120: it is in the modal and the submission files it', async () => {
    const h = await startSlack();
    try {
      for (let i = 1; i <= 120; i++) h.rt.store.partners.upsert({ id: `bulk-${i}`, name: `Zz Bulk Partner ${String(i).padStart(3, '0')}`, tier: null, slackTeamId: null, teamsTenantId: null });
      const view = await h.openForm(USERS.sam, SLACK_IDS.commands.claim, 'soylent');
      const claimant = (view.blocks as unknown as { block_id?: string; element: SelectSeen }[]).find((b) => b.block_id === 'claimant')!.element;
      const all = expectValidStaticSelect(claimant);
      expect(all.length).toBe(h.rt.store.partners.all().length + 1);
      expect(all.map((o) => o.value)).toContain('bulk-120');
      expect(claimant.initial_option?.value).toBe('direct');
      const res = await h.submit(USERS.sam, view, { account: 'soylent', claimant: 'bulk-120', route: 'resell', product: 'Services', opportunity: 'Soylent services', stage: 'qualified' });
      expect((res.json() as { response_action: string }).response_action).toBe('update');
      expect(h.rt.store.claims.all().at(-1)).toMatchObject({ accountId: 'soylent', claimant: 'bulk-120' });
    } finally {
      await h.close();
    }
  });
});

/**
 * A Teams form card submits its fields beside the bot's own data keys (value, state, prefill,
 * instance, verb, for…), which the bot takes out before the handler reads the form: a field
 * named as one of them would be dropped without a word (the form would read it as left empty).
 */
import { afterEach, expect, it } from 'vitest';
import { answerForm } from '../../../handlers/answer.js';
import { claimForm } from '../../../handlers/claim.js';
import { disputeForm } from '../../../handlers/dispute.js';
import { askForm, awardForm } from '../../../handlers/rule.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { formValues } from '../../../handlers/platforms/teams/bot.js';
import type { Form } from '../../../handlers/replies/model.js';
import { openArbitratedCase } from '../../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../../support/runtime.js';

let rt: TestRuntime;
afterEach(() => rt?.close());

it("no form's field is named as one of the bot's own card data keys, whoever it is shown to", () => {
  rt = testRuntime();
  const d = openArbitratedCase(rt);
  const colleague = as.person(rt, 'sam');
  const partner = as.partner(rt, 'northwind');
  const forms: Form[] = [
    claimForm(rt.deps, colleague),
    claimForm(rt.deps, partner),
    disputeForm(rt.deps, colleague),
    disputeForm(rt.deps, partner),
    awardForm(rt.deps, as.person(rt, 'pat'), String(d.id)),
    askForm(rt.deps, as.person(rt, 'pat'), String(d.id)),
    answerForm(rt.deps, partner, `${d.id}:When did you meet them?`),
  ];
  const reserved = new Set<string>(Object.values(TEAMS_IDS.data));
  for (const form of forms) {
    const ids = form.fields.map((f) => f.id);
    expect(ids.filter((id) => reserved.has(id)), `${form.id}: ${ids.join(', ')}`).toEqual([]);
    // What the card submits for each field reaches the handler as typed.
    const submitted = Object.fromEntries(ids.map((id) => [id, `typed ${id}`]));
    expect(formValues(submitted)).toEqual(submitted);
  }
});

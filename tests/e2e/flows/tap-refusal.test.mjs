// A refused TAP request in a real Teams client: Megan (manager, Sales) types the sign-in name of
// Pradeep Gupta, who reports to Nestor Wilke. The form comes back in place with the problem at the
// top and what she typed kept; nothing is filed and no approver hears of it.
// Runs only with E2E_FLOWS=1 (see run-suite.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTeams } from '../lib/harness.mjs';

const open = useTeams(['megan', 'adele']);

const FORM = 'Request a Temporary Access Pass';
const PRADEEP = 'pradeep.gupta@contoso.com';
const REASON = 'Onboarding: first sign-in';

test("tap refusal: a manager asks for someone who is not her report and the form says why", async (t) => {
  const adele = await open('adele', t); // an approver with an open chat: she must not get a card
  const megan = await open('megan', t);
  await Promise.all([adele, megan].map((c) => c.waitForQuiet()));

  // The help card names the form too ("Request a Temporary Access Pass for ..."): wait for a new card.
  const helpCards = await megan.countCards(FORM);
  await megan.sendText('tap');
  const card = await megan.waitForCard(FORM, { after: helpCards });
  const inputs = megan.cardInputs(FORM);
  assert.ok(!inputs.find((i) => i.id === 'user')?.choices?.some((c) => c.value === PRADEEP), 'Pradeep is not among the offered reports');
  await megan.fillCardInput('userUpn', PRADEEP, { card });
  await megan.fillCardInput('reason', REASON, { card });
  await megan.screenshot('01-megan-asks-for-pradeep');
  await megan.clickCardButton('Submit request', { card });

  // The same card comes back as the form, with the problem above the fields.
  await megan.waitForCardText(card, /only for your own direct reports/);
  await megan.screenshot('02-megan-form-with-problem');
  const text = await megan.cardText(card);
  assert.ok(text.startsWith(FORM), 'it is the request form again');
  assert.match(text, /Pradeep Gupta's manager/, 'the problem names the person');
  const problemAt = text.indexOf('only for your own direct reports');
  const firstField = text.indexOf('New hire (your direct reports)');
  assert.ok(firstField > 0 && problemAt < firstField, 'the problem is at the top, above the first field');
  assert.deepEqual(await megan.cardButtons(card), ['Submit request'], 'she can fix it and submit again');

  // What she typed is kept, so she only fixes what is wrong.
  assert.equal(await card.getByLabel('Or someone else (sign-in name)').inputValue(), PRADEEP);
  assert.equal(await card.getByLabel('Reason').inputValue(), REASON);

  // Nothing was filed: no request card for Megan, no approval card for Adele.
  assert.equal(await megan.countCards('Your TAP request for'), 0, 'no request was filed');
  await adele.waitForQuiet();
  assert.equal(await adele.countCards('TAP request for'), 0, 'no approver was asked');
  await adele.screenshot('03-adele-got-nothing');
});

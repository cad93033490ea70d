// TAP request end to end across three Teams clients: Megan (manager) asks for a pass for her new
// hire Diego Siciliani, Adele (approver) approves, Alex (the other approver) sees who decided,
// Megan reveals the pass and revokes it. Runs only with E2E_FLOWS=1 (see run-suite.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTeams } from '../lib/harness.mjs';

const open = useTeams(['megan', 'adele', 'alex']);

const describeInput = (i) => `${i.id ?? ''} ${i.label ?? ''} ${i.placeholder ?? ''} ${i.title ?? ''}`;

// Words that look like a pass: 8+ visible characters mixing letters with digits or symbols.
const passLike = (text) => new Set(text.split(/\s+/).filter((w) => /^\S{8,64}$/.test(w) && /[A-Za-z]/.test(w) && /[^A-Za-z]/.test(w)));

test('tap request: manager asks, an approver approves, the manager reveals and revokes the pass', async (t) => {
  // Approvers open Teams first: the bot learns their chats from their install events and can
  // then post the approval card to them (there is no other way to reach a Playground instance).
  const adele = await open('adele', t);
  const alex = await open('alex', t);
  const megan = await open('megan', t);
  await Promise.all([adele, alex, megan].map((c) => c.waitForQuiet()));

  // 1. The manager asks for a pass.
  await megan.sendText('tap');
  const form = await megan.waitForCard('Request a Temporary Access Pass');
  await megan.screenshot('01-megan-request-form');
  const inputs = megan.cardInputs('Request a Temporary Access Pass');
  const who = inputs.find((i) => /hire|user|upn|who|person/i.test(describeInput(i)));
  assert.ok(who, `the request card has a field for the new hire (inputs: ${inputs.map(describeInput).join(' / ')})`);
  const diego = who.choices?.find((c) => /diego/i.test(`${c.title} ${c.value}`));
  await megan.fillCardInput(who.id, diego ? diego.value : 'diego.siciliani@contoso.com', { card: form });
  const reason = inputs.find((i) => /reason|justification|why/i.test(describeInput(i)));
  if (reason) await megan.fillCardInput(reason.id, 'Onboarding: first sign-in and passkey registration', { card: form });
  await megan.screenshot('02-megan-request-filled');
  await megan.clickCardButton('Submit request', { card: form });
  await megan.waitForQuiet();
  await megan.screenshot('03-megan-request-submitted');

  // 2. Both approvers get the request; Adele approves.
  const adeleCard = await adele.waitForCard('TAP request', { timeout: 30000 });
  const alexCard = await alex.waitForCard('TAP request', { timeout: 30000 });
  assert.match(await adele.cardText(adeleCard), /Diego Siciliani|diego\.siciliani/i, 'the approval card names the new hire');
  assert.match(await adele.cardText(adeleCard), /Megan Bowen/, 'the approval card names the requester');
  await adele.screenshot('04-adele-approval-card');
  await adele.clickCardButton('Approve', { card: adeleCard });
  await adele.waitForCardText(adeleCard, /approved/i);
  await adele.screenshot('05-adele-approved');

  // The first decision wins and the other approver's card says who decided.
  await alex.waitForCardText(alexCard, /Adele Vance/, { timeout: 30000 });
  assert.equal(await alexCard.getByRole('button', { name: 'Approve', exact: true }).count(), 0, "Alex's card no longer offers Approve");
  await alex.screenshot('06-alex-card-shows-decision');

  // 3. The manager gets the pass behind a reveal action.
  const delivery = await megan.waitForCard('Reveal pass', { timeout: 30000 });
  const beforeReveal = await megan.cardText(delivery);
  await megan.screenshot('07-megan-pass-ready');
  await megan.clickCardButton('Reveal pass', { card: delivery });
  await delivery.getByRole('button', { name: 'Revoke', exact: true }).waitFor({ timeout: 20000 });
  const afterReveal = await megan.cardText(delivery);
  assert.notEqual(afterReveal, beforeReveal, 'revealing changes the card');
  const shown = [...passLike(afterReveal)].filter((w) => !beforeReveal.includes(w));
  assert.ok(shown.length > 0, 'the revealed card shows a pass-like value');
  // The pass itself never goes into test output: masked in the screenshot, not named in messages.
  await megan.screenshot('08-megan-pass-revealed', { mask: [delivery] });

  // Only the requester sees it.
  for (const approver of [adele, alex]) {
    const text = await approver.page.locator('body').innerText();
    assert.ok(!shown.some((w) => text.includes(w)), `the pass does not appear in ${approver.persona.user.name}'s Teams`);
  }

  // 4. The manager revokes it.
  await megan.clickCardButton('Revoke', { card: delivery });
  const confirm = delivery.getByRole('button', { name: /^(confirm|yes|revoke now|revoke pass)/i });
  if (await confirm.count()) await confirm.first().click();
  await megan.waitForCardText(delivery, /revoked/i);
  const afterRevoke = await megan.cardText(delivery);
  assert.ok(!shown.some((w) => afterRevoke.includes(w)), 'the revoked card no longer shows the pass');
  await megan.screenshot('09-megan-pass-revoked');
});

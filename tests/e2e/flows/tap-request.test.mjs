// TAP request end to end across three Teams clients: Megan (manager) asks for a pass for her new
// hire Diego Siciliani, Adele (approver) approves, Alex (the other approver) sees who decided,
// Megan reveals the pass and revokes it. Runs only with E2E_FLOWS=1 (see run-suite.mjs).
//
// The pass itself never goes into test output: checks on it answer booleans, and every
// screenshot taken while it is on screen masks it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filesContain, useTeams } from '../lib/harness.mjs';
import { largestText } from '../lib/teams-chat.mjs';

const open = useTeams(['megan', 'adele', 'alex']);

const FORM = 'Request a Temporary Access Pass';
const DIEGO = { name: 'Diego Siciliani', upn: 'diego.siciliani@contoso.com' };
const FORM_INPUTS = ['user', 'userUpn', 'startDate', 'startTime', 'lifetimeMinutes', 'usableOnce', 'reason'];

const sorted = (list) => [...list].sort();

/** Cards show times through {{DATE()}} / {{TIME()}}: the client must have expanded them. */
// A reader whose client has said which zone it is in (Megan, who typed) reads Berlin times; one the bot only knows from
// the install event, whose clientInfo names no zone, reads UTC: either way every time is labelled with its zone.
async function assertTimesRendered(chat, card, what, { berlin = false } = {}) {
  const text = await chat.cardText(card);
  assert.ok(!text.includes('{{'), `${what}: times are rendered, no template left`);
  assert.match(text, berlin ? /\(UTC\+0[12]:00\)/ : /(\(UTC[+-]\d\d:\d\d\)|UTC)/, `${what}: times are labelled with the reader's zone`);
}

test('tap request: manager asks, an approver approves, the manager reveals and revokes the pass', async (t) => {
  // Approvers open Teams first: the bot learns their chats from their install events and can
  // then post the approval card to them (there is no other way to reach a Playground instance).
  const adele = await open('adele', t);
  const alex = await open('alex', t);
  const megan = await open('megan', t);
  await Promise.all([adele, alex, megan].map((c) => c.waitForQuiet()));

  // 1. The manager asks for a pass: the form offers her direct reports; she picks Diego.
  // The help card names the form too ("Request a Temporary Access Pass for ..."): wait for a new card.
  const helpCards = await megan.countCards(FORM);
  await megan.sendText('tap');
  const card = await megan.waitForCard(FORM, { after: helpCards });
  await megan.screenshot('01-megan-request-form');
  assert.match(await megan.cardText(card), /at \(UTC\+0[12]:00, Europe\/Berlin\)/, 'the start time is asked in Megan\'s zone');
  const inputs = new Map(megan.cardInputs(FORM).map((i) => [i.id, i]));
  assert.deepEqual(sorted(FORM_INPUTS.filter((id) => inputs.has(id))), sorted(FORM_INPUTS), 'the form has every request field');
  const diego = inputs.get('user').choices?.find((c) => c.title.includes(DIEGO.upn));
  assert.ok(diego, `${DIEGO.name} is offered among Megan's direct reports`);
  assert.match(diego.title, new RegExp(DIEGO.name));
  await megan.fillCardInput('user', diego.value, { card });
  await megan.fillCardInput('reason', 'Onboarding: first sign-in and passkey registration', { card });
  await megan.screenshot('02-megan-request-filled');
  await megan.clickCardButton('Submit request', { card });

  // The form turns into the request's card, in place.
  await megan.waitForCardText(card, `Your TAP request for ${DIEGO.name}`);
  const filed = await megan.cardText(card);
  assert.match(filed, /Request filed\. I've asked the approvers\./);
  assert.match(filed, /Waiting for approval/);
  assert.deepEqual(await megan.cardButtons(card), ['Cancel request']);
  assert.equal(await megan.countCards(FORM), helpCards, 'the form was replaced, not followed by another card');
  await assertTimesRendered(megan, card, "Megan's request card", { berlin: true });
  await megan.screenshot('03-megan-request-filed');

  // 2. Both approvers get the request card.
  const adeleCard = await adele.waitForCard(`TAP request for ${DIEGO.name}`, { timeout: 30000 });
  const alexCard = await alex.waitForCard(`TAP request for ${DIEGO.name}`, { timeout: 30000 });
  for (const [chat, approverCard] of [[adele, adeleCard], [alex, alexCard]]) {
    const who = chat.persona.user.name;
    const text = await chat.cardText(approverCard);
    assert.match(text, new RegExp(DIEGO.upn.replace(/\./g, '\\.')), `${who}'s card names the new hire`);
    assert.match(text, /Requested by\s+Megan Bowen/, `${who}'s card names the requester`);
    assert.match(text, /Waiting for approval/, `${who}'s card says it waits for a decision`);
    assert.deepEqual(sorted(await chat.cardButtons(approverCard)), ['Approve', 'Reject'], `${who} can approve or reject`);
    await assertTimesRendered(chat, approverCard, `${who}'s approval card`);
  }
  await adele.screenshot('04-adele-approval-card');
  await alex.screenshot('05-alex-approval-card');

  // Adele approves; her card changes in place.
  await adele.clickCardButton('Approve', { card: adeleCard });
  await adele.waitForCardText(adeleCard, /Approved by Adele Vance/);
  assert.ok(!(await adele.cardButtons(adeleCard)).includes('Approve'), "Adele's card no longer offers Approve");
  await adele.screenshot('06-adele-approved');

  // The first decision wins: Alex's card says who decided and no longer offers a decision.
  await alex.waitForCardText(alexCard, /Approved by Adele Vance/, { timeout: 30000 });
  const alexButtons = await alex.cardButtons(alexCard);
  assert.ok(!alexButtons.includes('Approve') && !alexButtons.includes('Reject'), `Alex's card offers no decision any more (buttons: ${alexButtons.join(', ')})`);
  await assertTimesRendered(alex, alexCard, "Alex's updated card");
  await alex.screenshot('07-alex-card-shows-decision');

  // 3. The manager's request card now holds the pass behind Reveal, and she is told so.
  await megan.waitForCardText(card, 'Reveal pass', { timeout: 30000 });
  assert.deepEqual(sorted(await megan.cardButtons(card)), ['Reveal pass', 'Revoke pass']);
  assert.match(await megan.cardText(card), /Approved by Adele Vance/);
  await megan.waitForBotText(`Adele Vance approved your TAP request for ${DIEGO.name}`);
  await megan.screenshot('08-megan-pass-ready');

  megan.maskAlways(card); // until the pass is located, any screenshot hides the whole card
  await megan.clickCardButton('Reveal pass', { card });
  await megan.waitForCardText(card, `Temporary Access Pass for ${DIEGO.name}`);
  const passBlock = await largestText(card);
  megan.maskAlways(passBlock);
  megan.unmask(card);
  const pass = (await passBlock.innerText()).trim();
  assert.ok(/^\S{8}$/.test(pass), `the revealed pass is 8 characters (the tenant's TAP length), got ${pass.length}`);
  assert.deepEqual(sorted(await megan.cardButtons(card)), ['Hide now', 'Revoke pass']);
  await assertTimesRendered(megan, card, 'the revealed card');
  await megan.screenshot('09-megan-pass-revealed');

  // Only the requester sees it: not in the approvers' Teams, not in the bot's log or database.
  for (const approver of [adele, alex]) {
    assert.ok(!(await approver.exposes(pass)), `the pass does not appear in ${approver.persona.user.name}'s Teams (page or pushed messages)`);
  }
  const botFiles = open.botFiles();
  assert.ok(!filesContain(botFiles, pass), `the pass is not in the bot's log or database (${botFiles.join(', ') || 'not known for an external bot'})`);

  // 4. The manager revokes it; the card drops the pass and says who revoked it.
  await megan.clickCardButton('Revoke pass', { card });
  await megan.waitForCardText(card, /Pass revoked by Megan Bowen/);
  assert.ok(!(await megan.cardText(card)).includes(pass), 'the revoked card no longer shows the pass');
  megan.unmask(passBlock);
  assert.deepEqual(await megan.cardButtons(card), [], 'a revoked pass offers nothing more');
  await assertTimesRendered(megan, card, 'the revoked card');
  await megan.screenshot('10-megan-pass-revoked');

  // The approvers' cards follow.
  for (const [chat, approverCard, step] of [[adele, adeleCard, '11-adele-sees-revoked'], [alex, alexCard, '12-alex-sees-revoked']]) {
    await chat.waitForCardText(approverCard, /Pass revoked by Megan Bowen/, { timeout: 30000 });
    assert.deepEqual(await chat.cardButtons(approverCard), [], `${chat.persona.user.name}'s card offers nothing more`);
    assert.ok(!(await chat.exposes(pass)), `the pass never reached ${chat.persona.user.name}'s Teams`);
    await chat.screenshot(step);
  }
  assert.ok(!filesContain(botFiles, pass), "the pass is not in the bot's log or database after the revocation");
});

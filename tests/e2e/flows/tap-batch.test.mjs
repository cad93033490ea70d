// Onboarding batches end to end across three Teams clients: Henrietta Mueller (HR onboarding lead, twelve new hires
// report to her) asks for several passes at once. Adele and Alex (approvers) each get one card for the whole batch,
// listing the hires who passed the checks and those left out with the reason; one approval covers them all; each
// hire's pass then has its own card in Henrietta's chat. A second batch, picked from her reports, is rejected.
// Runs only with E2E_FLOWS=1 (see run-suite.mjs).
//
// The pass itself never goes into test output: checks on it answer booleans, and every screenshot taken while it
// is on screen masks it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filesContain, useTeams } from '../lib/harness.mjs';
import { largestText } from '../lib/teams-chat.mjs';

const open = useTeams(['henrietta', 'adele', 'alex']);

// Waits across personas go through the bot, Graph $batch calls and the Playground's push: only a safety net.
const SLOW = 60000;

const HIRES = [
  { name: 'Aiko Tanaka', upn: 'aiko.tanaka@contoso.com', department: 'Sales' },
  { name: 'Bruno Costa', upn: 'bruno.costa@contoso.com', department: 'Sales' },
  { name: 'Chen Wei', upn: 'chen.wei@contoso.com', department: 'Engineering' },
];
// Megan Bowen's report, not Henrietta's: left out of her batch, with the reason.
const DIEGO = { name: 'Diego Siciliani', upn: 'diego.siciliani@contoso.com' };
// Two more of Henrietta's hires, for the batch picked from her reports.
const PICKED = [
  { name: 'Dalia Haddad', upn: 'dalia.haddad@contoso.com' },
  { name: 'Emeka Obi', upn: 'emeka.obi@contoso.com' },
];

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/i;
const sorted = (list) => [...list].sort();
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** yyyy-mm-dd `days` after the date `iso` (a calendar date, no zone). */
function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "16 Dec 2026" for yyyy-mm-dd, as the cards write a date. */
function dayMonthYear(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  return `${d.getUTCDate()} ${d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })} ${d.getUTCFullYear()}`;
}

/** A screenshot of `chat` with `card` scrolled into view (the chat pane scrolls on its own, so a full page doesn't show it all). */
async function shot(chat, card, step) {
  await card.scrollIntoViewIfNeeded();
  return chat.screenshot(step);
}

/** What every reader of a batch card must see: the hires by name and sign-in name, Diego left out and why, no ids. */
function assertListsHires(text, who) {
  for (const hire of HIRES) assert.match(text, new RegExp(`✓ ${hire.name} \\(${escape(hire.upn)}\\)`), `${who}: ${hire.name} is in the batch`);
  assert.match(text, new RegExp(`✗ ${DIEGO.name}: left out`), `${who}: ${DIEGO.name} is named as left out`);
  assert.match(text, new RegExp(`doesn't list you as ${DIEGO.name}'s manager`), `${who}: the card says why ${DIEGO.name} is left out`);
  assert.doesNotMatch(text, GUID, `${who}: no object ids on the card`);
  assert.ok(!text.includes('{{'), `${who}: times are rendered, no template left`);
}

test('tap batch: an onboarding lead asks for three new hires at once, one approval covers them all, each pass has its own card', async (t) => {
  // Approvers open Teams first: the bot learns their chats from their install events.
  const adele = await open('adele', t);
  const alex = await open('alex', t);
  const henrietta = await open('henrietta', t);
  await Promise.all([adele, alex, henrietta].map((c) => c.waitForQuiet()));

  // 1. Henrietta names three of her hires and, by mistake, Diego, who is not hers: one form with a row each.
  const formTitle = 'Passes for 4 new hires';
  await henrietta.sendText(`tap ${[...HIRES.map((h) => h.upn), DIEGO.upn].join(' ')}`);
  const card = await henrietta.waitForCard(formTitle, { timeout: SLOW });
  const inputs = henrietta.cardInputs(formTitle);
  const rows = inputs.filter((i) => i.type === 'Input.Date');
  assert.equal(rows.length, 4, 'one start date per person named');
  for (const hire of HIRES) {
    assert.ok(rows.some((r) => r.label.startsWith(`${hire.name} (${hire.upn}): starts on (08:00; empty: their hire date, `)), `${hire.name}'s row names her or him, with the hire date`);
  }
  assert.ok(rows.some((r) => r.label === `${DIEGO.upn}: starts on (08:00; empty: now)`), "Diego's row is as typed: he is not among her reports");
  assert.doesNotMatch(await henrietta.cardText(card), GUID, 'no object ids on the form');
  await shot(henrietta, card, '20-batch-henrietta-form');

  // Chen starts three days after his hire date; the others on theirs (left empty).
  const chenRow = rows.find((r) => r.label.startsWith(HIRES[2].name));
  const chenHire = /their hire date, (\d{4}-\d{2}-\d{2})\)$/.exec(chenRow.label)?.[1];
  assert.ok(chenHire, "Chen's row says his hire date");
  const chenStart = addDays(chenHire, 3);
  await henrietta.fillCardInput(chenRow.id, chenStart, { card });
  await henrietta.fillCardInput('reason', 'Onboarding week: laptops handed out on day one', { card });
  await shot(henrietta, card.getByRole('button', { name: 'Submit request', exact: true }), '21-batch-henrietta-form-filled');
  await henrietta.clickCardButton('Submit request', { card });

  // The form turns into the batch's card, in place: three filed, Diego left out with the reason.
  await henrietta.waitForCardText(card, `Your onboarding passes for ${HIRES.length} people`, { timeout: SLOW });
  const filed = await henrietta.cardText(card);
  assert.match(filed, /Filed for 3 of 4 people\. I've asked the approvers\./);
  assert.match(filed, /Waiting for approval/);
  assertListsHires(filed, "Henrietta's card");
  assert.match(filed, new RegExp(`✓ ${HIRES[2].name} \\([^)]*\\)\\s+starts [A-Z][a-z]{2}, ${dayMonthYear(chenStart)}, 0?8:00( AM)? \\(UTC\\+0[12]:00\\)`),
    "Chen starts at 08:00 Berlin time on the day Henrietta chose");
  assert.deepEqual(await henrietta.cardButtons(card), ['Cancel request']);
  assert.equal(await henrietta.countCards(formTitle), 0, 'the form was replaced, not followed by another card');
  const reference = /Reference\s+(R-[0-9A-F]{6})\b/.exec(filed)?.[1];
  assert.ok(reference, 'the batch card gives the batch a reference');
  await shot(henrietta, card, '22-batch-henrietta-filed');

  // 2. Each approver gets one card for the whole batch, not one per person.
  const batchTitle = `Onboarding passes for ${HIRES.length} people`;
  const adeleCard = await adele.waitForCard(batchTitle, { timeout: SLOW });
  const alexCard = await alex.waitForCard(batchTitle, { timeout: SLOW });
  for (const [chat, approverCard] of [[adele, adeleCard], [alex, alexCard]]) {
    const who = chat.persona.user.name;
    const text = await chat.cardText(approverCard);
    assert.match(text, /Requested by\s+Henrietta Mueller/, `${who}'s card names the requester`);
    assert.match(text, /Waiting for approval/, `${who}'s card waits for a decision`);
    assertListsHires(text, `${who}'s card`);
    assert.match(text, new RegExp(`Reference\\s+${reference}\\b`), `${who}'s card reads the batch's reference`);
    assert.deepEqual(sorted(await chat.cardButtons(approverCard)), ['Approve all 3', 'Reject'], `${who} decides the batch at once`);
  }
  await shot(adele, adeleCard, '23-batch-adele-approval-card');
  await shot(alex, alexCard, '24-batch-alex-approval-card');

  // Adele approves all three at once; her card says so and offers nothing more.
  await adele.clickCardButton('Approve all 3', { card: adeleCard });
  await adele.waitForCardText(adeleCard, /Approved by Adele Vance/);
  await adele.waitForCardText(adeleCard, /Each of the 3 passes has its own card in Henrietta Mueller's chat; only they can see the passes\./, { timeout: SLOW });
  assert.deepEqual(await adele.cardButtons(adeleCard), [], "Adele's card offers no decision any more");
  await shot(adele, adeleCard, '25-batch-adele-approved');

  // The first decision wins: Alex's card says who decided.
  await alex.waitForCardText(alexCard, /Approved by Adele Vance/, { timeout: SLOW });
  assert.deepEqual(await alex.cardButtons(alexCard), [], "Alex's card offers no decision any more");
  await shot(alex, alexCard, '26-batch-alex-sees-decision');

  // 3. Henrietta is told once, her batch card says where the passes are, and each hire's pass has its own card.
  const told = await henrietta.waitForBotText(/Adele Vance approved your onboarding batch/, { timeout: SLOW });
  assert.ok((await told.innerText()).includes(`approved your onboarding batch (${reference}): 3 passes are ready.`), 'she is told which batch and how many passes');
  await henrietta.waitForCardText(card, /Each of the 3 passes has its own card in this chat/, { timeout: SLOW });
  const done = await henrietta.cardText(card);
  assert.match(done, /Approved by Adele Vance/);
  // Each hire's request reads as the batch's reference and the hire's number in it (Diego, left out, is the fourth).
  HIRES.forEach((hire, i) => assert.match(done, new RegExp(`${hire.name} [^✓✗]*its request: ${reference}-0${i}\\b`), `the batch card names ${hire.name}'s request`));
  assertListsHires(done, "Henrietta's completed card");
  assert.deepEqual(await henrietta.cardButtons(card), [], 'the batch card offers nothing more: the passes are on their own cards');

  const passCards = {};
  for (const [i, hire] of HIRES.entries()) {
    const passCard = await henrietta.waitForCard(`Your TAP request for ${hire.name}`, { timeout: SLOW });
    await henrietta.waitForCardText(passCard, 'Reveal pass', { timeout: SLOW });
    const text = await henrietta.cardText(passCard);
    assert.match(text, /Approved by Adele Vance/, `${hire.name}'s card says who approved`);
    assert.ok(text.includes(hire.upn), `${hire.name}'s card names the hire`);
    assert.doesNotMatch(text, GUID, `${hire.name}'s card shows no object ids`);
    assert.match(text, new RegExp(`Reference\\s+${reference}-0${i}\\b`), `${hire.name}'s card has the reference the batch card gives it`);
    assert.deepEqual(sorted(await henrietta.cardButtons(passCard)), ['Reveal pass', 'Revoke pass'], `${hire.name}'s pass waits behind Reveal`);
    passCards[hire.name] = passCard;
  }
  assert.equal(await henrietta.countCards('Your TAP request for '), HIRES.length, 'one card per hire, no more');
  await shot(henrietta, passCards[HIRES[0].name], '27-batch-henrietta-passes-ready');

  // 4. She reveals Aiko's pass: only on Aiko's card, only to her.
  const aikoCard = passCards[HIRES[0].name];
  henrietta.maskAlways(aikoCard); // until the pass is located, any screenshot hides the whole card
  await henrietta.clickCardButton('Reveal pass', { card: aikoCard });
  await henrietta.waitForCardText(aikoCard, `Temporary Access Pass for ${HIRES[0].name}`);
  const passBlock = await largestText(aikoCard);
  henrietta.maskAlways(passBlock);
  henrietta.unmask(aikoCard);
  const pass = (await passBlock.innerText()).trim();
  assert.ok(/^\S{8}$/.test(pass), `the revealed pass is 8 characters (the tenant's TAP length), got ${pass.length}`);
  assert.deepEqual(sorted(await henrietta.cardButtons(aikoCard)), ['Hide now', 'Revoke pass']);
  for (const hire of HIRES.slice(1)) {
    assert.ok((await henrietta.cardButtons(passCards[hire.name])).includes('Reveal pass'), `${hire.name}'s pass stays hidden`);
    assert.ok(!(await henrietta.cardText(passCards[hire.name])).includes(pass), `Aiko's pass is not on ${hire.name}'s card`);
  }
  assert.ok(!(await henrietta.cardText(card)).includes(pass), "Aiko's pass is not on the batch card");
  await shot(henrietta, aikoCard, '28-batch-henrietta-pass-revealed');

  for (const approver of [adele, alex]) {
    assert.ok(!(await approver.exposes(pass)), `the pass does not appear in ${approver.persona.user.name}'s Teams (page or pushed messages)`);
  }
  const botFiles = open.botFiles();
  assert.ok(!filesContain(botFiles, pass), `the pass is not in the bot's log or database (${botFiles.join(', ') || 'not known for an external bot'})`);

  // She hides it again once it is handed over.
  await henrietta.clickCardButton('Hide now', { card: aikoCard });
  await henrietta.waitForCardText(aikoCard, `Your TAP request for ${HIRES[0].name}`);
  assert.ok(!(await henrietta.cardText(aikoCard)).includes(pass), 'the hidden card no longer shows the pass');
  henrietta.unmask(passBlock);
  await shot(henrietta, aikoCard, '29-batch-henrietta-pass-hidden');

  // In the end each approver holds exactly the one batch card, and no card of a single hire.
  for (const chat of [adele, alex]) {
    await chat.waitForQuiet();
    const who = chat.persona.user.name;
    assert.equal(await chat.countCards('Onboarding passes for'), 1, `${who} got exactly one batch card`);
    assert.equal(await chat.countCards('TAP request for'), 0, `${who} got no card per hire`);
    assert.ok(!(await chat.exposes(pass)), `the pass never reached ${who}'s Teams`);
  }
  assert.ok(!filesContain(botFiles, pass), "the pass is not in the bot's log or database after it was hidden");
});

test('tap batch from reports: she picks two of her reports, an approver rejects the batch with a reason, nobody gets a pass', async (t) => {
  const adele = await open('adele', t);
  const alex = await open('alex', t);
  const henrietta = await open('henrietta', t);
  await Promise.all([adele, alex, henrietta].map((c) => c.waitForQuiet()));

  // The help card names the batch too ("Passes for several new hires at once"): wait for a new card.
  const pickTitle = 'Passes for several new hires';
  const helpCards = await henrietta.countCards(pickTitle);
  await henrietta.sendText('onboard');
  const card = await henrietta.waitForCard(pickTitle, { after: helpCards, timeout: SLOW });
  const reports = henrietta.cardInputs('Your direct reports').find((i) => i.id === 'reports');
  assert.ok(reports?.isMultiSelect, 'she can pick several people at once');
  const chosen = PICKED.map((p) => {
    const choice = reports.choices.find((c) => c.title.startsWith(`${p.name}, starts `));
    assert.ok(choice, `${p.name} is offered among her reports, with the hire date`);
    return choice.value;
  });
  assert.doesNotMatch(await henrietta.cardText(card), GUID, 'the pick card names people, not ids');
  await henrietta.fillCardInput('reports', chosen, { card });
  await shot(henrietta, card, '30-batch-henrietta-picks-two');
  await henrietta.clickCardButton('Continue', { card });

  // The pick card becomes the form: a start date per picked person.
  await henrietta.waitForCardText(card, 'Passes for 2 new hires', { timeout: SLOW });
  const formText = await henrietta.cardText(card);
  for (const p of PICKED) assert.ok(formText.includes(`${p.name} (${p.upn}): starts on`), `the form has a row for ${p.name}`);
  await henrietta.fillCardInput('reason', 'Onboarding week', { card });
  await henrietta.clickCardButton('Submit request', { card });
  await henrietta.waitForCardText(card, 'Your onboarding passes for 2 people', { timeout: SLOW });
  assert.match(await henrietta.cardText(card), /Filed for 2 of 2 people\./);
  await shot(henrietta, card, '31-batch-henrietta-filed-two');

  // Alex rejects, saying why; Adele's card follows.
  const reason = 'Their laptops arrive next week; ask again then.';
  const adeleCard = await adele.waitForCard('Onboarding passes for 2 people', { timeout: SLOW });
  const alexCard = await alex.waitForCard('Onboarding passes for 2 people', { timeout: SLOW });
  for (const p of PICKED) assert.ok((await alex.cardText(alexCard)).includes(`✓ ${p.name} (${p.upn})`), `Alex's card lists ${p.name}`);
  await alex.clickCardButton('Reject', { card: alexCard });
  await alex.fillCardInput('comment', reason, { card: alexCard });
  await shot(alex, alexCard, '32-batch-alex-rejects');
  await alex.clickCardButton('Reject request', { card: alexCard });
  await alex.waitForCardText(alexCard, /Rejected by Alex Wilber/);
  assert.ok((await alex.cardText(alexCard)).includes(reason), "Alex's card keeps his reason");
  assert.deepEqual(await alex.cardButtons(alexCard), [], "Alex's card offers nothing more");
  await shot(alex, alexCard, '33-batch-alex-rejected');
  await adele.waitForCardText(adeleCard, /Rejected by Alex Wilber/, { timeout: SLOW });
  assert.deepEqual(await adele.cardButtons(adeleCard), [], "Adele's card offers no decision any more");
  await shot(adele, adeleCard, '34-batch-adele-sees-rejection');

  // Henrietta reads who rejected it and why; no pass card was made.
  await henrietta.waitForBotText(`Alex Wilber rejected your onboarding batch`, { timeout: SLOW });
  await henrietta.waitForCardText(card, /Rejected by Alex Wilber/, { timeout: SLOW });
  assert.ok((await henrietta.cardText(card)).includes(reason), 'her card says why');
  assert.deepEqual(await henrietta.cardButtons(card), []);
  assert.equal(await henrietta.countCards('Your TAP request for'), 0, 'no pass card for a rejected batch');
  await shot(henrietta, card, '35-batch-henrietta-told-rejected');
});

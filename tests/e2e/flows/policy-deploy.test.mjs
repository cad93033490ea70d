// Policy deploy end to end across two Teams clients: Patti (policy admin) asks for a deploy plan,
// Lee (the second policy admin) approves it. Runs only with E2E_FLOWS=1 (see run-suite.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTeams } from '../lib/harness.mjs';

const open = useTeams(['patti', 'lee']);

test('policy deploy: one admin plans, a second admin approves the plan', async (t) => {
  // Lee opens Teams first so the bot knows his chat when it asks for a second admin.
  const lee = await open('lee', t);
  const patti = await open('patti', t);
  await Promise.all([lee, patti].map((c) => c.waitForQuiet()));

  // The welcome's help card may mention plans too: wait for a plan card newer than those.
  const before = await patti.countCards(/plan/i);
  await patti.sendText('policy deploy');
  const plan = await patti.waitForCard(/plan/i, { after: before, timeout: 30000 });
  await patti.screenshot('01-patti-plan');
  assert.match(await patti.cardText(plan), /Combined Security Info Registration|Report-only/i, 'the plan names the registration policies or their Report-only start');

  const approval = await lee.waitForCard('Approve plan', { timeout: 30000 });
  assert.match(await lee.cardText(approval), /Patti Fernandez/, 'the approval card names the admin who planned');
  await lee.screenshot('02-lee-approval-card');
  await lee.clickCardButton('Approve plan', { card: approval });
  await lee.waitForCardText(approval, /approved|applied/i, { timeout: 30000 });
  await lee.screenshot('03-lee-approved');

  // The planning admin hears that the plan went through.
  await patti.waitForBotText(/approved|applied|deployed/i, { timeout: 30000 });
  await patti.screenshot('04-patti-told');
});

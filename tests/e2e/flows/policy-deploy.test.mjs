// Policy deploy and promote end to end across two Teams clients: Patti (policy admin) asks for a deploy plan,
// Lee (the second policy admin) approves it; status shows the policies report-only; Patti plans a promotion
// (overriding the minimum report-only time with a reason), Lee approves, status shows them On.
// Runs only with E2E_FLOWS=1 (see run-suite.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTeams } from '../lib/harness.mjs';

const open = useTeams(['patti', 'lee']);

test('policy deploy: one admin plans, a second approves; status shows report-only; promote with approval turns them On', async (t) => {
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

  const statusTitle = 'Security-info registration policies';
  let statuses = await patti.countCards(statusTitle);
  await patti.sendText('policy status');
  const reportOnly = await patti.waitForCard(statusTitle, { after: statuses, timeout: 30000 });
  const reportOnlyText = await patti.cardText(reportOnly);
  assert.equal((reportOnlyText.match(/Report-only since/g) ?? []).length, 2, 'both policies are report-only after the deploy');
  assert.match(reportOnlyText, /\(UTC\+0[12]:00\)/, 'times are in Patti\'s time zone (Berlin), labelled');
  assert.doesNotMatch(reportOnlyText, /[0-9a-f]{8}-[0-9a-f]{4}-/i, 'no object ids on the status card');
  await patti.screenshot('05-patti-status-report-only');

  // Just deployed: the 7-day report-only gate holds, so Patti says why she promotes now (audited).
  const plans = await patti.countCards('Plan: ');
  const approvals = await lee.countCards('Approve plan');
  await patti.sendText('policy promote all because pilot reviewed with the security team');
  const promote = await patti.waitForCard('Plan: ', { after: plans, timeout: 30000 });
  assert.match(await patti.cardText(promote), /pilot reviewed with the security team/, 'the plan shows the override reason');
  await patti.screenshot('06-patti-promote-plan');

  const promoteApproval = await lee.waitForCard('Approve plan', { after: approvals, timeout: 30000 });
  await lee.screenshot('07-lee-promote-approval-card');
  await lee.clickCardButton('Approve plan', { card: promoteApproval });
  await lee.waitForCardText(promoteApproval, /approved|applied/i, { timeout: 30000 });
  await lee.screenshot('08-lee-promote-approved');

  statuses = await patti.countCards(statusTitle);
  await patti.sendText('policy status');
  const on = await patti.waitForCard(statusTitle, { after: statuses, timeout: 30000 });
  const onText = await patti.cardText(on);
  assert.equal((onText.match(/\bOn since/g) ?? []).length, 2, 'both policies are On after the promotion');
  assert.doesNotMatch(onText, /Report-only since/);
  await patti.screenshot('09-patti-status-on');

  // The audit, in sentences, newest first, in her time zone.
  const audits = await patti.countCards('Audit (newest first)');
  await patti.sendText('audit');
  const audit = await patti.waitForCard('Audit (newest first)', { after: audits, timeout: 30000 });
  const auditText = await patti.cardText(audit);
  assert.match(auditText, /Lee Gu's approval turned on policy [AB]/, 'the audit says who did what in words');
  assert.doesNotMatch(auditText, /::|[0-9a-f]{8}-[0-9a-f]{4}-/i, 'no internal encodings or ids in the audit lines');
  await patti.screenshot('10-patti-audit');
});

// The manager's first contact with the bot in a 1:1 chat, in a real Teams client (Agents Playground).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTeams } from '../lib/harness.mjs';

const open = useTeams(['megan']);

test('install and welcome: the manager opens the personal chat and gets the welcome and the help card', async (t) => {
  const megan = await open('megan', t);
  await megan.openPersonalChat();
  await megan.screenshot('01-personal-chat-opened');

  const welcome = await megan.waitForBotText('TeamsBot');
  assert.ok(await welcome.isVisible(), 'the welcome message is visible');
  const help = await megan.waitForCard('What you can do');
  assert.ok(await help.isVisible(), 'the help card is visible');
  await megan.screenshot('02-welcome-and-help-card');
});

test('help: typing "help" answers with the help card', async (t) => {
  const megan = await open('megan', t);
  await megan.waitForQuiet(); // let the install-time welcome land first, so the next help card is the answer
  const before = await megan.countCards('What you can do');

  await megan.sendText('help');
  await megan.screenshot('01-help-sent');

  const card = await megan.waitForCard('What you can do', { after: before });
  assert.match(await megan.cardText(card), /What you can do/);
  assert.equal(await megan.countCards('What you can do'), before + 1, 'exactly one new help card');
  await megan.screenshot('02-help-card');
});

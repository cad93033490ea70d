// Builds the .m365agentsplayground.yml (schema 0.1.1) of one persona's Playground instance.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILL_USERS, PERSONAS, SEED_USERS, TENANT_ID } from './seed.mjs';

export const BOT_NAME = 'TeamsBot';
// recipient.id of every activity; the bot runs without inbound auth locally, so any stable id works.
export const DEFAULT_BOT_ID = '28:b0700000-0000-4000-8000-000000000001';

export function buildConfig(persona, { botId = DEFAULT_BOT_ID, botName = BOT_NAME } = {}) {
  const others = PERSONAS.filter((p) => p.key !== persona.key).map((p) => p.user);
  const users = [...others, ...FILL_USERS.map((key) => SEED_USERS[key])].slice(0, 5);
  if (users.length !== 5) throw new Error(`the Playground needs exactly 5 users, got ${users.length}`);
  return {
    version: '0.1.1',
    tenantId: TENANT_ID,
    bot: { id: botId, name: botName },
    currentUser: persona.user,
    users,
    // Unique per persona: each instance is its own Teams client with its own 1:1 chat.
    personalChat: { id: `a:personal-${persona.key}` },
    groupChat: { id: '19:contoso-onboarding@thread.v2', name: 'Onboarding' },
    team: {
      id: '19:contoso-identity-general@thread.tacv2',
      name: 'Identity',
      aadGroupId: 'b0000000-0000-4000-8000-000000000002',
      channels: [{ id: '19:contoso-identity-approvals@thread.tacv2', name: 'Approvals' }],
    },
  };
}

// Minimal YAML writer for this shape: maps, lists of maps and scalars; strings are double-quoted
// (JSON string syntax is valid YAML), so no value can change meaning.
export function toYaml(value, indent = '') {
  const lines = [];
  for (const [key, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      lines.push(`${indent}${key}:`);
      for (const item of v) {
        const body = toYaml(item, `${indent}    `).split('\n');
        lines.push(`${indent}  - ${body[0].trimStart()}`, ...body.slice(1));
      }
    } else if (v && typeof v === 'object') {
      lines.push(`${indent}${key}:`, toYaml(v, `${indent}  `));
    } else {
      lines.push(`${indent}${key}: ${JSON.stringify(v)}`);
    }
  }
  return lines.join('\n');
}

export function writeConfig(dir, persona, options) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, '.m365agentsplayground.yml');
  const header = [
    '# yaml-language-server: $schema=https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json',
    `# ${persona.user.name} (${persona.role}) in the Contoso seed tenant; rewritten on every start.`,
  ];
  writeFileSync(path, `${header.join('\n')}\n${toYaml(buildConfig(persona, options))}\n`);
  return path;
}

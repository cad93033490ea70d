// Checks the ARM JSON that bicep compiled from deploy/main.bicep (path in $ARM_DIR): the bot's
// configuration keys are wired as app settings, and the security-relevant resource properties hold.
// Run by deploy/check.sh after `bicep build` and `bicep build-params`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const armDir = process.env.ARM_DIR;
if (!armDir) throw new Error('set ARM_DIR to the folder holding main.json and main.parameters.json');
const main = JSON.parse(readFileSync(join(armDir, 'main.json'), 'utf8'));
const parameters = JSON.parse(readFileSync(join(armDir, 'main.parameters.json'), 'utf8'));
const text = JSON.stringify(main);

const asList = (resources) => (Array.isArray(resources) ? resources : Object.values(resources));

/** The nested template of a module (a Microsoft.Resources/deployments resource) by name. */
function moduleTemplate(name) {
  const deployment = asList(main.resources).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === name);
  assert.ok(deployment, `module ${name} not found`);
  return deployment.properties.template;
}
/** The value main.bicep passes to a module parameter. */
function moduleParameter(module, parameter) {
  const deployment = asList(main.resources).find((r) => r.name === module);
  return deployment.properties.parameters[parameter].value;
}
/** The ARM expression that main.bicep passes to the web app as its app settings. */
function appSettingsExpression() {
  const web = asList(main.resources).find((r) => r.name === 'web');
  return web.properties.parameters.appSettings.value;
}
function resourceOf(template, type) {
  const found = asList(template.resources).filter((r) => r.type === type);
  assert.ok(found.length > 0, `no ${type}`);
  return found;
}

test('app settings carry every bot configuration key the deployment sets', () => {
  const keys = [
    'Bot__AppId',
    'Bot__TenantId',
    'Bot__ClientCredential__SourceType',
    'Bot__ClientCredential__ManagedIdentityClientId',
    'Bot__ClientCredential__ClientSecret',
    'Graph__Mode',
    'Storage__Provider',
    'Storage__AzureTables__ServiceUri',
    'Tap__ApproversGroupId',
    'Tap__PrivilegedApproversGroupId',
    'Tap__RequestersGroupId',
    'Tap__ApprovalsChannelId',
    'Tap__RequestExpiry',
    'Tap__MaxRequestsPerHour',
    'Tap__RevealWindow',
    'Policies__AdminsGroupId',
    'Policies__AdminsChannelId',
    'Policies__MinimumReportOnlyTime',
    'Policies__DriftWatchInterval',
    'BreakGlass__UserIds__',
    'BreakGlass__GroupId',
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
  ];
  const missing = keys.filter((k) => !text.includes(k));
  assert.deepEqual(missing, []);
});

test('fixed values: live Graph, Azure Tables, managed identity credential', () => {
  const settings = appSettingsExpression();
  assert.match(settings, /createObject\('name', 'Graph__Mode', 'value', 'Live'\)/);
  assert.match(settings, /createObject\('name', 'Storage__Provider', 'value', 'AzureTables'\)/);
  assert.match(settings, /createObject\('name', 'Bot__ClientCredential__SourceType', 'value', 'ManagedIdentity'\)/);
  assert.match(settings, /'Bot__ClientCredential__ManagedIdentityClientId', 'value', reference\('identity'\)\.outputs\.clientId/);
  assert.match(settings, /'Storage__AzureTables__ServiceUri', 'value', reference\('storage'\)\.outputs\.tableServiceUri/);
  // Hot code is optimised as soon on one CPU as on several (bench/README.md).
  assert.match(settings, /createObject\('name', 'DOTNET_TC_DelaySingleProcMultiplier', 'value', '1'\)/);
});

test('no app setting name contains a colon (Linux environment variables)', () => {
  const names = [
    ...[...appSettingsExpression().matchAll(/createObject\('name', '([^']+)'/g)].map((m) => m[1]),
    ...Object.keys(main.variables.optionalSettings),
  ];
  assert.ok(names.length > 10, `expected app settings in the template, found ${names.length}`);
  assert.deepEqual(names.filter((n) => n.includes(':')), []);
});

test('Azure Bot: UserAssignedMSI or SingleTenant only, Teams channel, /api/messages', () => {
  const bot = moduleTemplate('bot');
  assert.deepEqual(bot.parameters.appType.allowedValues, ['UserAssignedMSI', 'SingleTenant']);
  const [service] = resourceOf(bot, 'Microsoft.BotService/botServices');
  assert.equal(service.location, 'global');
  assert.equal(service.kind, 'azurebot');
  assert.match(service.properties.endpoint, /\/api\/messages/);
  const [channel] = resourceOf(bot, 'Microsoft.BotService/botServices/channels');
  assert.equal(channel.properties.channelName, 'MsTeamsChannel');
  assert.equal(channel.properties.properties.isEnabled, true);
});

test('storage: Entra ID only, and the identity is Storage Table Data Contributor', () => {
  const storage = moduleTemplate('storage');
  const [account] = resourceOf(storage, 'Microsoft.Storage/storageAccounts');
  assert.equal(account.properties.allowSharedKeyAccess, false);
  assert.equal(account.properties.minimumTlsVersion, 'TLS1_2');
  resourceOf(storage, 'Microsoft.Storage/storageAccounts/tableServices');
  assert.equal(storage.variables.tableDataContributorRoleId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3');
  const [role] = resourceOf(storage, 'Microsoft.Authorization/roleAssignments');
  assert.match(role.properties.roleDefinitionId, /variables\('tableDataContributorRoleId'\)/);
  assert.equal(role.properties.principalId, "[parameters('dataPrincipalId')]");
  assert.match(moduleParameter('storage', 'dataPrincipalId'), /reference\('identity'\)\.outputs\.principalId/);
});

test('key vault: RBAC mode, the identity is Key Vault Secrets User', () => {
  const kv = moduleTemplate('keyVault');
  const [vault] = resourceOf(kv, 'Microsoft.KeyVault/vaults');
  assert.equal(vault.properties.enableRbacAuthorization, true);
  assert.equal(kv.variables.secretsUserRoleId, '4633458b-17de-408a-b874-0445c86b69e6');
  const roles = resourceOf(kv, 'Microsoft.Authorization/roleAssignments');
  const reader = roles.find((r) => r.properties.principalId === "[parameters('readerPrincipalId')]");
  assert.ok(reader, 'no role assignment for the bot identity');
  assert.match(reader.properties.roleDefinitionId, /variables\('secretsUserRoleId'\)/);
  assert.match(moduleParameter('keyVault', 'readerPrincipalId'), /reference\('identity'\)\.outputs\.principalId/);
});

test('web app: HTTPS only, user-assigned identity, health check, Always On, .NET 10', () => {
  const web = moduleTemplate('web');
  const [site] = resourceOf(web, 'Microsoft.Web/sites');
  assert.equal(site.properties.httpsOnly, true);
  assert.equal(site.identity.type, 'UserAssigned');
  assert.equal(site.properties.siteConfig.healthCheckPath, '/healthz');
  assert.equal(site.properties.siteConfig.alwaysOn, true);
  assert.equal(site.properties.siteConfig.ftpsState, 'Disabled');
  assert.match(JSON.stringify(site.properties.siteConfig.linuxFxVersion), /DOTNETCORE\|10\.0/);
});

test('the parameters file gives every parameter that has no default', () => {
  const needed = Object.entries(main.parameters)
    .filter(([, p]) => p.defaultValue === undefined)
    .map(([name]) => name);
  const given = Object.keys(JSON.parse(parameters.parametersJson ?? JSON.stringify(parameters)).parameters);
  assert.deepEqual(needed.filter((n) => !given.includes(n)), []);
});

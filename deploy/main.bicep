// TeamsBot on Azure: bot identity, state storage, secrets, monitoring, web host and the Azure Bot
// with its Teams channel. Deploy into an existing resource group:
//   az deployment group create -g <rg> -f deploy/main.bicep -p deploy/main.bicepparam
// See docs/deployment.md.
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Naming and placement

@description('Short lowercase name used in every resource name (letters and digits).')
@minLength(3)
@maxLength(10)
param namePrefix string = 'teamsbot'

@description('Environment name, part of the resource names (e.g. dev, prod).')
@minLength(2)
@maxLength(8)
param environmentName string

param location string = resourceGroup().location

// ---------------------------------------------------------------------------------------------
// Bot identity and hosting

@description('UserAssignedMSI (default): the managed identity is the bot. SingleTenant: an existing app registration in this tenant, whose client secret is kept in Key Vault.')
@allowed([
  'UserAssignedMSI'
  'SingleTenant'
])
param botAppType string = 'UserAssignedMSI'

@description('SingleTenant only: the app registration\'s application (client) id.')
param singleTenantAppId string = ''

@description('SingleTenant only: name of the Key Vault secret that holds the app registration\'s client secret.')
param botClientSecretName string = 'bot-client-secret'

@description('Display name of the Azure Bot.')
param botDisplayName string = 'TeamsBot'

@description('Azure Bot pricing tier. The Teams channel is a standard channel, free on both tiers.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('App Service plan SKU (Linux). B1 is the smallest with Always On.')
param appServicePlanSku string = 'B1'

@description('Empty: run on the built-in .NET 10 stack (zip deploy). Otherwise the image built from deploy/Dockerfile.')
param containerImage string = ''

@description('Public host name for the messaging endpoint when a custom domain or gateway fronts the app; empty = the app\'s default host name.')
param messagingHostOverride string = ''

@description('Table Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('Turn on Key Vault purge protection (cannot be turned off later). Recommended for production.')
param keyVaultPurgeProtection bool = true

@description('Optional: object id of the user or group that sets and rotates Key Vault secrets.')
param keyVaultOperatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param keyVaultOperatorPrincipalType string = 'Group'

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// ---------------------------------------------------------------------------------------------
// Bot configuration (see the configuration keys in docs/deployment.md)

@description('Tap:ApproversGroupId — Entra group whose (transitive) members approve TAP requests.')
param tapApproversGroupId string

@description('Tap:PrivilegedApproversGroupId — group that approves TAPs for privileged accounts.')
param tapPrivilegedApproversGroupId string = ''

@description('Tap:RequestersGroupId — group whose members may request a TAP for anyone (e.g. HR onboarding).')
param tapRequestersGroupId string = ''

@description('Tap:ApprovalsChannelId — Teams channel that receives approval cards.')
param tapApprovalsChannelId string = ''

@description('Tap:RequestExpiry — how long a pending request waits for a decision (TimeSpan, e.g. 1.00:00:00).')
param tapRequestExpiry string = ''

@description('Tap:MaxRequestsPerHour — per-requester rate limit.')
param tapMaxRequestsPerHour string = ''

@description('Tap:RevealWindow — how long the requester can reveal an issued pass (TimeSpan).')
param tapRevealWindow string = ''

@description('Policies:AdminsGroupId — Entra group of the policy admins.')
param policyAdminsGroupId string

@description('Policies:AdminsChannelId — Teams channel for policy plans and approvals.')
param policyAdminsChannelId string = ''

@description('Policies:MinimumReportOnlyTime — minimum time in Report-only before promotion (TimeSpan).')
param policyMinimumReportOnlyTime string = ''

@description('Policies:DriftWatchInterval — how often deployed policies are compared with their templates (TimeSpan).')
param policyDriftWatchInterval string = ''

@description('BreakGlass:UserIds — object ids of the emergency access accounts (excluded from policy A).')
param breakGlassUserIds string[] = []

@description('BreakGlass:GroupId — group of the emergency access accounts.')
param breakGlassGroupId string = ''

@description('Further app settings as { "Section__Key": "value" }.')
param additionalAppSettings object = {}

// ---------------------------------------------------------------------------------------------

var tags = {
  application: 'TeamsBot'
  environment: environmentName
}
var suffix = uniqueString(resourceGroup().id, namePrefix, environmentName)
var useManagedIdentity = botAppType == 'UserAssignedMSI'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${namePrefix}-${environmentName}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-${namePrefix}-${environmentName}'
    appInsightsName: 'appi-${namePrefix}-${environmentName}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${namePrefix}${suffix}', 24)
    location: location
    tags: tags
    skuName: storageSku
    dataPrincipalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: take('kv-${namePrefix}-${suffix}', 24)
    location: location
    tags: tags
    readerPrincipalId: identity.outputs.principalId
    keyVaultOperatorPrincipalId: keyVaultOperatorPrincipalId
    keyVaultOperatorPrincipalType: keyVaultOperatorPrincipalType
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

var botAppId = useManagedIdentity ? identity.outputs.clientId : singleTenantAppId

// How the bot proves who it is to the Bot Connector and Graph.
var credentialSettings = useManagedIdentity
  ? [
      { name: 'Bot__ClientCredential__SourceType', value: 'ManagedIdentity' }
      { name: 'Bot__ClientCredential__ManagedIdentityClientId', value: identity.outputs.clientId }
    ]
  : [
      { name: 'Bot__ClientCredential__SourceType', value: 'ClientSecret' }
      // A Key Vault reference without a version follows the latest secret version (rotation).
      {
        name: 'Bot__ClientCredential__ClientSecret'
        value: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${botClientSecretName})'
      }
    ]

var requiredSettings = [
  { name: 'Bot__AppId', value: botAppId }
  { name: 'Bot__TenantId', value: tenant().tenantId }
  { name: 'Graph__Mode', value: 'Live' }
  { name: 'Storage__Provider', value: 'AzureTables' }
  { name: 'Storage__AzureTables__ServiceUri', value: storage.outputs.tableServiceUri }
  { name: 'Tap__ApproversGroupId', value: tapApproversGroupId }
  { name: 'Policies__AdminsGroupId', value: policyAdminsGroupId }
  // Azure.Identity's default managed identity (Storage and Key Vault clients that take no explicit id).
  { name: 'AZURE_CLIENT_ID', value: identity.outputs.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: monitoring.outputs.connectionString }
  { name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }
  // App Service ends TLS in front of the app; honour X-Forwarded-Proto/For.
  { name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED', value: 'true' }
  // On a one-CPU plan the runtime would otherwise delay optimising hot code ten times longer (bench/README.md).
  { name: 'DOTNET_TC_DelaySingleProcMultiplier', value: '1' }
]

// Optional keys are set only when given, so the app's own defaults apply otherwise.
var optionalSettings = {
  Tap__PrivilegedApproversGroupId: tapPrivilegedApproversGroupId
  Tap__RequestersGroupId: tapRequestersGroupId
  Tap__ApprovalsChannelId: tapApprovalsChannelId
  Tap__RequestExpiry: tapRequestExpiry
  Tap__MaxRequestsPerHour: tapMaxRequestsPerHour
  Tap__RevealWindow: tapRevealWindow
  Policies__AdminsChannelId: policyAdminsChannelId
  Policies__MinimumReportOnlyTime: policyMinimumReportOnlyTime
  Policies__DriftWatchInterval: policyDriftWatchInterval
  BreakGlass__GroupId: breakGlassGroupId
}
var givenOptionalSettings = map(filter(items(optionalSettings), s => !empty(s.value)), s => { name: s.key, value: s.value })
var breakGlassSettings = map(range(0, length(breakGlassUserIds)), i => {
  name: 'BreakGlass__UserIds__${i}'
  value: breakGlassUserIds[i]
})
var extraSettings = map(items(additionalAppSettings), s => { name: s.key, value: string(s.value) })
// Application Insights auto-instrumentation for the built-in .NET stack (not available to custom containers).
var autoInstrumentationSettings = empty(containerImage) ? [{ name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: '~3' }] : []

module web 'modules/webapp.bicep' = {
  name: 'web'
  params: {
    planName: 'asp-${namePrefix}-${environmentName}'
    siteName: 'app-${namePrefix}-${environmentName}-${suffix}'
    location: location
    tags: tags
    planSku: appServicePlanSku
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    containerImage: containerImage
    appSettings: concat(
      requiredSettings,
      credentialSettings,
      givenOptionalSettings,
      breakGlassSettings,
      autoInstrumentationSettings,
      extraSettings
    )
  }
}

var messagingHost = empty(messagingHostOverride) ? web.outputs.defaultHostName : messagingHostOverride

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: 'bot-${namePrefix}-${environmentName}-${suffix}'
    displayName: botDisplayName
    tags: tags
    appType: botAppType
    appId: botAppId
    identityResourceId: identity.outputs.id
    messagingHost: messagingHost
    sku: botSku
  }
}

@description('Bot:AppId, and BOT_ID for the Teams app package.')
output botAppId string = botAppId
output botName string = bot.outputs.name
output messagingEndpoint string = bot.outputs.endpoint
@description('BOT_DOMAIN for the Teams app package.')
output webAppHostName string = messagingHost
output webAppName string = web.outputs.name
output identityName string = identity.outputs.name
@description('Object id of the managed identity: the principal for deploy/grant-graph-permissions.sh.')
output identityPrincipalId string = identity.outputs.principalId
output identityClientId string = identity.outputs.clientId
output keyVaultName string = keyVault.outputs.name
output storageAccountName string = storage.outputs.name
output tableServiceUri string = storage.outputs.tableServiceUri

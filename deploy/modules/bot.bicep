// The Azure Bot resource and its Microsoft Teams channel. Multi-tenant bot creation is deprecated:
// the bot is either UserAssignedMSI (the managed identity is the bot's app id) or SingleTenant
// (an app registration in this tenant, with a client secret kept in Key Vault).

@description('Globally unique bot handle.')
param name string

param displayName string
param tags object

@allowed([
  'UserAssignedMSI'
  'SingleTenant'
])
param appType string

@description('The bot\'s Microsoft App ID: the identity client id (UserAssignedMSI) or the app registration id (SingleTenant).')
param appId string

@description('Resource id of the user-assigned identity; used only for UserAssignedMSI.')
param identityResourceId string

@description('Public https host name that serves /api/messages.')
param messagingHost string

@allowed([
  'F0'
  'S1'
])
param sku string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: 'https://${messagingHost}/api/messages'
    msaAppId: appId
    msaAppType: appType
    msaAppTenantId: tenant().tenantId
    msaAppMSIResourceId: appType == 'UserAssignedMSI' ? identityResourceId : null
    publicNetworkAccess: 'Enabled'
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output id string = bot.id
output name string = bot.name
output endpoint string = bot.properties.endpoint

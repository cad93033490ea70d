// The bot's web host: App Service on Linux. By default it runs the published app on the built-in
// .NET 10 stack (DOTNETCORE|10.0, zip deploy); with containerImage set it runs deploy/Dockerfile's
// image instead, pulled with the bot identity.

param planName string
param siteName string
param location string
param tags object

@description('App Service plan SKU. B1 is the smallest with Always On; use P0v3 or above for production.')
param planSku string

@description('Resource id of the bot identity (assigned to the site, used for Key Vault references and image pulls).')
param identityId string

@description('Client id of the bot identity.')
param identityClientId string

@description('Empty: built-in .NET 10 stack. Otherwise a container image, e.g. myregistry.azurecr.io/teamsbot:1.0.0.')
param containerImage string

@description('App settings (environment variables) as name/value pairs.')
param appSettings array

var useContainer = !empty(containerImage)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: planSku
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: siteName
  location: location
  tags: tags
  kind: useContainer ? 'app,linux,container' : 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: useContainer ? 'DOCKER|${containerImage}' : 'DOTNETCORE|10.0'
      appCommandLine: useContainer ? '' : 'dotnet TeamsBot.dll'
      acrUseManagedIdentityCreds: useContainer
      acrUserManagedIdentityID: useContainer ? identityClientId : null
      alwaysOn: true // the Bot Connector expects a prompt answer; no cold starts
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(appSettings, useContainer
        ? [
            {
              name: 'WEBSITES_PORT'
              value: '8080'
            }
          ]
        : [])
    }
  }
}

// Deployment credentials by user name and password are not needed: deploy with Entra ID (az webapp deploy).
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName

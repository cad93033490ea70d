// The bot's one identity: a user-assigned managed identity. It is the bot's Microsoft App ID
// (UserAssignedMSI), and the principal that reads Graph, Key Vault and Table Storage.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId

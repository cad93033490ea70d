// Parameters for deploy/main.bicep. Copy per environment (e.g. prod.bicepparam) and replace every
// <...> value; docs/deployment.md explains each one.
using 'main.bicep'

param environmentName = 'dev'
param namePrefix = 'teamsbot'

// UserAssignedMSI: the managed identity created by the template is the bot (no secret to rotate).
param botAppType = 'UserAssignedMSI'
param botSku = 'F0'
param appServicePlanSku = 'B1'

// Empty: zip-deploy the published app onto the built-in .NET 10 stack.
// Or an image built from deploy/Dockerfile, e.g. '<registry>.azurecr.io/teamsbot:1.0.0'.
param containerImage = ''

// Object id of the user or group that sets and rotates Key Vault secrets ('' for none).
param keyVaultOperatorPrincipalId = ''
param keyVaultPurgeProtection = true

// Required: Entra group object ids.
param tapApproversGroupId = '<object id of the TAP approvers group>'
param policyAdminsGroupId = '<object id of the policy admins group>'
// Emergency access (break-glass) accounts: excluded from registration policy A.
param breakGlassUserIds = [
  '<object id of emergency access account 1>'
  '<object id of emergency access account 2>'
]

// Optional ('' = not used). Channel ids look like 19:...@thread.tacv2.
param tapPrivilegedApproversGroupId = ''
param tapRequestersGroupId = ''
param tapApprovalsChannelId = ''
param policyAdminsChannelId = ''
param breakGlassGroupId = ''

// Leave empty to keep the bot's defaults.
param tapRequestExpiry = ''
param tapMaxRequestsPerHour = ''
param tapRevealWindow = ''
param policyMinimumReportOnlyTime = ''
param policyDriftWatchInterval = ''

#!/usr/bin/env bash
# Grants the bot's identity the Microsoft Graph application permissions it needs (least privilege).
# No Entra directory role is assigned by default: creating a Temporary Access Pass with an application
# permission needs none (the role requirement on the Graph page is for delegated calls).
#
# Run once per environment, after `az deployment group create`, signed in with `az login` as a
# Privileged Role Administrator or Global Administrator of the bot's tenant. Assigning Graph
# application permissions to a service principal IS the admin consent for them: a managed identity
# has no consent screen. Safe to re-run: existing grants are left as they are.
#
# Usage:
#   deploy/grant-graph-permissions.sh --resource-group <rg> --identity-name <name> [options]
#   deploy/grant-graph-permissions.sh --principal-id <service principal object id> [options]
# Options:
#   --directory-role none                   no directory role (default: the application permissions suffice)
#   --directory-role auth-admin             Authentication Administrator (only if your tenant refuses app-only TAPs)
#   --directory-role privileged-auth-admin  Privileged Authentication Administrator (read the note in this file first)
#   --dry-run                               look everything up, change nothing
set -euo pipefail

# Microsoft Graph's application id: the same in every tenant.
readonly GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"
readonly GRAPH="https://graph.microsoft.com/v1.0"

# Application permissions (app roles of Microsoft Graph), looked up by value at run time.
readonly PERMISSIONS=(
  # Read users (userType, accountEnabled, employeeHireDate, department), their manager and direct
  # reports: who may request a TAP for whom, and whether the target is a member, enabled, not a guest.
  "User.Read.All"
  # Transitive group membership (checkMemberGroups) for the approvers, privileged approvers,
  # requesters, policy admins and break-glass groups, and the TAP policy's include/exclude groups;
  # group names for the cards. Narrower than Group.Read.All or Directory.Read.All.
  "GroupMember.Read.All"
  # A TAP target's directory roles: active assignments at every scope and PIM-eligible ones
  # (roleManagement/directory roleAssignments, roleEligibilityScheduleInstances). Without it the roles are
  # unknown, and the bot treats the target as privileged (only privileged approvers decide).
  "RoleManagement.Read.Directory"
  # Create, list and delete a user's Temporary Access Pass, and nothing else of their methods
  # (temporaryaccesspassauthenticationmethod pages: the TAP-only permission).
  "UserAuthMethod-TAP.ReadWrite.All"
  # List a user's sign-in methods, read-only: whether a new hire has registered any (shown to approvers),
  # and after issue, to delete the pass once they have.
  "UserAuthenticationMethod.Read.All"
  # Read the TAP authentication-method policy, Conditional Access policies, named locations and
  # authentication strengths, and run What-If (evaluate). Graph also requires it next to
  # Policy.ReadWrite.ConditionalAccess to create or update a CA policy.
  "Policy.Read.All"
  # Create the two registration policies in Report-only, fix drift, promote to On, roll back.
  "Policy.ReadWrite.ConditionalAccess"
  # Read sign-in logs for report-only results of the registration policies (needs Entra ID P1/P2), and
  # the directory audit log: who changed a registration policy outside the bot.
  "AuditLog.Read.All"
  # Install the bot's own Teams app for an approver or admin who never opened it, so that the bot may
  # message them (Learn: "Proactive installation of apps using Graph API to send messages"). "Self":
  # this app only, never another app.
  "TeamsAppInstallation.ReadWriteSelfForUser.All"
)

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

resource_group=""
identity_name=""
principal_id=""
directory_role="none"
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --resource-group) resource_group="${2:?}"; shift 2 ;;
    --identity-name) identity_name="${2:?}"; shift 2 ;;
    --principal-id) principal_id="${2:?}"; shift 2 ;;
    --directory-role) directory_role="${2:?}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done

case "$directory_role" in
  # Authentication Administrator: what a delegated admin needs to create TAPs for non-admin users.
  # Not needed by the bot's application permissions; offered for tenants that refuse app-only TAPs.
  auth-admin) role_name="Authentication Administrator" ;;
  # Privileged Authentication Administrator: may also do so for users who hold admin roles. It can
  # reset the sign-in methods of Global Administrators, so grant it only when the bot must issue
  # TAPs to privileged accounts (Tap:PrivilegedApproversGroupId), and prefer a separate deployment.
  privileged-auth-admin) role_name="Privileged Authentication Administrator" ;;
  none) role_name="" ;;
  *) echo "--directory-role must be auth-admin, privileged-auth-admin or none" >&2; exit 2 ;;
esac

command -v az >/dev/null || { echo "the Azure CLI (az) is required" >&2; exit 1; }

if [[ -z "$principal_id" ]]; then
  [[ -n "$resource_group" && -n "$identity_name" ]] || usage
  principal_id="$(az identity show --resource-group "$resource_group" --name "$identity_name" --query principalId --output tsv)"
fi
[[ "$principal_id" =~ ^[0-9a-fA-F-]{36}$ ]] || { echo "not a principal object id: $principal_id" >&2; exit 1; }

run() {
  if $dry_run; then
    echo "  (dry run) $*"
  else
    "$@" >/dev/null
  fi
}

principal_name="$(az rest --method GET --uri "$GRAPH/servicePrincipals/$principal_id" --query displayName --output tsv)"
graph_sp_id="$(az ad sp show --id "$GRAPH_APP_ID" --query id --output tsv)"
echo "Principal: $principal_name ($principal_id)"
echo "Microsoft Graph service principal: $graph_sp_id"

existing_roles="$(az rest --method GET \
  --uri "$GRAPH/servicePrincipals/$principal_id/appRoleAssignments?\$select=appRoleId,resourceId&\$top=999" \
  --query "value[?resourceId=='$graph_sp_id'].appRoleId" --output tsv)"

failed=0
for permission in "${PERMISSIONS[@]}"; do
  role_id="$(az ad sp show --id "$GRAPH_APP_ID" \
    --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" --output tsv)"
  if [[ -z "$role_id" ]]; then
    echo "ERROR $permission: no such application permission on Microsoft Graph" >&2
    failed=1
    continue
  fi
  if grep -qix "$role_id" <<<"$existing_roles"; then
    echo "ok      $permission ($role_id) already granted"
    continue
  fi
  echo "grant   $permission ($role_id)"
  run az rest --method POST --uri "$GRAPH/servicePrincipals/$principal_id/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}"
done

if [[ -n "$role_name" ]]; then
  role_definition_id="$(az rest --method GET \
    --uri "$GRAPH/roleManagement/directory/roleDefinitions?\$filter=displayName eq '$role_name'&\$select=id" \
    --query "value[0].id" --output tsv)"
  if [[ -z "$role_definition_id" ]]; then
    echo "ERROR directory role '$role_name' not found" >&2
    failed=1
  else
    assigned="$(az rest --method GET \
      --uri "$GRAPH/roleManagement/directory/roleAssignments?\$filter=principalId eq '$principal_id' and roleDefinitionId eq '$role_definition_id'" \
      --query "length(value)" --output tsv)"
    if [[ "${assigned:-0}" -gt 0 ]]; then
      echo "ok      directory role $role_name already assigned"
    else
      echo "assign  directory role $role_name ($role_definition_id), tenant-wide"
      run az rest --method POST --uri "$GRAPH/roleManagement/directory/roleAssignments" \
        --headers "Content-Type=application/json" \
        --body "{\"principalId\":\"$principal_id\",\"roleDefinitionId\":\"$role_definition_id\",\"directoryScopeId\":\"/\"}"
    fi
  fi
fi

if [[ $failed -ne 0 ]]; then
  echo "Some grants failed; see the errors above." >&2
  exit 1
fi
echo "Done. New app-role grants can take a few minutes to reach the identity's tokens: restart the web app after granting."

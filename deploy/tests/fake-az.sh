#!/usr/bin/env bash
# A stand-in for the Azure CLI, for testing grant-graph-permissions.sh without a tenant.
# It answers the calls that script makes from a state folder ($FAKE_AZ_STATE) and logs every call.
set -euo pipefail
state="${FAKE_AZ_STATE:?}"
printf '%s\n' "$*" >>"$state/calls.log"

method="" uri="" query="" body="" id=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --method) method="${args[i + 1]}" ;;
    --uri) uri="${args[i + 1]}" ;;
    --query) query="${args[i + 1]}" ;;
    --body) body="${args[i + 1]}" ;;
    --id) id="${args[i + 1]}" ;;
  esac
done

# Graph's application permissions known to this fake tenant: value -> app role id.
role_id_for() {
  case "$1" in
    User.Read.All) echo "df021288-bdef-4463-88db-98f22de89214" ;;
    GroupMember.Read.All) echo "98830695-27a2-44f7-8c18-0c3ebc9698f6" ;;
    RoleManagement.Read.Directory) echo "483bed4a-2ad3-4361-a73b-c83ccdbdc53c" ;;
    UserAuthenticationMethod.ReadWrite.All) echo "50483e42-d915-4231-9639-7fdb7fd190e5" ;;
    UserAuthMethod-TAP.ReadWrite.All) echo "627169a8-8c15-451c-861a-5b80e383de5c" ;;
    UserAuthenticationMethod.Read.All) echo "38d9df27-64da-44fd-b7c5-a6fbac20248f" ;;
    TeamsAppInstallation.ReadWriteSelfForUser.All) echo "908de74d-f8b2-4d6b-a9ed-2a17b3b78179" ;;
    Policy.Read.All) echo "246dd0d5-5bd0-4def-940b-0421030a5b68" ;;
    Policy.ReadWrite.ConditionalAccess) echo "01c0a623-fc9b-48e9-b794-0756f8e8f067" ;;
    AuditLog.Read.All) [[ -f "$state/no-auditlog" ]] || echo "b0afded3-3588-46d8-8b3d-9842eff778da" ;;
  esac
}

case "$1 $2" in
  "identity show") echo "11111111-2222-4333-8444-555555555555" ;;
  "ad sp")
    [[ "$id" == "00000003-0000-0000-c000-000000000000" ]] || { echo "unexpected sp $id" >&2; exit 1; }
    if [[ "$query" == "id" ]]; then
      echo "99999999-0000-4000-8000-000000000001"
    elif [[ "$query" =~ appRoles\[\?value==\'([^\']+)\' ]]; then
      role_id_for "${BASH_REMATCH[1]}"
    fi
    ;;
  "rest --method")
    case "$method $uri" in
      "GET "*/appRoleAssignments*) cat "$state/app-roles" 2>/dev/null || true ;;
      "POST "*/appRoleAssignments)
        [[ "$body" =~ \"appRoleId\":\"([^\"]+)\" ]] && echo "${BASH_REMATCH[1]}" >>"$state/app-roles"
        echo '{}' ;;
      "GET "*roleDefinitions*"Privileged Authentication Administrator"*) echo "7be44c8a-adaf-4e2a-84d6-ab2649e08a13" ;;
      "GET "*roleDefinitions*"Authentication Administrator"*) echo "c4e39bd9-1100-46d3-8c65-fb160da0071f" ;;
      "GET "*roleAssignments*)
        [[ "$uri" =~ roleDefinitionId\ eq\ \'([^\']+)\' ]]
        touch "$state/directory-roles"
        grep -c "${BASH_REMATCH[1]}" "$state/directory-roles" || true ;;
      "POST "*roleAssignments)
        [[ "$body" =~ \"roleDefinitionId\":\"([^\"]+)\" ]] && echo "${BASH_REMATCH[1]}" >>"$state/directory-roles"
        echo '{}' ;;
      "GET "*/servicePrincipals/*) echo "id-teamsbot-dev" ;;
      *) echo "fake az: unexpected call $*" >&2; exit 1 ;;
    esac
    ;;
  *) echo "fake az: unexpected call $*" >&2; exit 1 ;;
esac

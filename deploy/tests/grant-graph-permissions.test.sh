#!/usr/bin/env bash
# Tests deploy/grant-graph-permissions.sh against tests/fake-az.sh (no tenant needed).
# Prints one "ok - ..." or "not ok - ..." line per test; exits 1 if any failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/../grant-graph-permissions.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$here/fake-az.sh" "$work/bin/az"

failures=0
result() { # name, condition-exit-code
  if [[ $2 -eq 0 ]]; then echo "ok - $1"; else echo "not ok - $1"; failures=$((failures + 1)); fi
}
fresh_state() {
  export FAKE_AZ_STATE="$work/state-$1"
  rm -rf "$FAKE_AZ_STATE"
  mkdir -p "$FAKE_AZ_STATE"
}
grant() { PATH="$work/bin:$PATH" bash "$script" "$@" >"$FAKE_AZ_STATE/out.txt" 2>&1; }
posts() { grep -c -- "--method POST" "$FAKE_AZ_STATE/calls.log" || true; }

expected_roles="01c0a623-fc9b-48e9-b794-0756f8e8f067
246dd0d5-5bd0-4def-940b-0421030a5b68
38d9df27-64da-44fd-b7c5-a6fbac20248f
483bed4a-2ad3-4361-a73b-c83ccdbdc53c
627169a8-8c15-451c-861a-5b80e383de5c
908de74d-f8b2-4d6b-a9ed-2a17b3b78179
98830695-27a2-44f7-8c18-0c3ebc9698f6
b0afded3-3588-46d8-8b3d-9842eff778da
df021288-bdef-4463-88db-98f22de89214"

fresh_state first
grant --resource-group rg-teamsbot --identity-name id-teamsbot-dev
rc=$?
[[ $rc -eq 0 && "$(sort "$FAKE_AZ_STATE/app-roles")" == "$expected_roles" ]]
result "grants the nine Graph application permissions, looked up by value" $?
[[ ! -s "$FAKE_AZ_STATE/directory-roles" ]] && ! grep -q "roleManagement/directory/roleAssignments" "$FAKE_AZ_STATE/calls.log"
result "assigns no directory role by default" $?
grep -q '"principalId":"11111111-2222-4333-8444-555555555555"' "$FAKE_AZ_STATE/calls.log"
result "grants to the managed identity's principal id" $?

grant --resource-group rg-teamsbot --identity-name id-teamsbot-dev
rc=$?
[[ $rc -eq 0 && "$(posts)" == "9" ]]
result "a second run changes nothing" $?

fresh_state dry
grant --principal-id 11111111-2222-4333-8444-555555555555 --dry-run
rc=$?
[[ $rc -eq 0 && "$(posts)" == "0" ]] && grep -q "grant   AuditLog.Read.All" "$FAKE_AZ_STATE/out.txt"
result "--dry-run reports the grants and makes none" $?

fresh_state privileged
grant --principal-id 11111111-2222-4333-8444-555555555555 --directory-role privileged-auth-admin
[[ $? -eq 0 && "$(cat "$FAKE_AZ_STATE/directory-roles")" == "7be44c8a-adaf-4e2a-84d6-ab2649e08a13" ]]
result "--directory-role privileged-auth-admin assigns Privileged Authentication Administrator" $?

fresh_state missing
touch "$FAKE_AZ_STATE/no-auditlog"
grant --principal-id 11111111-2222-4333-8444-555555555555
rc=$?
[[ $rc -ne 0 ]] && grep -q "ERROR AuditLog.Read.All" "$FAKE_AZ_STATE/out.txt"
result "fails when Graph does not offer a permission" $?

fresh_state bad
grant --principal-id not-an-id
[[ $? -ne 0 && ! -s "$FAKE_AZ_STATE/app-roles" ]]
result "refuses a malformed principal id" $?

exit $((failures > 0 ? 1 : 0))

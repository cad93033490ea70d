using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Roles;

/// <summary>
/// GET /beta/roleManagement/directory/transitiveRoleAssignments — beta only (Graph v1.0 has no such segment and
/// answers 400, as the simulated v1.0 does): a principal's direct assignments and those of the role-assignable groups
/// it belongs to (https://learn.microsoft.com/graph/api/rbacapplication-list-transitiveroleassignments?view=graph-rest-beta).
/// The docs require the ConsistencyLevel: eventual header (404 without it), $count=true and a $filter on principalId.
/// </summary>
internal sealed partial class TransitiveRoleAssignmentsEndpoint(TenantState state)
{
    // $filter (eq) on principalId, roleDefinitionId and directoryScopeId.
    private static readonly FilterSchema Filter = new(new Dictionary<string, FilterProperty>
    {
        ["principalId"] = new(FilterKind.String, "eq"),
        ["roleDefinitionId"] = new(FilterKind.String, "eq"),
        ["directoryScopeId"] = new(FilterKind.String, "eq"),
    });

    public void Map(GraphRouter router) => router.Map("GET", "/roleManagement/directory/transitiveRoleAssignments", List);

    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (!string.Equals(request.Header("ConsistencyLevel"), "eventual", StringComparison.OrdinalIgnoreCase))
        {
            return GraphResponse.Error(404, "Request_ResourceNotFound",
                "transitiveRoleAssignments needs the ConsistencyLevel: eventual header, $count=true and a $filter on principalId.");
        }
        if (!string.Equals(request.QueryValue("$count"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return GraphResponse.BadRequest("transitiveRoleAssignments needs $count=true (with ConsistencyLevel: eventual and a $filter on principalId).",
                "Request_BadRequest");
        }
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, RoleJson.AssignmentType, RoleJson.AssignmentProperties) is { } badSelect)
        {
            return badSelect;
        }
        var (filter, badFilter) = ODataFilter.FromRequest(request, Filter);
        if (badFilter is not null)
        {
            return badFilter;
        }
        if (PrincipalClause().Match(request.QueryValue("$filter") ?? "") is not { Success: true } clause)
        {
            return GraphResponse.BadRequest("transitiveRoleAssignments needs a $filter on principalId (principalId eq '{id}').", "Request_BadRequest");
        }
        var principalId = clause.Groups[1].Value;
        lock (state.Sync)
        {
            // The principal itself, and the role-assignable groups a user is a member of (those can't be nested).
            var holders = state.RoleAssignableGroupsOf(principalId).Select(g => g.Id).Append(principalId).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var items = state.RoleAssignmentsUnlocked()
                .Where(a => holders.Contains(a.PrincipalId))
                // The filter names the principal asked about; a group's assignment counts as that principal's.
                .Where(a => filter(RoleJson.Assignment(a with { PrincipalId = principalId })))
                .Select(a => RoleJson.Select(RoleJson.Assignment(a), selected, null))
                .ToList();
            var answer = ODataQuery.Page(request, "roleManagement/directory/transitiveRoleAssignments", items);
            if (answer.Body is JsonObject body)
            {
                var withCount = new JsonObject { ["@odata.context"] = body["@odata.context"]?.DeepClone(), ["@odata.count"] = items.Count };
                foreach (var (name, value) in body.Where(p => p.Key != "@odata.context").ToList())
                {
                    body.Remove(name);
                    withCount[name] = value;
                }
                return GraphResponse.Ok(withCount);
            }
            return answer;
        }
    }

    [GeneratedRegex(@"\bprincipalId\s+eq\s+'([^']+)'", RegexOptions.IgnoreCase)]
    private static partial Regex PrincipalClause();
}

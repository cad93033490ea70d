using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;
using TeamsBot.DevTenant.Users;

namespace TeamsBot.DevTenant.Roles;

/// <summary>Graph's JSON for role definitions, assignments and eligibility instances, and their $expand.</summary>
internal static class RoleJson
{
    public const string AssignmentType = "microsoft.graph.unifiedRoleAssignment";
    public const string InstanceType = "microsoft.graph.unifiedRoleEligibilityScheduleInstance";
    public const string DefinitionType = "microsoft.graph.unifiedRoleDefinition";

    public static readonly string[] AssignmentProperties = ["id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId"];

    public static readonly string[] InstanceProperties =
        ["id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "startDateTime", "endDateTime", "memberType", "roleEligibilityScheduleId"];

    public static readonly string[] DefinitionProperties =
        ["id", "description", "displayName", "isBuiltIn", "isEnabled", "resourceScopes", "templateId", "version", "rolePermissions"];

    /// <summary>unifiedRoleDefinition (https://learn.microsoft.com/graph/api/resources/unifiedroledefinition). Permissions are not simulated.</summary>
    public static JsonObject Definition(SimRoleDefinition definition) => new()
    {
        ["id"] = definition.Id,
        ["description"] = definition.Description,
        ["displayName"] = definition.DisplayName,
        ["isBuiltIn"] = definition.IsBuiltIn,
        ["isEnabled"] = true,
        ["resourceScopes"] = new JsonArray("/"),
        ["templateId"] = definition.Id,
        ["version"] = definition.IsBuiltIn ? "1" : null,
        ["rolePermissions"] = new JsonArray(),
    };

    /// <summary>unifiedRoleAssignment (https://learn.microsoft.com/graph/api/resources/unifiedroleassignment).</summary>
    public static JsonObject Assignment(SimRoleAssignment assignment) => new()
    {
        ["id"] = assignment.Id,
        ["principalId"] = assignment.PrincipalId,
        ["roleDefinitionId"] = assignment.RoleDefinitionId,
        ["directoryScopeId"] = assignment.DirectoryScopeId,
        ["appScopeId"] = null,
    };

    /// <summary>unifiedRoleEligibilityScheduleInstance (https://learn.microsoft.com/graph/api/resources/unifiedroleeligibilityscheduleinstance).</summary>
    public static JsonObject Instance(SimRoleEligibility eligibility) => new()
    {
        ["id"] = RoleCatalog.EligibilityInstanceId(eligibility.RoleDefinitionId, eligibility.PrincipalId, eligibility.DirectoryScopeId),
        ["principalId"] = eligibility.PrincipalId,
        ["roleDefinitionId"] = eligibility.RoleDefinitionId,
        ["directoryScopeId"] = eligibility.DirectoryScopeId,
        ["appScopeId"] = null,
        ["startDateTime"] = SeedLoader.Format(eligibility.StartDateTime),
        ["endDateTime"] = eligibility.EndDateTime is { } end ? SeedLoader.Format(end) : null,
        ["memberType"] = "Direct",
        ["roleEligibilityScheduleId"] = eligibility.Id,
    };

    /// <summary>Adds the expanded navigation properties (roleDefinition, principal, directoryScope) the caller asked for.</summary>
    public static JsonObject Expand(JsonObject item, string[]? expand, TenantState state)
    {
        foreach (var name in expand ?? [])
        {
            if (string.Equals(name, "roleDefinition", StringComparison.OrdinalIgnoreCase))
            {
                item["roleDefinition"] = state.FindRoleDefinitionUnlocked((string)item["roleDefinitionId"]!) is { } definition
                    ? Definition(definition)
                    : null;
            }
            else if (string.Equals(name, "principal", StringComparison.OrdinalIgnoreCase))
            {
                item["principal"] = state.FindPrincipalUnlocked((string)item["principalId"]!) is { } principal
                    ? DirectoryJson.Member(principal, null)
                    : null;
            }
            else if (string.Equals(name, "directoryScope", StringComparison.OrdinalIgnoreCase))
            {
                item["directoryScope"] = RoleCatalog.ScopeObjectId((string)item["directoryScopeId"]!) is { } unitId
                    && state.FindAdministrativeUnitUnlocked(unitId) is { } unit
                    ? new JsonObject
                    {
                        ["@odata.type"] = "#microsoft.graph.administrativeUnit",
                        ["id"] = unit.Id,
                        ["displayName"] = unit.DisplayName,
                        ["description"] = unit.Description,
                    }
                    : null;
            }
        }
        return item;
    }

    /// <summary>"roleManagement/directory/roleAssignments(roleDefinition())" when expanded, as Graph writes its context.</summary>
    public static string Context(string set, string[]? expand) =>
        expand is { Length: > 0 } ? $"{set}({string.Join(',', expand.Select(e => e + "()"))})" : set;

    /// <summary>Keeps the selected properties (and the expanded ones).</summary>
    public static JsonObject Select(JsonObject item, string[]? selected, string[]? expand)
    {
        if (selected is null || selected.Contains("*"))
        {
            return item;
        }
        var result = new JsonObject();
        foreach (var (name, value) in item.ToList())
        {
            if (name == "id" || selected.Contains(name, StringComparer.OrdinalIgnoreCase) || (expand?.Contains(name, StringComparer.OrdinalIgnoreCase) ?? false))
            {
                item.Remove(name);
                result[name] = value;
            }
        }
        return result;
    }
}

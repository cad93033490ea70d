using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// A stored conditionalAccessPolicy: its canonical shape (every property present, like the service returns it), the
/// service's rules for a valid policy, and the GET presentation.
/// </summary>
internal static class PolicyDocument
{
    private static readonly string[] SpecialUsers = ["All", "None", "GuestsOrExternalUsers"];

    /// <summary>The canonical stored form: defaults filled in, an empty sessionControls collapsed to null.</summary>
    public static JsonObject Normalize(JsonObject source)
    {
        var conditions = source["conditions"] as JsonObject ?? [];
        var applications = conditions["applications"] as JsonObject ?? [];
        var users = conditions["users"] as JsonObject ?? [];
        var result = new JsonObject
        {
            ["id"] = Copy(source["id"]),
            ["templateId"] = Copy(source["templateId"]),
            ["displayName"] = Copy(source["displayName"]),
            ["createdDateTime"] = Copy(source["createdDateTime"]),
            ["modifiedDateTime"] = Copy(source["modifiedDateTime"]),
            ["state"] = Copy(source["state"]),
            ["description"] = Copy(source["description"]),
            ["sessionControls"] = NormalizeSession(source["sessionControls"] as JsonObject),
            ["conditions"] = new JsonObject
            {
                ["userRiskLevels"] = Array(conditions["userRiskLevels"]),
                ["signInRiskLevels"] = Array(conditions["signInRiskLevels"]),
                ["clientAppTypes"] = Array(conditions["clientAppTypes"]),
                ["servicePrincipalRiskLevels"] = Array(conditions["servicePrincipalRiskLevels"]),
                ["insiderRiskLevels"] = Copy(conditions["insiderRiskLevels"]),
                ["platforms"] = conditions["platforms"] is JsonObject platforms
                    ? new JsonObject { ["includePlatforms"] = Array(platforms["includePlatforms"]), ["excludePlatforms"] = Array(platforms["excludePlatforms"]) }
                    : null,
                ["locations"] = conditions["locations"] is JsonObject locations
                    ? new JsonObject { ["includeLocations"] = Array(locations["includeLocations"]), ["excludeLocations"] = Array(locations["excludeLocations"]) }
                    : null,
                ["devices"] = Copy(conditions["devices"]),
                ["clientApplications"] = Copy(conditions["clientApplications"]),
                ["authenticationFlows"] = Copy(conditions["authenticationFlows"]),
                ["applications"] = new JsonObject
                {
                    ["includeApplications"] = Array(applications["includeApplications"]),
                    ["excludeApplications"] = Array(applications["excludeApplications"]),
                    ["includeUserActions"] = Array(applications["includeUserActions"]),
                    ["includeAuthenticationContextClassReferences"] = Array(applications["includeAuthenticationContextClassReferences"]),
                    ["applicationFilter"] = Copy(applications["applicationFilter"]),
                },
                ["users"] = new JsonObject
                {
                    ["includeUsers"] = Array(users["includeUsers"]),
                    ["excludeUsers"] = Array(users["excludeUsers"]),
                    ["includeGroups"] = Array(users["includeGroups"]),
                    ["excludeGroups"] = Array(users["excludeGroups"]),
                    ["includeRoles"] = Array(users["includeRoles"]),
                    ["excludeRoles"] = Array(users["excludeRoles"]),
                    ["includeGuestsOrExternalUsers"] = NormalizeGuests(users["includeGuestsOrExternalUsers"] as JsonObject),
                    ["excludeGuestsOrExternalUsers"] = NormalizeGuests(users["excludeGuestsOrExternalUsers"] as JsonObject),
                },
            },
            ["grantControls"] = source["grantControls"] is JsonObject grant
                ? new JsonObject
                {
                    ["operator"] = Copy(grant["operator"]),
                    ["builtInControls"] = Array(grant["builtInControls"]),
                    ["customAuthenticationFactors"] = Array(grant["customAuthenticationFactors"]),
                    ["termsOfUse"] = Array(grant["termsOfUse"]),
                    ["authenticationStrength"] = grant["authenticationStrength"] is JsonObject strength && strength["id"] is { } strengthId
                        ? new JsonObject { ["id"] = Copy(strengthId) }
                        : null,
                }
                : null,
        };
        return result;
    }

    /// <summary>
    /// The policy as GET returns it: the authentication strength expanded (built-in or custom, found by
    /// <paramref name="findStrength"/>), with its context annotation.
    /// </summary>
    public static JsonObject Present(JsonObject stored, string serviceRoot, Func<string, SimAuthStrength?> findStrength)
    {
        var copy = (JsonObject)stored.DeepClone();
        if (copy["grantControls"] is JsonObject grant && (string?)grant["authenticationStrength"]?["id"] is { } id
            && findStrength(id) is { } strength)
        {
            var policyId = (string?)copy["id"];
            var rebuilt = new JsonObject();
            foreach (var (name, value) in grant.ToList())
            {
                grant.Remove(name);
                if (name == "authenticationStrength")
                {
                    rebuilt["authenticationStrength@odata.context"] =
                        $"{serviceRoot}/$metadata#identity/conditionalAccess/policies('{policyId}')/grantControls/authenticationStrength/$entity";
                    rebuilt[name] = StrengthJson(strength);
                }
                else
                {
                    rebuilt[name] = value;
                }
            }
            copy["grantControls"] = rebuilt;
        }
        return copy;
    }

    /// <summary>authenticationStrengthPolicy (https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy).</summary>
    public static JsonObject StrengthJson(SimAuthStrength strength) => new()
    {
        ["id"] = strength.Id,
        ["createdDateTime"] = SeedLoader.Format(strength.CreatedDateTime),
        ["modifiedDateTime"] = SeedLoader.Format(strength.ModifiedDateTime),
        ["displayName"] = strength.DisplayName,
        ["description"] = strength.Description,
        ["policyType"] = strength.PolicyType,
        ["requirementsSatisfied"] = AuthenticationStrengths.RequirementsSatisfied(strength.AllowedCombinations),
        ["allowedCombinations"] = new JsonArray(strength.AllowedCombinations.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
    };

    /// <summary>
    /// The service's rules for a complete policy, checked on create and on the result of a PATCH. Returns the
    /// message of the first violation, or null.
    /// </summary>
    public static string? FindRuleViolation(JsonObject policy, ISet<string> namedLocationIds, Func<string, bool> strengthExists, bool requireDisplayName)
    {
        if (requireDisplayName && string.IsNullOrWhiteSpace((string?)policy["displayName"]))
        {
            return "displayName is required.";
        }
        if (policy["state"] is null)
        {
            return "state is required.";
        }
        var conditions = policy["conditions"] as JsonObject;
        var applications = conditions?["applications"] as JsonObject;
        var users = conditions?["users"] as JsonObject;
        var includeApps = Strings(applications?["includeApplications"]);
        var userActions = Strings(applications?["includeUserActions"]);
        var contexts = Strings(applications?["includeAuthenticationContextClassReferences"]);
        if (includeApps.Count == 0 && userActions.Count == 0 && contexts.Count == 0)
        {
            return "The policy needs an application, user action or authentication context condition (conditions.applications).";
        }
        if (userActions.Count > 0 && (includeApps.Count > 0 || contexts.Count > 0))
        {
            return "A policy that targets user actions cannot also include applications or authentication contexts: includeApplications must be empty.";
        }
        var includesSomeone = Strings(users?["includeUsers"]).Count > 0 || Strings(users?["includeGroups"]).Count > 0
            || Strings(users?["includeRoles"]).Count > 0 || users?["includeGuestsOrExternalUsers"] is JsonObject;
        if (!includesSomeone)
        {
            return "The policy needs a user condition: includeUsers, includeGroups, includeRoles or includeGuestsOrExternalUsers.";
        }
        foreach (var list in new[] { "includeUsers", "excludeUsers" })
        {
            if (Strings(users?[list]).FirstOrDefault(u => !SpecialUsers.Contains(u, StringComparer.Ordinal) && !Guid.TryParse(u, out _)) is { } bad)
            {
                return $"'{bad}' in conditions.users.{list} is not a user object id, All, None or GuestsOrExternalUsers.";
            }
        }
        foreach (var list in new[] { "includeGroups", "excludeGroups", "includeRoles", "excludeRoles" })
        {
            if (Strings(users?[list]).FirstOrDefault(id => !Guid.TryParse(id, out _)) is { } bad)
            {
                return $"'{bad}' in conditions.users.{list} is not an object id.";
            }
        }
        foreach (var name in new[] { "includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers" })
        {
            if (users?[name] is JsonObject guests)
            {
                var types = (string?)guests["guestOrExternalUserTypes"];
                if (string.IsNullOrEmpty(types) || types == "none")
                {
                    return $"conditions.users.{name}.guestOrExternalUserTypes must name at least one type.";
                }
                if (guests["externalTenants"] is JsonObject tenants && (string?)tenants["membershipKind"] == "enumerated"
                    && Strings(tenants["members"]).Count == 0)
                {
                    return $"conditions.users.{name}.externalTenants with membershipKind 'enumerated' needs members.";
                }
            }
        }
        if (conditions?["locations"] is JsonObject locations)
        {
            if (Strings(locations["includeLocations"]).Count == 0)
            {
                return "conditions.locations needs includeLocations (e.g. All).";
            }
            foreach (var id in Strings(locations["includeLocations"]).Concat(Strings(locations["excludeLocations"])))
            {
                if (id is not ("All" or "AllTrusted") && !namedLocationIds.Contains(id))
                {
                    return $"The named location '{id}' does not exist.";
                }
            }
        }
        var grant = policy["grantControls"] as JsonObject;
        var hasGrant = grant is not null && (Strings(grant["builtInControls"]).Count > 0 || grant["authenticationStrength"] is JsonObject
            || Strings(grant["termsOfUse"]).Count > 0 || Strings(grant["customAuthenticationFactors"]).Count > 0);
        if (!hasGrant && policy["sessionControls"] is not JsonObject)
        {
            return "The policy needs a grant control or a session control.";
        }
        if (hasGrant && (string?)grant!["operator"] is null)
        {
            return "grantControls.operator is required (AND or OR).";
        }
        if (grant?["authenticationStrength"] is JsonObject strength)
        {
            if ((string?)strength["id"] is not { } id || !strengthExists(id))
            {
                return $"The authentication strength '{(string?)strength["id"]}' does not exist.";
            }
            if (Strings(grant["builtInControls"]).Contains("mfa"))
            {
                // The service's text (seen in Microsoft365DSC/Microsoft365DSC#6218).
                return "1108: Authentication strengths cannot be used alongside the MFA built-in control.";
            }
        }
        return null;
    }

    /// <summary>OData PATCH semantics for complex properties: objects merge recursively, everything else is replaced.</summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    public static List<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => (string?)n).OfType<string>().ToList();

    private static JsonNode? Copy(JsonNode? node) => node?.DeepClone();

    private static JsonArray Array(JsonNode? node) => node is JsonArray array ? (JsonArray)array.DeepClone() : [];

    private static JsonObject? NormalizeGuests(JsonObject? guests) => guests is null
        ? null
        : new JsonObject
        {
            ["guestOrExternalUserTypes"] = Copy(guests["guestOrExternalUserTypes"]),
            ["externalTenants"] = guests["externalTenants"] is JsonObject tenants ? NormalizeTenants(tenants) : null,
        };

    private static JsonObject NormalizeTenants(JsonObject tenants)
    {
        var kind = (string?)tenants["membershipKind"] ?? "all";
        var result = new JsonObject
        {
            ["@odata.type"] = kind == "enumerated"
                ? "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"
                : "#microsoft.graph.conditionalAccessAllExternalTenants",
            ["membershipKind"] = kind,
        };
        if (kind == "enumerated")
        {
            result["members"] = Array(tenants["members"]);
        }
        return result;
    }

    private static JsonObject? NormalizeSession(JsonObject? session)
    {
        if (session is null || session.All(p => p.Value is null || (p.Value is JsonObject o && o.Count == 0)
            || (p.Key == "disableResilienceDefaults" && p.Value.GetValueKind() == System.Text.Json.JsonValueKind.False)))
        {
            return null;
        }
        return (JsonObject)session.DeepClone();
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// POST /identity/conditionalAccess/evaluate: the What-If tool, computed from the stored policies. Disabled policies
/// are left out; report-only ones are evaluated like enabled ones.
/// </summary>
internal sealed class WhatIfEndpoint(TenantState state)
{
    private static readonly Dictionary<string, string> UserActions = new(StringComparer.Ordinal)
    {
        ["registerSecurityInformation"] = "urn:user:registersecurityinfo",
        ["registerOrJoinDevices"] = "urn:user:registerdevice",
    };

    public void Map(GraphRouter router) => router.Map("POST", "/identity/conditionalAccess/evaluate", Evaluate);

    private GraphResponse Evaluate(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        if (body["signInIdentity"] is not JsonObject identity || (string?)identity["@odata.type"] != "#microsoft.graph.userSignIn"
            || (string?)identity["userId"] is not { } userId)
        {
            return GraphResponse.BadRequest("signInIdentity is required: a #microsoft.graph.userSignIn with a userId.");
        }
        if (body["signInContext"] is not JsonObject context)
        {
            return GraphResponse.BadRequest("signInContext is required.");
        }
        var target = ReadContext(context);
        if (target.Error is not null)
        {
            return GraphResponse.BadRequest(target.Error);
        }
        var conditions = body["signInConditions"] as JsonObject ?? [];
        var appliedOnly = body["appliedPoliciesOnly"] is JsonValue only && only.GetValueKind() == JsonValueKind.True;
        IPAddress? ip = null;
        if ((string?)conditions["ipAddress"] is { } ipText && !IPAddress.TryParse(ipText, out ip))
        {
            return GraphResponse.BadRequest($"'{ipText}' is not a valid ipAddress.");
        }

        lock (state.Sync)
        {
            if (state.FindUserUnlocked(userId) is not { } user)
            {
                return GraphResponse.BadRequest($"The user '{userId}' does not exist in the tenant.");
            }
            var subject = new Subject(
                user,
                state.TransitiveGroupsOf(user.Id).Select(g => g.Id).ToHashSet(StringComparer.OrdinalIgnoreCase),
                state.RolesOf(user.Id).Select(r => r.RoleTemplateId).ToHashSet(StringComparer.OrdinalIgnoreCase));
            var place = MatchLocations(ip, (string?)conditions["country"]);
            var results = new JsonArray();
            foreach (var policy in state.PoliciesUnlocked.Where(p => (string?)p["state"] != "disabled"))
            {
                var reasons = new List<string>();
                var policyConditions = policy["conditions"] as JsonObject ?? [];
                if (!UsersApply(policyConditions["users"] as JsonObject, subject))
                {
                    reasons.Add("users");
                }
                if (TargetMismatch(policyConditions["applications"] as JsonObject, target) is { } targetReason)
                {
                    reasons.Add(targetReason);
                }
                if (!ClientAppApplies(policyConditions, (string?)conditions["clientAppType"] ?? "browser"))
                {
                    reasons.Add("clientApps");
                }
                if (!PlatformApplies(policyConditions["platforms"] as JsonObject, (string?)conditions["devicePlatform"]))
                {
                    reasons.Add("devicePlatform");
                }
                if (!LocationApplies(policyConditions["locations"] as JsonObject, place))
                {
                    reasons.Add("location");
                }
                if (!RiskApplies(policyConditions["signInRiskLevels"], (string?)conditions["signInRiskLevel"]))
                {
                    reasons.Add("signInRisk");
                }
                if (!RiskApplies(policyConditions["userRiskLevels"], (string?)conditions["userRiskLevel"]))
                {
                    reasons.Add("userRisk");
                }
                var applies = reasons.Count == 0;
                if (appliedOnly && !applies)
                {
                    continue;
                }
                // The policy as GET shows it: an authentication strength grant comes expanded, so its requirementsSatisfied
                // ("mfa" for the built-in strengths) tells the caller the policy requires MFA, as builtInControls "mfa" does.
                var item = new JsonObject { ["@odata.type"] = "#microsoft.graph.whatIfAnalysisResult" };
                foreach (var (name, value) in state.PresentPolicyUnlocked(policy, request.ServiceRoot).ToList())
                {
                    item[name] = value?.DeepClone();
                }
                item["policyApplies"] = applies;
                item["analysisReasons"] = applies ? "notSet" : string.Join(',', reasons);
                results.Add(item);
            }
            return GraphResponse.Ok(new JsonObject
            {
                ["@odata.context"] = request.MetadataUrl("Collection(microsoft.graph.whatIfAnalysisResult)"),
                ["value"] = results,
            });
        }
    }

    private sealed record Subject(SimUser User, HashSet<string> GroupIds, HashSet<string> RoleTemplateIds);

    private sealed record SignInTarget(string? UserActionUrn, IReadOnlyList<string> ApplicationIds, string? Error);

    private sealed record Place(HashSet<string> LocationIds, bool Trusted);

    private static SignInTarget ReadContext(JsonObject context)
    {
        switch ((string?)context["@odata.type"])
        {
            case "#microsoft.graph.userActionContext":
                var action = (string?)context["userAction"];
                return action is not null && UserActions.TryGetValue(action, out var urn)
                    ? new SignInTarget(urn, [], null)
                    : new SignInTarget(null, [], $"'{action}' is not a supported userAction (registerSecurityInformation, registerOrJoinDevices).");
            case "#microsoft.graph.applicationContext":
                var apps = PolicyDocument.Strings(context["includeApplications"]);
                return apps.Count > 0
                    ? new SignInTarget(null, apps, null)
                    : new SignInTarget(null, [], "applicationContext needs includeApplications.");
            default:
                return new SignInTarget(null, [], "signInContext must be a #microsoft.graph.userActionContext or #microsoft.graph.applicationContext.");
        }
    }

    private static bool UsersApply(JsonObject? users, Subject subject)
    {
        if (users is null)
        {
            return false;
        }
        return Covers(users, "include", subject) && !Covers(users, "exclude", subject);
    }

    private static bool Covers(JsonObject users, string side, Subject subject)
    {
        var user = subject.User;
        var guestType = user.GuestOrExternalUserType;
        var ids = PolicyDocument.Strings(users[side + "Users"]);
        if ((side == "include" && ids.Contains("All"))
            || ids.Contains(user.Id, StringComparer.OrdinalIgnoreCase)
            || (guestType is not null && ids.Contains("GuestsOrExternalUsers")))
        {
            return true;
        }
        if (PolicyDocument.Strings(users[side + "Groups"]).Any(subject.GroupIds.Contains)
            || PolicyDocument.Strings(users[side + "Roles"]).Any(subject.RoleTemplateIds.Contains))
        {
            return true;
        }
        if (guestType is not null && users[side + "GuestsOrExternalUsers"] is JsonObject guests)
        {
            var types = ((string?)guests["guestOrExternalUserTypes"] ?? "").Split(',');
            if (types.Contains(guestType))
            {
                // Internal guests belong to this tenant, so externalTenants does not narrow them.
                if (guestType == "internalGuest" || guests["externalTenants"] is not JsonObject tenants
                    || (string?)tenants["membershipKind"] != "enumerated")
                {
                    return true;
                }
                return user.HomeTenantId is { } home
                    && PolicyDocument.Strings(tenants["members"]).Contains(home, StringComparer.OrdinalIgnoreCase);
            }
        }
        return false;
    }

    private static string? TargetMismatch(JsonObject? applications, SignInTarget target)
    {
        var userActions = PolicyDocument.Strings(applications?["includeUserActions"]);
        if (target.UserActionUrn is { } urn)
        {
            return userActions.Contains(urn, StringComparer.OrdinalIgnoreCase) ? null : "userActions";
        }
        if (userActions.Count > 0)
        {
            return "userActions";
        }
        var include = PolicyDocument.Strings(applications?["includeApplications"]);
        var exclude = PolicyDocument.Strings(applications?["excludeApplications"]);
        var matches = target.ApplicationIds.Any(app =>
            (include.Contains("All") || include.Contains(app, StringComparer.OrdinalIgnoreCase))
            && !exclude.Contains(app, StringComparer.OrdinalIgnoreCase));
        return matches ? null : "application";
    }

    private static bool ClientAppApplies(JsonObject conditions, string clientAppType)
    {
        var types = PolicyDocument.Strings(conditions["clientAppTypes"]);
        return types.Count == 0 || types.Contains("all") || types.Contains(clientAppType, StringComparer.OrdinalIgnoreCase);
    }

    private static bool PlatformApplies(JsonObject? platforms, string? platform)
    {
        if (platforms is null)
        {
            return true;
        }
        if (platform is null)
        {
            return false;
        }
        var include = PolicyDocument.Strings(platforms["includePlatforms"]);
        var exclude = PolicyDocument.Strings(platforms["excludePlatforms"]);
        return (include.Contains("all") || include.Contains(platform, StringComparer.OrdinalIgnoreCase))
            && !exclude.Contains(platform, StringComparer.OrdinalIgnoreCase);
    }

    private static bool RiskApplies(JsonNode? levels, string? level)
    {
        var wanted = PolicyDocument.Strings(levels);
        return wanted.Count == 0 || (level is not null && wanted.Contains(level, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The named locations the sign-in falls into: IP ranges by address, country locations by country.</summary>
    private Place MatchLocations(IPAddress? ip, string? country)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var trusted = false;
        foreach (var location in state.NamedLocationsUnlocked)
        {
            var id = (string?)location["id"];
            if (id is null)
            {
                continue;
            }
            if ((string?)location["@odata.type"] == "#microsoft.graph.ipNamedLocation")
            {
                var inside = ip is not null && (location["ipRanges"] as JsonArray ?? [])
                    .Select(r => (string?)r?["cidrAddress"]).OfType<string>()
                    .Select(CidrRange.Parse).Any(r => r is not null && r.Contains(ip));
                if (inside)
                {
                    ids.Add(id);
                    trusted |= (bool?)location["isTrusted"] ?? false;
                }
            }
            else
            {
                var countries = PolicyDocument.Strings(location["countriesAndRegions"]);
                var unknownIncluded = (bool?)location["includeUnknownCountriesAndRegions"] ?? false;
                if ((country is not null && countries.Contains(country, StringComparer.OrdinalIgnoreCase)) || (country is null && unknownIncluded))
                {
                    ids.Add(id);
                }
            }
        }
        return new Place(ids, trusted);
    }

    private static bool LocationApplies(JsonObject? locations, Place place)
    {
        if (locations is null)
        {
            return true;
        }
        bool InSet(List<string> list) => list.Contains("All")
            || (list.Contains("AllTrusted") && place.Trusted)
            || list.Any(place.LocationIds.Contains);
        return InSet(PolicyDocument.Strings(locations["includeLocations"])) && !InSet(PolicyDocument.Strings(locations["excludeLocations"]));
    }
}

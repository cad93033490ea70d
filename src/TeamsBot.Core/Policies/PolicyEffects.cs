using TeamsBot.Access;

namespace TeamsBot.Policies;

/// <summary>What the registration policies do to one kind of person at one kind of place, before and after a plan.</summary>
public sealed record PlanEffect(string Persona, string Location, string Before, string After)
{
    public bool Changed => !string.Equals(Before, After, StringComparison.Ordinal);
}

/// <summary>
/// The What-If matrix of a plan, before and after it (personas × trusted/untrusted: MFA required, blocked, not
/// applied), computed by evaluating the policies' JSON here rather than by Graph's What-If. What-If evaluates only
/// policies stored in the tenant, so an "after" would mean writing draft policies first: a change outside the approval,
/// audited and visible to everyone, and Conditional Access writes are throttled to one request a second per tenant.
/// Evaluating the JSON is immediate and has no side effects; it covers exactly the conditions the two registration
/// policies use (users, guests, groups, the user action, All/AllTrusted locations, client apps) and answers "can't
/// tell" for any other. "Before" is computed the same way, so a changed cell is the plan's doing alone. The status
/// card keeps Graph's What-If as the tenant's own evidence.
/// </summary>
public static class PolicyEffects
{
    public const string NotApplied = "Not applied";
    public const string Blocked = "Blocked";
    public const string Mfa = "MFA required";
    private const string RegisterSecurityInfo = "urn:user:registersecurityinfo";
    private const string ReportOnlySuffix = " (report-only)";

    private static readonly string[] Evaluated = ["applications", "users", "locations", "clientAppTypes"];

    /// <summary>A kind of person: their id, guest type (null for a member) and groups.</summary>
    private sealed record Persona(string Name, string? Id, string? GuestType, IReadOnlyList<string> Groups);

    /// <summary>The matrix for the policies as they are (<paramref name="before"/>) and as the plan leaves them (<paramref name="after"/>).</summary>
    public static IReadOnlyList<PlanEffect> Compute(IReadOnlyList<JsonObject> before, IReadOnlyList<JsonObject> after, bool hasTrustedLocation,
        BreakGlassOptions breakGlass)
    {
        Persona[] personas =
        [
            new("A member (a new hire with a TAP)", "00000000-0000-0000-0000-00000000cafe", null, []),
            new("A guest", "00000000-0000-0000-0000-00000000beef", "b2bCollaborationGuest", []),
            new("Break-glass", breakGlass.UserIds.FirstOrDefault(), null, string.IsNullOrEmpty(breakGlass.GroupId) ? [] : [breakGlass.GroupId]),
        ];
        var effects = new List<PlanEffect>();
        foreach (var persona in personas)
            foreach (var trusted in new[] { true, false })
            {
                var location = trusted ? "Trusted network" : "Untrusted network";
                if (persona.Id is null)
                {
                    effects.Add(new PlanEffect(persona.Name, location, "Not configured", "Not configured"));
                    continue;
                }
                if (trusted && !hasTrustedLocation)
                {
                    effects.Add(new PlanEffect(persona.Name, location, "No trusted location", "No trusted location"));
                    continue;
                }
                effects.Add(new PlanEffect(persona.Name, location, Outcome(before, persona, trusted), Outcome(after, persona, trusted)));
            }
        return effects;
    }

    /// <summary>The policies after PATCH semantics (objects merge, everything else is replaced), as Graph applies an update.</summary>
    public static JsonObject Patched(JsonObject policy, JsonObject patch)
    {
        var copy = policy.DeepClone().AsObject();
        Merge(copy, patch);
        return copy;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is JsonObject inner && target[name] is JsonObject existing) Merge(existing, inner);
            else target[name] = value?.DeepClone();
        }
    }

    private static string Outcome(IReadOnlyList<JsonObject> policies, Persona persona, bool trusted)
    {
        var enforced = new List<string>();
        var reportOnly = new List<string>();
        foreach (var policy in policies)
        {
            var state = Text(policy["state"]);
            if (state == "disabled") continue;
            var result = Evaluate(policy, persona, trusted);
            if (result is null) continue;
            if (result.StartsWith("Can't tell", StringComparison.Ordinal)) return result;
            (state == RegistrationPolicies.ReportOnly ? reportOnly : enforced).Add(result);
        }
        if (enforced.Count > 0) return Strongest(enforced);
        return reportOnly.Count > 0 ? Strongest(reportOnly) + ReportOnlySuffix : NotApplied;
    }

    private static string Strongest(List<string> results) =>
        results.Contains(Blocked) ? Blocked : results.OrderByDescending(r => r.Length).First();

    /// <summary>What one policy asks of the persona at the place, null when it doesn't apply.</summary>
    private static string? Evaluate(JsonObject policy, Persona persona, bool trusted)
    {
        var conditions = policy["conditions"] as JsonObject ?? [];
        if (conditions.Where(c => !Evaluated.Contains(c.Key) && !IsEmpty(c.Value)).Select(c => c.Key).FirstOrDefault() is { } other)
            return $"Can't tell (the policy also has {other})";
        var applications = conditions["applications"];
        if (Strings(applications?["includeApplications"]).Count > 0 || Strings(applications?["includeAuthenticationContextClassReferences"]).Count > 0)
            return "Can't tell (the policy targets applications)";
        if (!Strings(applications?["includeUserActions"]).Contains(RegisterSecurityInfo, StringComparer.OrdinalIgnoreCase)) return null;
        var clientApps = Strings(conditions["clientAppTypes"]);
        if (clientApps.Count > 0 && !clientApps.Any(c => c is "all" or "browser")) return null;

        var users = conditions["users"];
        if (Strings(users?["includeRoles"]).Count > 0 || Strings(users?["excludeRoles"]).Count > 0)
            return "Can't tell (the policy has role conditions)";
        if (!Matches(users, "include", persona) || Matches(users, "exclude", persona)) return null;

        if (conditions["locations"] is JsonObject locations)
        {
            var include = Strings(locations["includeLocations"]);
            var exclude = Strings(locations["excludeLocations"]);
            if (include.Concat(exclude).FirstOrDefault(l => l is not ("All" or "AllTrusted")) is not null)
                return "Can't tell (the policy names locations)";
            var included = include.Contains("All") || (trusted && include.Contains("AllTrusted"));
            var excluded = exclude.Contains("All") || (trusted && exclude.Contains("AllTrusted"));
            if (!included || excluded) return null;
        }
        return Grant(policy);
    }

    private static bool Matches(JsonNode? users, string side, Persona persona)
    {
        var ids = Strings(users?[side + "Users"]);
        if (ids.Contains("All")) return true;
        if (persona.Id is { } id && ids.Contains(id, StringComparer.OrdinalIgnoreCase)) return true;
        if (persona.GuestType is not null && ids.Contains("GuestsOrExternalUsers")) return true;
        if (Strings(users?[side + "Groups"]).Intersect(persona.Groups, StringComparer.OrdinalIgnoreCase).Any()) return true;
        if (persona.GuestType is { } type && users?[side + "GuestsOrExternalUsers"] is JsonObject guests)
        {
            var types = (Text(guests["guestOrExternalUserTypes"]) ?? "").Split(',', StringSplitOptions.TrimEntries);
            var allTenants = Text(guests["externalTenants"]?["membershipKind"]) is null or "all";
            return types.Contains(type, StringComparer.OrdinalIgnoreCase) && allTenants;
        }
        return false;
    }

    private static string Grant(JsonObject policy)
    {
        if (GrantControls.FromPolicy(policy) is not { } grant) return "Session controls only";
        if (grant.BuiltIn.Contains("block")) return Blocked;
        var mfa = grant.BuiltIn.Contains(GrantControls.Mfa) || grant.StrengthId is not null;
        var device = grant.Devices.Count > 0;
        return (mfa, device) switch
        {
            (true, true) when grant.RequiresAll => "MFA and a device required",
            (true, _) => Mfa,
            (false, true) => "Device required",
            _ => "Grant controls required",
        };
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.All(p => IsEmpty(p.Value)),
        JsonValue v => v.GetValueKind() == JsonValueKind.Null,
        _ => false,
    };

    private static List<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(Text).OfType<string>().ToList();

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}

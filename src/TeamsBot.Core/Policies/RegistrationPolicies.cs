using TeamsBot.Access;

namespace TeamsBot.Policies;

/// <summary>Which of the two registration policies.</summary>
public enum PolicyKey { A, B }

/// <summary>
/// The two registration policies as templates (embedded JSON), rendered for this tenant: placeholders filled from
/// configuration. The bot finds its policies by the id it stored; without one (a new store, a lost record) by the marker
/// in the description where the tenant keeps it, else by display name and user action. Graph's v1.0 docs call a Conditional
/// Access policy's <c>description</c> "Not used" (conditionalAccessPolicy resource), so nothing may depend on it.
/// </summary>
public sealed class RegistrationPolicies(IOptions<BreakGlassOptions> breakGlass, IOptions<PolicyOptions> options)
{
    public const string ReportOnly = "enabledForReportingButNotEnforced";
    public const string Enabled = "enabled";

    public static readonly IReadOnlyList<PolicyKey> All = [PolicyKey.A, PolicyKey.B];

    private static readonly Dictionary<PolicyKey, JsonObject> Templates = All.ToDictionary(k => k, Load);

    public static string Marker(PolicyKey key) => $"teamsbot:registration-policy:{key}";

    public static string DisplayName(PolicyKey key) => Templates[key]["displayName"]!.GetValue<string>();

    /// <summary>
    /// Whether a policy in the tenant is this one, without its stored id: the marker in its description, or its display
    /// name on a policy for the register-security-info user action (whatever else was changed in it: that shows as drift).
    /// </summary>
    public static bool Recognises(PolicyKey key, JsonObject policy)
    {
        if ((Text(policy["description"]) ?? "").Contains(Marker(key), StringComparison.Ordinal)) return true;
        if (!string.Equals(Text(policy["displayName"])?.Trim(), DisplayName(key), StringComparison.OrdinalIgnoreCase)) return false;
        var actions = policy["conditions"]?["applications"]?["includeUserActions"] as JsonArray;
        return actions?.Any(a => string.Equals(Text(a), "urn:user:registersecurityinfo", StringComparison.OrdinalIgnoreCase)) == true;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static string Purpose(PolicyKey key) => key == PolicyKey.A
        ? "members need MFA (a TAP counts) to register security info outside trusted locations"
        : "guests can't register security info outside trusted locations";

    /// <summary>Policy A's grant from the settings (the template holds Microsoft's default, MFA).</summary>
    public GrantControls GrantA => options.Value.GrantA;

    /// <summary>The policy as it should be in this tenant (state: report-only; policy A with the configured grant).</summary>
    public JsonObject Render(PolicyKey key)
    {
        var policy = Templates[key].DeepClone().AsObject();
        if (key == PolicyKey.A) policy["grantControls"] = GrantA.ToJson();
        Fill(policy, new Dictionary<string, IReadOnlyList<string>>
        {
            ["{{breakGlassUserIds}}"] = breakGlass.Value.UserIds,
            ["{{breakGlassGroupId}}"] = string.IsNullOrEmpty(breakGlass.Value.GroupId) ? [] : [breakGlass.Value.GroupId],
        });
        return policy;
    }

    /// <summary>The unrendered template, placeholders and all (for the docs and the tests).</summary>
    public static JsonObject Template(PolicyKey key) => Templates[key].DeepClone().AsObject();

    public static IReadOnlyList<PolicyKey> Parse(string which) => which.Trim().ToUpperInvariant() switch
    {
        "A" => [PolicyKey.A],
        "B" => [PolicyKey.B],
        "ALL" or "BOTH" or "A+B" => All,
        _ => [],
    };

    private static void Fill(JsonNode? node, IReadOnlyDictionary<string, IReadOnlyList<string>> values)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o.ToList()) Fill(child, values);
                break;
            case JsonArray a:
                for (var i = a.Count - 1; i >= 0; i--)
                {
                    if (a[i] is JsonValue v && v.TryGetValue(out string? s) && values.TryGetValue(s, out var replacement))
                    {
                        a.RemoveAt(i);
                        foreach (var item in replacement.Reverse()) a.Insert(i, item);
                    }
                    else Fill(a[i], values);
                }
                break;
        }
    }

    private static JsonObject Load(PolicyKey key)
    {
        var name = $"TeamsBot.Policies.Templates.registration-policy-{key.ToString().ToLowerInvariant()}.json";
        using var stream = typeof(RegistrationPolicies).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The template {name} is missing from the assembly.");
        return JsonNode.Parse(stream)!.AsObject();
    }
}

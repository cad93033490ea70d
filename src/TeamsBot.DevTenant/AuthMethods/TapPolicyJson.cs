using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.AuthMethods;

/// <summary>The TAP method policy as Graph's temporaryAccessPassAuthenticationMethodConfiguration JSON.</summary>
internal static class TapPolicyJson
{
    public const string ODataType = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration";

    public static JsonObject ToJson(TapMethodPolicy policy) => new()
    {
        ["@odata.type"] = ODataType,
        ["id"] = "TemporaryAccessPass",
        ["state"] = policy.State,
        ["defaultLifetimeInMinutes"] = policy.DefaultLifetimeInMinutes,
        ["defaultLength"] = policy.DefaultLength,
        ["minimumLifetimeInMinutes"] = policy.MinimumLifetimeInMinutes,
        ["maximumLifetimeInMinutes"] = policy.MaximumLifetimeInMinutes,
        ["isUsableOnce"] = policy.IsUsableOnce,
        ["excludeTargets"] = new JsonArray(policy.ExcludeTargets.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["targetType"] = t.TargetType,
        }).ToArray()),
        ["includeTargets"] = new JsonArray(policy.IncludeTargets.Select(t => (JsonNode)new JsonObject
        {
            ["targetType"] = t.TargetType,
            ["id"] = t.Id,
            ["isRegistrationRequired"] = t.IsRegistrationRequired,
        }).ToArray()),
    };

    public static TapMethodPolicy FromJson(JsonObject json) => new(
        (string?)json["state"] ?? "disabled",
        (int?)json["defaultLifetimeInMinutes"] ?? 60,
        (int?)json["minimumLifetimeInMinutes"] ?? 60,
        (int?)json["maximumLifetimeInMinutes"] ?? 480,
        (int?)json["defaultLength"] ?? 8,
        (bool?)json["isUsableOnce"] ?? false,
        Targets(json["includeTargets"]),
        Targets(json["excludeTargets"]));

    /// <summary>Applies a PATCH body with the service's checks; returns the new policy or Graph's error text.</summary>
    public static (TapMethodPolicy? Policy, string? Error) Patch(TapMethodPolicy current, JsonObject patch)
    {
        if (!string.Equals((string?)(patch["@odata.type"] as JsonValue), ODataType, StringComparison.Ordinal))
        {
            return (null, $"Invalid request body: '@odata.type' must be '{ODataType}'.");
        }
        string[] known = ["@odata.type", "id", "state", "defaultLifetimeInMinutes", "defaultLength", "minimumLifetimeInMinutes",
            "maximumLifetimeInMinutes", "isUsableOnce", "includeTargets", "excludeTargets"];
        if (patch.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return (null, $"Invalid request body: unknown property '{unknown}' on type 'microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration'.");
        }
        if (patch["id"] is { } id && !string.Equals((string?)(id as JsonValue), "TemporaryAccessPass", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Invalid request body: the id of this configuration is 'TemporaryAccessPass'.");
        }
        try
        {
            var merged = current;
            if (patch["state"] is { } state)
            {
                var text = state.GetValue<string>();
                if (text is not ("enabled" or "disabled"))
                {
                    return (null, $"Invalid request body: '{text}' is not a valid value for 'state' (enabled, disabled).");
                }
                merged = merged with { State = text };
            }
            merged = merged with
            {
                DefaultLifetimeInMinutes = Int(patch, "defaultLifetimeInMinutes") ?? merged.DefaultLifetimeInMinutes,
                DefaultLength = Int(patch, "defaultLength") ?? merged.DefaultLength,
                MinimumLifetimeInMinutes = Int(patch, "minimumLifetimeInMinutes") ?? merged.MinimumLifetimeInMinutes,
                MaximumLifetimeInMinutes = Int(patch, "maximumLifetimeInMinutes") ?? merged.MaximumLifetimeInMinutes,
                IsUsableOnce = patch["isUsableOnce"] is { } once ? once.GetValue<bool>() : merged.IsUsableOnce,
                IncludeTargets = patch["includeTargets"] is { } include ? CheckedTargets(include, "includeTargets") : merged.IncludeTargets,
                ExcludeTargets = patch["excludeTargets"] is { } exclude ? CheckedTargets(exclude, "excludeTargets") : merged.ExcludeTargets,
            };
            return Validate(merged) is { } error ? (null, error) : (merged, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            return (null, "Invalid request body: a property has the wrong type. " + e.Message);
        }
    }

    private static string? Validate(TapMethodPolicy p)
    {
        const int Lowest = 10, Highest = 43200;
        if (p.MinimumLifetimeInMinutes is < Lowest or > Highest || p.MaximumLifetimeInMinutes is < Lowest or > Highest)
        {
            return $"minimumLifetimeInMinutes and maximumLifetimeInMinutes must be between {Lowest} and {Highest}.";
        }
        if (p.MinimumLifetimeInMinutes > p.MaximumLifetimeInMinutes)
        {
            return "minimumLifetimeInMinutes cannot be greater than maximumLifetimeInMinutes.";
        }
        if (p.DefaultLifetimeInMinutes < p.MinimumLifetimeInMinutes || p.DefaultLifetimeInMinutes > p.MaximumLifetimeInMinutes)
        {
            return "defaultLifetimeInMinutes must be between minimumLifetimeInMinutes and maximumLifetimeInMinutes.";
        }
        if (p.DefaultLength is < 8 or > 48)
        {
            return "defaultLength must be between 8 and 48.";
        }
        return null;
    }

    private static int? Int(JsonObject patch, string name) => patch[name] is { } node ? node.GetValue<int>() : null;

    private static List<TapTarget> CheckedTargets(JsonNode node, string name)
    {
        if (node is not JsonArray array)
        {
            throw new FormatException($"'{name}' must be an array.");
        }
        var targets = Targets(array);
        if (targets.Count != array.Count || targets.Any(t => t.TargetType is not ("group" or "user") || string.IsNullOrWhiteSpace(t.Id)))
        {
            throw new FormatException($"Every item of '{name}' needs a targetType (group or user) and an id.");
        }
        return targets;
    }

    private static List<TapTarget> Targets(JsonNode? node) =>
        (node as JsonArray ?? []).OfType<JsonObject>()
            .Where(t => t["id"] is not null)
            .Select(t => new TapTarget((string?)t["targetType"] ?? "group", (string)t["id"]!, (bool?)t["isRegistrationRequired"] ?? false))
            .ToList();
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// The conditionalAccessPolicy type as the service checks incoming bodies: unknown properties, wrong JSON types and
/// values outside an enum all fail with the generic 1007 schema error.
/// </summary>
internal static class PolicySchema
{
    public const string SchemaErrorMessage =
        "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type.";

    public static readonly string[] GuestOrExternalUserTypes =
        ["none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser",
         "serviceProvider", "unknownFutureValue"];

    private static readonly Shape StringArray = new StrArray();
    private static readonly Shape AnyString = new Str();

    private static readonly Obj GuestsOrExternalUsers = new(new()
    {
        ["guestOrExternalUserTypes"] = new GuestTypes(),
        ["externalTenants"] = new Obj(new()
        {
            ["membershipKind"] = new Str("all", "enumerated", "unknownFutureValue"),
            ["members"] = StringArray,
        }),
    });

    private static readonly Obj Users = new(new()
    {
        ["includeUsers"] = StringArray,
        ["excludeUsers"] = StringArray,
        ["includeGroups"] = StringArray,
        ["excludeGroups"] = StringArray,
        ["includeRoles"] = StringArray,
        ["excludeRoles"] = StringArray,
        ["includeGuestsOrExternalUsers"] = GuestsOrExternalUsers,
        ["excludeGuestsOrExternalUsers"] = GuestsOrExternalUsers,
    });

    private static readonly Obj Applications = new(new()
    {
        ["includeApplications"] = StringArray,
        ["excludeApplications"] = StringArray,
        ["includeUserActions"] = new StrArray("urn:user:registersecurityinfo", "urn:user:registerdevice"),
        ["includeAuthenticationContextClassReferences"] = StringArray,
        ["applicationFilter"] = new Obj(new() { ["mode"] = new Str("include", "exclude"), ["rule"] = AnyString }),
    });

    private static readonly Obj Conditions = new(new()
    {
        ["applications"] = Applications,
        ["users"] = Users,
        ["locations"] = new Obj(new() { ["includeLocations"] = StringArray, ["excludeLocations"] = StringArray }),
        ["platforms"] = new Obj(new()
        {
            ["includePlatforms"] = new StrArray("android", "iOS", "windows", "windowsPhone", "macOS", "linux", "all", "unknownFutureValue"),
            ["excludePlatforms"] = new StrArray("android", "iOS", "windows", "windowsPhone", "macOS", "linux", "all", "unknownFutureValue"),
        }),
        ["clientAppTypes"] = new StrArray("all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"),
        ["signInRiskLevels"] = new StrArray("low", "medium", "high", "hidden", "none", "unknownFutureValue"),
        ["userRiskLevels"] = new StrArray("low", "medium", "high", "hidden", "none", "unknownFutureValue"),
        ["servicePrincipalRiskLevels"] = new StrArray("low", "medium", "high", "hidden", "none", "unknownFutureValue"),
        ["insiderRiskLevels"] = AnyString,
        ["clientApplications"] = new AnyObject(),
        ["devices"] = new AnyObject(),
        ["authenticationFlows"] = new AnyObject(),
    });

    private static readonly Obj GrantControls = new(new()
    {
        ["operator"] = new Str("AND", "OR"),
        ["builtInControls"] = new StrArray("block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication",
            "compliantApplication", "passwordChange", "unknownFutureValue"),
        ["customAuthenticationFactors"] = StringArray,
        ["termsOfUse"] = StringArray,
        ["authenticationStrength"] = new Obj(new()
        {
            ["id"] = AnyString,
            // Read-only fields of the expanded strength: accepted, ignored.
            ["displayName"] = AnyString,
            ["description"] = AnyString,
            ["policyType"] = AnyString,
            ["requirementsSatisfied"] = AnyString,
            ["allowedCombinations"] = StringArray,
            ["createdDateTime"] = AnyString,
            ["modifiedDateTime"] = AnyString,
            ["combinationConfigurations"] = new AnyValue(),
        }),
    });

    private static readonly Obj SessionControls = new(new()
    {
        ["applicationEnforcedRestrictions"] = new AnyObject(),
        ["cloudAppSecurity"] = new AnyObject(),
        ["persistentBrowser"] = new AnyObject(),
        ["signInFrequency"] = new AnyObject(),
        ["disableResilienceDefaults"] = new BoolShape(),
        ["secureSignInSession"] = new AnyObject(),
    });

    public static readonly Obj Policy = new(new()
    {
        ["id"] = AnyString,
        ["displayName"] = AnyString,
        ["description"] = AnyString,
        ["state"] = new Str("enabled", "disabled", "enabledForReportingButNotEnforced"),
        ["createdDateTime"] = AnyString,
        ["modifiedDateTime"] = AnyString,
        ["deletedDateTime"] = AnyString,
        ["templateId"] = AnyString,
        ["conditions"] = Conditions,
        ["grantControls"] = GrantControls,
        ["sessionControls"] = SessionControls,
    });

    /// <summary>The path of the first mismatch, or null when the body fits the type.</summary>
    public static string? FindMismatch(JsonNode? node, Shape shape, string path = "") => shape switch
    {
        Str s => node is null || (node.GetValueKind() == JsonValueKind.String && (s.Allowed.Length == 0 || s.Allowed.Contains((string)node!)))
            ? null : path,
        BoolShape => node is null || node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : path,
        StrArray a => node is null ? null
            : node is not JsonArray array ? path
            : array.Select((item, i) => item is not null && item.GetValueKind() == JsonValueKind.String
                && (a.Allowed.Length == 0 || a.Allowed.Contains((string)item!)) ? null : $"{path}[{i}]").FirstOrDefault(p => p is not null),
        GuestTypes => node is null ? null
            : node.GetValueKind() != JsonValueKind.String ? path
            : ((string)node!).Split(',').All(t => GuestOrExternalUserTypes.Contains(t)) ? null : path,
        AnyObject => node is null or JsonObject ? null : path,
        AnyValue => null,
        Obj o => node is null ? null : node is not JsonObject obj ? path : FindMismatch(obj, o, path),
        _ => path,
    };

    private static string? FindMismatch(JsonObject obj, Obj shape, string path)
    {
        foreach (var (name, value) in obj)
        {
            var at = path.Length == 0 ? name : $"{path}.{name}";
            if (name == "@odata.type")
            {
                if (value is null || value.GetValueKind() != JsonValueKind.String)
                {
                    return at;
                }
                continue;
            }
            // Other annotations (e.g. authenticationStrength@odata.context from a GET) are not part of the type.
            if (!shape.Properties.TryGetValue(name, out var propertyShape))
            {
                return at;
            }
            if (FindMismatch(value, propertyShape, at) is { } mismatch)
            {
                return mismatch;
            }
        }
        return null;
    }
}

internal abstract record Shape;

/// <summary>A string (or null), optionally from an enum.</summary>
internal sealed record Str(params string[] Allowed) : Shape;

/// <summary>An array of strings (or null), optionally from an enum.</summary>
internal sealed record StrArray(params string[] Allowed) : Shape;

internal sealed record BoolShape : Shape;

/// <summary>A comma-separated conditionalAccessGuestOrExternalUserTypes flags string.</summary>
internal sealed record GuestTypes : Shape;

/// <summary>Any object (or null) whose inside is not checked.</summary>
internal sealed record AnyObject : Shape;

internal sealed record AnyValue : Shape;

/// <summary>An object (or null) with known properties.</summary>
internal sealed record Obj(Dictionary<string, Shape> Properties) : Shape;

namespace TeamsBot.Policies;

/// <summary>
/// Conditional Access in the words of the people who approve changes to it: field paths as labels, Graph values as
/// what they do ("require multifactor authentication", "any location except trusted ones"), object ids as the names
/// the directory gives them. Ids themselves go in a card's details part only.
/// </summary>
public static class PolicyWords
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["displayName"] = "Name",
        ["state"] = "State",
        ["policy"] = "Policy",
        ["record"] = "Found",
        ["conditions.users.includeUsers"] = "Users",
        ["conditions.users.excludeUsers"] = "Except users",
        ["conditions.users.includeGroups"] = "Groups",
        ["conditions.users.excludeGroups"] = "Except members of",
        ["conditions.users.includeRoles"] = "Roles",
        ["conditions.users.excludeRoles"] = "Except roles",
        ["conditions.users.includeGuestsOrExternalUsers"] = "Guests and external users",
        ["conditions.users.excludeGuestsOrExternalUsers"] = "Except guests and external users",
        ["conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes"] = "Kinds of guests",
        ["conditions.users.excludeGuestsOrExternalUsers.guestOrExternalUserTypes"] = "Except kinds of guests",
        ["conditions.users.includeGuestsOrExternalUsers.externalTenants"] = "Guests from",
        ["conditions.users.excludeGuestsOrExternalUsers.externalTenants"] = "Except guests from",
        ["conditions.applications.includeUserActions"] = "User action",
        ["conditions.applications.includeApplications"] = "Apps",
        ["conditions.locations.includeLocations"] = "Locations",
        ["conditions.locations.excludeLocations"] = "Except locations",
        ["conditions.clientAppTypes"] = "Client apps",
        ["grantControls.builtInControls"] = "Grant",
        ["grantControls.operator"] = "Grant needs",
        ["grantControls.authenticationStrength"] = "Authentication strength",
        ["sessionControls"] = "Session controls",
    };

    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        [RegistrationPolicies.ReportOnly] = "report-only",
        [RegistrationPolicies.Enabled] = "on (enforced)",
        ["disabled"] = "off",
        ["mfa"] = "require multifactor authentication",
        ["block"] = "block access",
        ["compliantDevice"] = "require a compliant device",
        ["domainJoinedDevice"] = "require a hybrid-joined device",
        ["approvedApplication"] = "require an approved client app",
        ["compliantApplication"] = "require an app protection policy",
        ["passwordChange"] = "require a password change",
        ["urn:user:registersecurityinfo"] = "register security information",
        ["urn:user:registerdevice"] = "register or join devices",
        ["AllTrusted"] = "trusted locations",
        ["GuestsOrExternalUsers"] = "guests and external users",
        ["None"] = "nobody",
        ["OR"] = "one of them",
        ["AND"] = "all of them",
        ["all"] = "all",
        ["browser"] = "browser",
        ["mobileAppsAndDesktopClients"] = "mobile and desktop apps",
        ["internalGuest"] = "internal guests",
        ["b2bCollaborationGuest"] = "B2B collaboration guests",
        ["b2bCollaborationMember"] = "B2B collaboration members",
        ["b2bDirectConnectUser"] = "B2B direct connect users",
        ["otherExternalUser"] = "other external users",
        ["serviceProvider"] = "service providers",
    };

    /// <summary>The label of a field path ("Except locations" for conditions.locations.excludeLocations).</summary>
    public static string Label(string path) => Labels.TryGetValue(path, out var label) ? label : Humanize(path.Split('.')[^1]);

    /// <summary>A field's value (JSON text, or a plain string) in words; null or empty: "(none)".</summary>
    public static string Value(string path, string? value, IReadOnlyDictionary<string, string> names)
    {
        if (string.IsNullOrEmpty(value)) return "(none)";
        JsonNode? node;
        try
        {
            node = value.TrimStart() is ['[' or '{', ..] ? JsonNode.Parse(value) : JsonValue.Create(value);
        }
        catch (JsonException)
        {
            node = JsonValue.Create(value);
        }
        return Node(path, node, names);
    }

    /// <summary>A JSON node of a policy field in words.</summary>
    public static string Node(string path, JsonNode? node, IReadOnlyDictionary<string, string> names) => node switch
    {
        null => "(none)",
        JsonArray { Count: 0 } => "(none)",
        JsonArray array => string.Join(", ", array.Select(item => Node(path, item, names))),
        JsonObject o when o["guestOrExternalUserTypes"] is not null => Guests(o),
        JsonObject o when o["membershipKind"] is JsonValue kind => kind.GetValue<string>() == "all" ? "any organization" : "some organizations",
        JsonObject o when o["id"] is JsonValue id => One(path, id.GetValue<string>(), names),
        JsonObject => "(settings)",
        JsonValue v when v.TryGetValue(out string? text) => path.EndsWith("guestOrExternalUserTypes", StringComparison.Ordinal)
            ? GuestTypes(text)
            : One(path, text, names),
        JsonValue v => v.ToJsonString(),
        _ => "(settings)",
    };

    private static string One(string path, string value, IReadOnlyDictionary<string, string> names)
    {
        if (names.TryGetValue(value, out var name)) return name;
        if (value == "All") return path.Contains("locations", StringComparison.Ordinal) ? "any location"
            : path.Contains("applications", StringComparison.Ordinal) ? "all apps" : "all users";
        if (Values.TryGetValue(value, out var words)) return words;
        return Guid.TryParse(value, out _) ? "an object the directory doesn't name (see details)" : value;
    }

    private static string Guests(JsonObject o)
    {
        var kinds = GuestTypes(o["guestOrExternalUserTypes"]?.GetValue<string>() ?? "");
        return o["externalTenants"]?["membershipKind"]?.GetValue<string>() == "all" ? $"{kinds}, from any organization" : kinds;
    }

    private static string GuestTypes(string types)
    {
        var kinds = types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return kinds.Length >= 6 ? "all kinds of guests and external users"
            : string.Join(", ", kinds.Select(k => Values.GetValueOrDefault(k, Humanize(k))));
    }

    /// <summary>"excludeLocations" → "exclude locations".</summary>
    private static string Humanize(string name)
    {
        var words = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0) words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        var text = words.ToString();
        return text.Length == 0 ? name : char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>The object ids (users, groups) a policy names, to be looked up once.</summary>
    public static IEnumerable<string> ObjectIds(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => ObjectIds(p.Value)),
        JsonArray a => a.SelectMany(ObjectIds),
        JsonValue v when v.TryGetValue(out string? s) && Guid.TryParse(s, out _) => [s],
        _ => [],
    };
}

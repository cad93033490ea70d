using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TeamsBot.DevTenant.Tenant;

/// <summary>The seed file read into directory objects, with relative dates resolved against the tenant's clock.</summary>
internal sealed record SeedData(
    string TenantId,
    string TenantDisplayName,
    string Domain,
    IReadOnlyList<SimUser> Users,
    IReadOnlyList<SimGroup> Groups,
    IReadOnlyList<SimDirectoryRole> Roles,
    IReadOnlyList<JsonObject> NamedLocations,
    IReadOnlyList<JsonObject> ConditionalAccessPolicies,
    TapMethodPolicy TapPolicy,
    IReadOnlyList<JsonObject> SignIns)
{
    /// <summary>Optional: administrative units, the scopes of scoped role assignments.</summary>
    public IReadOnlyList<SimAdministrativeUnit> AdministrativeUnits { get; init; } = [];

    /// <summary>Optional: role definitions beyond the built-in catalog (custom roles).</summary>
    public IReadOnlyList<SimRoleDefinition> RoleDefinitions { get; init; } = [];

    /// <summary>Optional: active assignments besides directoryRoles' members (scoped ones, or "/" ones that activate a role).</summary>
    public IReadOnlyList<SimRoleAssignment> RoleAssignments { get; init; } = [];

    /// <summary>Optional: PIM-eligible assignments.</summary>
    public IReadOnlyList<SimRoleEligibility> RoleEligibilities { get; init; } = [];

    /// <summary>Optional: directory audit entries (activityDateTime may be relative).</summary>
    public IReadOnlyList<JsonObject> DirectoryAudits { get; init; } = [];

    /// <summary>Optional: custom authentication strengths.</summary>
    public IReadOnlyList<SimAuthStrength> AuthenticationStrengths { get; init; } = [];

    /// <summary>Optional: the bot's app in the catalog (null: the default app) and the users who have it at load.</summary>
    public JsonObject? TeamsApp { get; init; }
}

internal static partial class SeedLoader
{
    private const string EmbeddedSeed = "TeamsBot.DevTenant.Seed.contoso.json";

    /// <summary>The seed beside the binaries, or the embedded copy when the file is missing.</summary>
    public static string DefaultSeedPath => Path.Combine(AppContext.BaseDirectory, "Seed", "contoso.json");

    public static SeedData Load(string? path, DateTimeOffset now)
    {
        string text;
        if (path is not null)
        {
            text = File.ReadAllText(path);
        }
        else if (File.Exists(DefaultSeedPath))
        {
            text = File.ReadAllText(DefaultSeedPath);
        }
        else
        {
            using var stream = typeof(SeedLoader).Assembly.GetManifestResourceStream(EmbeddedSeed)
                ?? throw new InvalidOperationException("The embedded seed is missing.");
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        var root = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException("The seed must be a JSON object.");
        return Parse(root, now);
    }

    private static SeedData Parse(JsonObject root, DateTimeOffset now)
    {
        var tenant = root["tenant"] as JsonObject ?? throw new InvalidDataException("The seed has no tenant.");
        var users = Array(root, "users").Select(u => ParseUser(u, now)).ToList();
        var groups = Array(root, "groups").Select(g => new SimGroup(
            Required(g, "id"), Required(g, "displayName"), (string?)g["description"], Strings(g["members"]),
            (bool?)g["isAssignableToRole"] ?? false)).ToList();
        var roles = Array(root, "directoryRoles").Select(r => new SimDirectoryRole(
            Required(r, "id"), Required(r, "roleTemplateId"), Required(r, "displayName"), (string?)r["description"], Strings(r["members"]))).ToList();
        var locations = Array(root, "namedLocations").Select(l => WithDates(l, now)).ToList();
        var policies = Array(root, "conditionalAccessPolicies").Select(p => WithDates(p, now)).ToList();
        var signIns = Array(root, "signIns").Select(s => WithDates(s, now)).ToList();
        var tapPolicy = root["tapPolicy"] is JsonObject tap
            ? AuthMethods.TapPolicyJson.FromJson(tap)
            : throw new InvalidDataException("The seed has no tapPolicy.");
        return new SeedData(Required(tenant, "id"), Required(tenant, "displayName"), Required(tenant, "domain"),
            users, groups, roles, locations, policies, tapPolicy, signIns)
        {
            AdministrativeUnits = Array(root, "administrativeUnits").Select(a => new SimAdministrativeUnit(
                Required(a, "id"), Required(a, "displayName"), (string?)a["description"], Strings(a["members"]))).ToList(),
            RoleDefinitions = Array(root, "roleDefinitions").Select(d => new SimRoleDefinition(
                Required(d, "id"), Required(d, "displayName"), (string?)d["description"], IsBuiltIn: false)).ToList(),
            RoleAssignments = Array(root, "roleAssignments").Select(a =>
            {
                var (principal, role, scope) = (Required(a, "principalId"), Required(a, "roleDefinitionId"), (string?)a["directoryScopeId"] ?? "/");
                return new SimRoleAssignment((string?)a["id"] ?? RoleCatalog.AssignmentId(role, principal, scope), principal, role, scope);
            }).ToList(),
            TeamsApp = root["teamsApp"] as JsonObject,
            DirectoryAudits = Array(root, "directoryAudits").Select(a =>
            {
                var copy = (JsonObject)a.DeepClone();
                copy["id"] ??= Guid.NewGuid().ToString();
                copy["activityDateTime"] = TenantState.AuditTime(Date(copy["activityDateTime"], now) ?? now);
                return copy;
            }).ToList(),
            AuthenticationStrengths = Array(root, "authenticationStrengthPolicies").Select(a =>
            {
                var combinations = Strings(a["allowedCombinations"]).Select(ConditionalAccess.AuthenticationStrengths.Normalize).ToList();
                if (combinations.Count == 0 || combinations.FirstOrDefault(c => !ConditionalAccess.AuthenticationStrengths.Combinations.Contains(c)) is { } bad)
                {
                    throw new InvalidDataException($"Authentication strength '{(string?)a["displayName"]}' needs allowedCombinations from the documented list.");
                }
                var created = Date(a["createdDateTime"], now) ?? now.AddDays(-30);
                return new SimAuthStrength((string?)a["id"] ?? RoleCatalog.StableGuid("strength", Required(a, "displayName")), Required(a, "displayName"),
                    (string?)a["description"], "custom", combinations, created, Date(a["modifiedDateTime"], now) ?? created);
            }).ToList(),
            RoleEligibilities = Array(root, "roleEligibilities").Select(e =>
            {
                var (principal, role, scope) = (Required(e, "principalId"), Required(e, "roleDefinitionId"), (string?)e["directoryScopeId"] ?? "/");
                var start = Date(e["startDateTime"], now) ?? now.AddDays(-30);
                return new SimRoleEligibility((string?)e["id"] ?? RoleCatalog.StableGuid("eligibility", principal, role, scope),
                    principal, role, scope, start, Date(e["endDateTime"], now), start);
            }).ToList(),
        };
    }

    private static SimUser ParseUser(JsonObject u, DateTimeOffset now)
    {
        var id = Required(u, "id");
        var created = Date(u["createdDateTime"], now) ?? now.AddDays(-30);
        var methods = (u["methods"] as JsonArray ?? []).OfType<JsonObject>().Select((m, i) =>
        {
            var type = Required(m, "type");
            var phoneType = type == "phone" ? (string?)m["phoneType"] ?? "mobile" : null;
            // The password method, and each phone type, have the same well-known id for every user in Graph.
            var methodId = (string?)m["id"] ?? type switch
            {
                "password" => "28c10230-6103-485e-b985-444c60001490",
                "phone" => SimAuthMethod.PhoneMethodId(phoneType!),
                _ => DerivedId(id, i),
            };
            var displayName = (string?)m["displayName"] ?? (string?)m["phoneNumber"];
            return new SimAuthMethod(methodId, type, displayName, Date(m["createdDateTime"], now) ?? created, phoneType);
        }).ToList();
        var identities = (u["identities"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(i => new SimIdentity(Required(i, "signInType"), Required(i, "issuer"), (string?)i["issuerAssignedId"])).ToList();
        var upn = Required(u, "userPrincipalName");
        var isGuest = string.Equals((string?)u["userType"], "Guest", StringComparison.OrdinalIgnoreCase);
        if (identities.Count == 0)
        {
            identities.Add(new SimIdentity("userPrincipalName", upn.Split('@').Last(), upn));
        }
        return new SimUser
        {
            Id = id,
            UserPrincipalName = upn,
            DisplayName = Required(u, "displayName"),
            GivenName = (string?)u["givenName"],
            Surname = (string?)u["surname"],
            // Members get their UPN as mail unless the seed says otherwise (break-glass accounts have none).
            Mail = u.ContainsKey("mail") ? (string?)u["mail"] : isGuest ? null : upn,
            Department = (string?)u["department"],
            JobTitle = (string?)u["jobTitle"],
            OfficeLocation = (string?)u["officeLocation"],
            MobilePhone = (string?)u["mobilePhone"],
            UsageLocation = (string?)u["usageLocation"] ?? "US",
            UserType = (string?)u["userType"] ?? "Member",
            AccountEnabled = (bool?)u["accountEnabled"] ?? true,
            CreationType = (string?)u["creationType"],
            ExternalUserState = (string?)u["externalUserState"],
            ExternalUserStateChangeDateTime = Date(u["externalUserStateChangeDateTime"], now),
            HomeTenantId = (string?)u["homeTenantId"],
            Identities = identities,
            EmployeeHireDate = Date(u["employeeHireDate"], now),
            CreatedDateTime = created,
            ManagerId = (string?)u["manager"],
            Methods = methods,
            TeamsAppInstallBlocked = (string?)u["teamsAppInstallBlocked"],
        };
    }

    /// <summary>A stable method id per user and position: the index in the first block, the user's id after it.</summary>
    private static string DerivedId(string userId, int index) =>
        Guid.TryParse(userId, out _) ? $"{index + 1:x8}{userId[8..]}" : Guid.NewGuid().ToString();

    private static JsonObject WithDates(JsonObject source, DateTimeOffset now)
    {
        var copy = (JsonObject)source.DeepClone();
        foreach (var name in new[] { "createdDateTime", "modifiedDateTime" })
        {
            if (Date(copy[name], now) is { } date)
            {
                copy[name] = Format(date);
            }
        }
        return copy;
    }

    /// <summary>Graph's date-time format (UTC, 'Z').</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads "+7d", "-3h", "-30m", "+7dT08:00" (a day offset at a UTC time of day) or an absolute ISO date.</summary>
    public static DateTimeOffset? Date(JsonNode? node, DateTimeOffset now)
    {
        var text = (string?)node;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var match = RelativeDate().Match(text);
        if (!match.Success)
        {
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }
        var amount = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "d" when match.Groups[3].Success => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(amount)
                + TimeSpan.ParseExact(match.Groups[3].Value, "hh\\:mm", CultureInfo.InvariantCulture),
            "d" => now.AddDays(amount),
            "h" => now.AddHours(amount),
            _ => now.AddMinutes(amount),
        };
    }

    private static IEnumerable<JsonObject> Array(JsonObject root, string name) => (root[name] as JsonArray ?? []).OfType<JsonObject>();

    private static List<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => (string?)n).OfType<string>().ToList();

    private static string Required(JsonObject node, string name) =>
        (string?)node[name] ?? throw new InvalidDataException($"Seed object is missing '{name}': {node.ToJsonString()}");

    [GeneratedRegex(@"^([+-]\d+)([dhm])(?:T(\d{2}:\d{2}))?$")]
    private static partial Regex RelativeDate();
}

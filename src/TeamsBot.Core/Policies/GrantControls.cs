using TeamsBot.Directory;

namespace TeamsBot.Policies;

/// <summary>
/// Policy A's grant: built-in controls and at most one authentication strength, of which one (OR) or all (AND) are
/// required. Configured with <c>Policies:A:GrantControls</c> and <c>Policies:A:GrantOperator</c>; Microsoft's guidance
/// is MFA alone ("Organizations may choose to require other grant controls with or in place of Require multifactor
/// authentication ... select all or one of the selected controls").
/// </summary>
public sealed record GrantControls(string Operator, IReadOnlyList<string> BuiltIn, string? StrengthId)
{
    public const string Mfa = "mfa";
    public const string CompliantDevice = "compliantDevice";
    public const string DomainJoinedDevice = "domainJoinedDevice";
    public const string StrengthPrefix = "authenticationStrength:";

    /// <summary>The built-in Multifactor authentication strength, the one that lists the Temporary Access Pass.</summary>
    public const string MultifactorStrengthId = "00000000-0000-0000-0000-000000000002";

    /// <summary>Graph's authenticationMethodModes of a Temporary Access Pass (authenticationStrengthPolicy.allowedCombinations).</summary>
    public const string TapOneTime = "temporaryAccessPassOneTime";
    public const string TapMultiUse = "temporaryAccessPassMultiUse";

    private static readonly string[] Known = [Mfa, CompliantDevice, DomainJoinedDevice];
    private static readonly string[] DeviceControls = [CompliantDevice, DomainJoinedDevice];

    /// <summary>Microsoft's guidance: MFA, which a Temporary Access Pass satisfies.</summary>
    public static GrantControls Default { get; } = new("OR", [Mfa], null);

    public bool RequiresAll => Operator == "AND";

    public IReadOnlyList<string> Devices => [.. BuiltIn.Where(DeviceControls.Contains)];

    /// <summary>
    /// Reads the settings; problems name the key. Values are case-insensitive and written back as Graph spells them;
    /// repeats are dropped. Nothing configured is <see cref="Default"/>.
    /// </summary>
    public static (GrantControls? Grant, IReadOnlyList<string> Problems) Parse(IReadOnlyList<string>? controls, string? op)
    {
        const string key = "Policies:A:GrantControls";
        var problems = new List<string>();
        var normalizedOperator = (op ?? "").Trim().ToUpperInvariant() switch
        {
            "" or "OR" => "OR",
            "AND" => "AND",
            _ => null,
        };
        if (normalizedOperator is null)
            problems.Add($"Policies:A:GrantOperator '{op}' is not valid: use OR (one of the controls) or AND (all of them).");
        var builtIn = new List<string>();
        var strengths = new List<string>();
        for (var i = 0; i < (controls?.Count ?? 0); i++)
        {
            var text = (controls![i] ?? "").Trim();
            if (text.StartsWith(StrengthPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var id = text[StrengthPrefix.Length..].Trim();
                if (Guid.TryParse(id, out var guid)) strengths.Add(guid.ToString());
                else problems.Add($"{key}:{i} '{text}' needs the id (a GUID) of an authentication strength policy, e.g. {StrengthPrefix}{MultifactorStrengthId}.");
                continue;
            }
            var known = Known.FirstOrDefault(k => string.Equals(k, text, StringComparison.OrdinalIgnoreCase));
            if (known is null)
                problems.Add($"{key}:{i} '{text}' is not a grant control: use {Mfa}, {CompliantDevice}, {DomainJoinedDevice} or {StrengthPrefix}<policy id>.");
            else if (!builtIn.Contains(known)) builtIn.Add(known);
        }
        strengths = [.. strengths.Distinct(StringComparer.OrdinalIgnoreCase)];
        if (strengths.Count > 1)
            problems.Add($"{key} names {strengths.Count} authentication strengths: a Conditional Access policy takes one at most.");
        if (strengths.Count > 0 && builtIn.Contains(Mfa))
            problems.Add($"{key} can't combine {Mfa} with an authentication strength: Conditional Access refuses it (1108: Authentication strengths " +
                $"cannot be used alongside the MFA built-in control). The built-in strength {StrengthPrefix}{MultifactorStrengthId} is MFA as a strength.");
        if (problems.Count > 0) return (null, problems);
        if (builtIn.Count == 0 && strengths.Count == 0) return (Default with { Operator = normalizedOperator! }, []);
        return (new GrantControls(normalizedOperator!, builtIn, strengths.FirstOrDefault()), []);
    }

    /// <summary>The grant as it goes into the policy (grantControls).</summary>
    public JsonObject ToJson()
    {
        var grant = new JsonObject
        {
            ["operator"] = Operator,
            ["builtInControls"] = new JsonArray([.. BuiltIn.Select(c => (JsonNode)JsonValue.Create(c))]),
        };
        if (StrengthId is not null) grant["authenticationStrength"] = new JsonObject { ["id"] = StrengthId };
        return grant;
    }

    /// <summary>A policy's grant as the tenant has it (null when it has none).</summary>
    public static GrantControls? FromPolicy(JsonObject policy)
    {
        if (policy["grantControls"] is not JsonObject grant) return null;
        var builtIn = (grant["builtInControls"] as JsonArray ?? []).Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToList();
        var strength = grant["authenticationStrength"]?["id"] is JsonValue id && id.TryGetValue(out string? sid) ? sid : null;
        var op = grant["operator"] is JsonValue o && o.TryGetValue(out string? os) ? os.ToUpperInvariant() : "OR";
        return new GrantControls(op, builtIn, strength);
    }

    /// <summary>"MFA (a Temporary Access Pass counts)", "one of: MFA, a compliant device", "all of: ...".</summary>
    public string Describe(Func<string, string?>? strengthName = null)
    {
        var parts = BuiltIn.Select(c => c switch
        {
            Mfa => "MFA",
            CompliantDevice => "a compliant device",
            DomainJoinedDevice => "a hybrid Entra joined device",
            "block" => "blocked",
            _ => c,
        }).ToList();
        if (StrengthId is not null)
            parts.Add($"authentication strength '{strengthName?.Invoke(StrengthId) ?? StrengthId}'");
        if (parts.Count == 0) return "none";
        if (parts.Count == 1) return parts[0];
        return (RequiresAll ? "all of: " : "one of: ") + string.Join(", ", parts);
    }

    /// <summary>Whether the strength lets a Temporary Access Pass through (of a kind the tenant's TAP policy issues).</summary>
    public static bool AllowsTap(AuthenticationStrength strength, TapPolicy tap) =>
        strength.AllowedCombinations.Contains(TapOneTime, StringComparer.OrdinalIgnoreCase)
        || (!tap.IsUsableOnce && strength.AllowedCombinations.Contains(TapMultiUse, StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Can a new hire with nothing but a Temporary Access Pass satisfy this grant? Refusals: a strength that excludes
    /// TAP, or one the tenant doesn't have. Warnings: device controls a TAP can't satisfy (a new hire on a new device).
    /// </summary>
    public GrantVerdict CheckForNewHires(IReadOnlyList<AuthenticationStrength> strengths, TapPolicy tap)
    {
        var refusals = new List<string>();
        var warnings = new List<string>();
        var tapSatisfiesStrength = false;
        if (StrengthId is not null)
        {
            var strength = strengths.FirstOrDefault(s => string.Equals(s.Id, StrengthId, StringComparison.OrdinalIgnoreCase));
            if (strength is null)
                refusals.Add($"The authentication strength {StrengthId} (Policies:A:GrantControls) does not exist in the tenant.");
            else if (!AllowsTap(strength, tap))
            {
                var onlyMultiUse = strength.AllowedCombinations.Contains(TapMultiUse, StringComparer.OrdinalIgnoreCase);
                refusals.Add($"Policy A's grant requires the authentication strength '{strength.DisplayName}', and a Temporary Access Pass cannot " +
                    $"satisfy it{(onlyMultiUse ? " (it allows multi-use passes only, and the tenant's TAP policy issues one-time passes)" : "")}: " +
                    "new hires could not register their first method outside trusted locations. Use a strength that allows a Temporary Access Pass " +
                    $"(such as the built-in Multifactor authentication, {MultifactorStrengthId}) in Policies:A:GrantControls.");
            }
            else tapSatisfiesStrength = true;
        }
        var tapPath = BuiltIn.Contains(Mfa) || tapSatisfiesStrength;
        var devices = Devices.Select(d => d == CompliantDevice ? "a compliant device" : "a hybrid Entra joined device").ToList();
        if (devices.Count > 0 && refusals.Count == 0)
        {
            if (!tapPath)
                warnings.Add($"Policy A's grant is only {string.Join(" or ", devices)}: new hires on a new device (not yet enrolled) can't register " +
                    "security info outside trusted locations, since a Temporary Access Pass satisfies MFA, not a device control.");
            else if (RequiresAll)
                warnings.Add($"Policy A requires all of its controls, {string.Join(" and ", devices)} among them: a Temporary Access Pass covers MFA only, " +
                    "so new hires on a new device (not yet enrolled) can't register security info outside trusted locations.");
        }
        return new GrantVerdict(refusals, warnings);
    }
}

/// <summary>What the grant means for new hires: refusals stop a deployment or promotion; warnings are shown.</summary>
public sealed record GrantVerdict(IReadOnlyList<string> Refusals, IReadOnlyList<string> Warnings);

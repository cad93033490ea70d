using TeamsBot.Access;
using System.Net;
using System.Text;
using TeamsBot.Directory;

namespace TeamsBot.Policies;

/// <summary>One registration policy as the tenant has it, against its template.</summary>
public sealed record PolicyView(PolicyKey Key, PolicyDeployment? Record, CaPolicyDocument? Live, IReadOnlyList<FieldChange> Drift,
    string? GrantSummary = null, bool DriftAccepted = false)
{
    public bool Deployed => Live is not null;

    /// <summary>What differs, in one string (the same difference gives the same string); "missing" when the policy is gone.</summary>
    public string? DriftSignature => Record is not null && !Deployed ? "missing"
        : HasDrift ? string.Join(";", Drift.Select(d => $"{d.Path}={d.Actual}").Append(StateDrift ? $"state={Live!.State}" : ""))
        : null;

    /// <summary>A short, stable name for the current difference (what a card may carry).</summary>
    public string? DriftId => DriftSignature is { } s ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16] : null;

    /// <summary>The state the bot last set differs from the tenant's (someone switched it elsewhere).</summary>
    public bool StateDrift => Live is not null && Record is not null && !string.Equals(Live.State, Record.State, StringComparison.OrdinalIgnoreCase);

    public bool HasDrift => Drift.Count > 0 || StateDrift;

    public string StateName => Live?.State switch
    {
        null => "Not deployed",
        RegistrationPolicies.ReportOnly => "Report-only",
        RegistrationPolicies.Enabled => "On",
        "disabled" => "Off",
        var other => other,
    };
}

public sealed record TenantSnapshot(IReadOnlyList<PolicyView> Policies, IReadOnlyList<NamedLocation> Locations, TapPolicy TapPolicy,
    IReadOnlyList<AuthenticationStrength>? Strengths = null)
{
    public PolicyView this[PolicyKey key] => Policies.First(p => p.Key == key);

    /// <summary>The tenant's authentication strengths (built-in and custom).</summary>
    public IReadOnlyList<AuthenticationStrength> AuthenticationStrengths => Strengths ?? [];

    public string? StrengthName(string id) =>
        AuthenticationStrengths.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase))?.DisplayName;
}

/// <summary>A check before promotion. A failed blocking one stops it; a failed non-blocking one is a warning shown with it.</summary>
public sealed record Precondition(string Name, bool Ok, string Detail, bool Blocking = true)
{
    public bool Blocks => !Ok && Blocking;
}

/// <summary>What the registration policies do to one kind of person at one kind of place, from What-If.</summary>
public sealed record WhatIfCell(string Persona, string Location, string Outcome, string Expected)
{
    public bool AsExpected => Outcome.StartsWith(Expected, StringComparison.Ordinal);
}

public sealed record PolicyStatus(TenantSnapshot Snapshot, IReadOnlyList<Precondition> Preconditions, IReadOnlyList<WhatIfCell> Matrix,
    IReadOnlyDictionary<PolicyKey, SignInTally> SignIns, string? MatrixNote, IReadOnlyList<TrustedLocationFinding>? TrustedLocations = null);

/// <summary>
/// Reads the tenant and judges the registration policies: found by the stored id (else by marker, or by name), compared with
/// their templates, preconditions checked, What-If run for the personas that matter.
/// </summary>
public sealed class PolicyInspector(
    IPolicyEvidence evidence,
    PolicyDeployments deployments,
    RegistrationPolicies templates,
    IOptions<BreakGlassOptions> breakGlass,
    IOptions<PolicyOptions> options,
    TimeProvider time)
{
    /// <summary>The tenant's policies, named locations and TAP policy: one Graph round trip.</summary>
    public async Task<TenantSnapshot> SnapshotAsync(CancellationToken ct)
    {
        var contextTask = evidence.GetContextAsync(ct);
        var records = await deployments.AllAsync(ct);
        var context = await contextTask;
        var live = context.Policies;
        var views = RegistrationPolicies.All.Select(key =>
        {
            var record = records.GetValueOrDefault(key);
            var policy = live.FirstOrDefault(p => record is not null && p.Id == record.PolicyId)
                ?? live.FirstOrDefault(p => RegistrationPolicies.Recognises(key, p.Body));
            var drift = policy is null ? [] : PolicyDiff.Compare(templates.Render(key), policy.Body);
            var grant = GrantControls.FromPolicy(policy?.Body ?? templates.Render(key));
            var summary = grant?.Describe(id => context.Strengths.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase))?.DisplayName);
            var view = new PolicyView(key, record, policy, drift, summary);
            return view with { DriftAccepted = record?.Accepts(view.DriftSignature, time.GetUtcNow()) == true };
        }).ToList();
        return new TenantSnapshot(views, context.Locations, context.TapPolicy, context.Strengths);
    }

    /// <summary>The whole picture: two Graph round trips (the snapshot, then What-If and sign-ins together).</summary>
    public async Task<PolicyStatus> StatusAsync(string actingAdminId, CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(ct);
        var deployed = snapshot.Policies.Where(p => p.Deployed).ToList();
        var (cells, queries) = MatrixQueries(snapshot, actingAdminId);
        var found = await evidence.GetEvidenceAsync([.. queries.Select(q => q.Query)], [.. deployed.Select(p => p.Live!.Id)],
            time.GetUtcNow() - TimeSpan.FromDays(30), ct);
        var ours = deployed.ToDictionary(p => p.Live!.Id, p => p.Key);
        var matrix = cells.Select(c =>
        {
            var index = queries.FindIndex(q => q.Cell == c);
            return index < 0 ? c : c with { Outcome = Outcome(found.WhatIf[index], ours) };
        }).ToList();
        var tallies = deployed.ToDictionary(p => p.Key, p => found.SignIns[p.Live!.Id]);
        var note = deployed.Count == 0 ? "Deploy the policies (report-only) to see what they would do: What-If evaluates deployed policies." : null;
        return new PolicyStatus(snapshot, Preconditions(snapshot, matrix), deployed.Count == 0 ? [] : matrix, tallies, note,
            TrustedLocations.Examine(snapshot));
    }

    /// <summary>The gates every promotion needs, whatever the override.</summary>
    public IReadOnlyList<Precondition> Preconditions(TenantSnapshot snapshot, IReadOnlyList<WhatIfCell>? matrix = null)
    {
        var list = new List<Precondition>();
        var trusted = snapshot.Locations.Where(l => l.IsTrusted).ToList();
        list.Add(new Precondition("A trusted named location exists", trusted.Count > 0, trusted.Count > 0
            ? string.Join(", ", trusted.Select(l => l.DisplayName))
            : "None: policy A would demand MFA everywhere and policy B would block guests everywhere. Mark your office networks as trusted."));
        var hollow = TrustedLocations.Examine(snapshot).Where(f => f.Hollow).ToList();
        if (trusted.Count > 0)
            list.Add(new Precondition("Trusted locations are narrow", hollow.Count == 0, hollow.Count == 0
                ? "No trusted location covers more than a /8 of IPv4 addresses, everyone, or a country."
                : string.Join(" ", hollow.Select(f => $"'{f.Name}' ({f.Covers}): {string.Join("; ", f.Problems)}.")) +
                  " Both policies skip trusted locations, so they would hardly apply anywhere. Fix the named location: an override reason doesn't lift this."));
        var tap = snapshot.TapPolicy;
        var tapOk = tap.Enabled && tap.IncludeTargets.Count > 0;
        list.Add(new Precondition("The Temporary Access Pass method is on and targets users", tapOk, tapOk
            ? $"Enabled for {string.Join(", ", tap.IncludeTargets.Select(t => t.Id == "all_users" ? "all users" : $"{t.TargetType} {t.Id}"))}"
            : "New users couldn't satisfy policy A without a TAP. Enable the method in the authentication methods policy."));
        var verdict = templates.GrantA.CheckForNewHires(snapshot.AuthenticationStrengths, tap);
        var grantText = templates.GrantA.Describe(snapshot.StrengthName);
        list.Add(verdict.Refusals.Count > 0
            ? new Precondition("New hires can satisfy policy A with a Temporary Access Pass", false, string.Join(" ", verdict.Refusals))
            : verdict.Warnings.Count > 0
                ? new Precondition("New hires can satisfy policy A with a Temporary Access Pass", false, string.Join(" ", verdict.Warnings), Blocking: false)
                : new Precondition("New hires can satisfy policy A with a Temporary Access Pass", true, $"Grant: {grantText}"));
        var bg = breakGlass.Value;
        list.Add(new Precondition("Break-glass accounts are configured", bg.IsConfigured, bg.IsConfigured
            ? $"{bg.UserIds.Count} account(s){(string.IsNullOrEmpty(bg.GroupId) ? "" : " and a group")}"
            : "Set BreakGlass:UserIds (or BreakGlass:GroupId) so policy A excludes your emergency access accounts."));
        var a = snapshot[PolicyKey.A];
        if (a.Deployed && bg.IsConfigured)
        {
            var users = a.Live!.Body["conditions"]?["users"];
            var excludedUsers = Ids(users?["excludeUsers"]);
            var excludedGroups = Ids(users?["excludeGroups"]);
            var missing = bg.UserIds.Where(id => !excludedUsers.Contains(id)).ToList();
            var groupMissing = !string.IsNullOrEmpty(bg.GroupId) && !excludedGroups.Contains(bg.GroupId);
            var ok = missing.Count == 0 && !groupMissing;
            list.Add(new Precondition("Break-glass accounts are excluded from policy A", ok, ok ? "Excluded"
                : $"Not excluded: {string.Join(", ", missing.Concat(groupMissing ? [bg.GroupId!] : []))}. Deploy again to restore the exclusions."));
        }
        if (matrix?.FirstOrDefault(c => c.Persona == "You" && c.Location == "Untrusted network") is { } you)
        {
            var lockedOut = you.Outcome.StartsWith("Blocked", StringComparison.Ordinal);
            list.Add(new Precondition("You are not locked out", !lockedOut, lockedOut
                ? "The policies would block you from registering security info outside trusted networks."
                : you.Outcome.StartsWith("MFA", StringComparison.Ordinal)
                    ? "Outside trusted networks you'll need MFA (or a TAP) to register security info."
                    : "The policies don't apply to you."));
        }
        return list;
    }

    /// <summary>The matrix's cells, and the What-If query for each cell that can be evaluated.</summary>
    private (List<WhatIfCell> Cells, List<(WhatIfCell Cell, WhatIfQuery Query)> Queries) MatrixQueries(TenantSnapshot snapshot, string adminId)
    {
        var trustedIp = snapshot.Locations.Where(l => l.IsTrusted).SelectMany(l => l.IpRanges).Select(FirstAddress).FirstOrDefault(ip => ip is not null);
        var untrustedIp = UntrustedAddress(snapshot.Locations);
        var personas = new List<(string Name, string? UserId, string Untrusted)>
        {
            ("You", adminId, templates.GrantA is { StrengthId: null } g && !g.BuiltIn.Contains(GrantControls.Mfa) ? "Device required" : "MFA required"),
            ("A guest", options.Value.WhatIfGuestUserId, "Blocked"),
            ("Break-glass", breakGlass.Value.UserIds.FirstOrDefault(), "Not applied"),
        };
        var locations = new List<(string Name, string? Ip)> { ("Trusted network", trustedIp), ("Untrusted network", untrustedIp) };
        var cells = new List<WhatIfCell>();
        var queries = new List<(WhatIfCell, WhatIfQuery)>();
        if (!snapshot.Policies.Any(p => p.Deployed)) return (cells, queries);
        foreach (var (name, userId, untrusted) in personas)
            foreach (var (location, ip) in locations)
            {
                var expected = location == "Trusted network" ? "Not applied" : untrusted;
                var cell = new WhatIfCell(name, location, userId is null ? "Not configured" : ip is null ? "No trusted location" : "", expected);
                cells.Add(cell);
                if (userId is not null && ip is not null) queries.Add((cell, new WhatIfQuery(userId, ip)));
            }
        return (cells, queries);
    }

    private static string Outcome(IReadOnlyList<WhatIfResult> results, IReadOnlyDictionary<string, PolicyKey> ours)
    {
        var applying = results.Where(r => r.PolicyApplies && ours.ContainsKey(r.PolicyId)).ToList();
        var block = applying.FirstOrDefault(r => r.BuiltInControls.Contains("block"));
        // An authentication strength asks for MFA of a kind (the registration policy's strengths are MFA ones).
        var mfa = applying.FirstOrDefault(r => r.BuiltInControls.Contains("mfa") || r.AuthenticationStrengthId is not null)
            ?? applying.FirstOrDefault(r => r.BuiltInControls.Count > 0);
        var hit = block ?? mfa;
        if (hit is null) return "Not applied";
        var what = block is not null ? "Blocked"
            : mfa!.BuiltInControls.Contains("mfa") || mfa.AuthenticationStrengthId is not null ? "MFA required"
            : "Device required";
        return hit.State == RegistrationPolicies.ReportOnly ? $"{what} (report-only: not enforced yet)" : what;
    }

    private static HashSet<string> Ids(JsonNode? node) =>
        (node as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static string? FirstAddress(string cidr)
    {
        var parts = cidr.Split('/');
        if (!IPAddress.TryParse(parts[0], out var ip)) return null;
        var bytes = ip.GetAddressBytes();
        if (parts.Length == 2 && int.TryParse(parts[1], out var prefix) && prefix < bytes.Length * 8) bytes[^1] |= 1;
        return new IPAddress(bytes).ToString();
    }

    /// <summary>A public documentation address that no trusted range covers.</summary>
    private static string UntrustedAddress(IReadOnlyList<NamedLocation> locations)
    {
        string[] candidates = ["192.0.2.10", "198.51.100.200", "203.0.113.200", "100.64.0.10"];
        var trusted = locations.Where(l => l.IsTrusted).SelectMany(l => l.IpRanges).ToList();
        return candidates.FirstOrDefault(c => !trusted.Any(r => InRange(c, r))) ?? candidates[0];
    }

    private static bool InRange(string address, string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var network) || !int.TryParse(parts[1], out var prefix)) return false;
        var ip = IPAddress.Parse(address);
        if (ip.AddressFamily != network.AddressFamily) return false;
        var a = ip.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }
}

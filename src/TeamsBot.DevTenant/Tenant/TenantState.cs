using System.Text.Json.Nodes;
using TeamsBot.DevTenant.ConditionalAccess;

namespace TeamsBot.DevTenant.Tenant;

/// <summary>
/// The in-memory directory behind the simulated Graph. Tests and developers may change it directly, e.g. to edit a
/// Conditional Access policy "outside the bot". Every public member is thread-safe; JSON handed out is a copy.
/// </summary>
public sealed partial class TenantState
{
    private readonly string? seedPath;
    private readonly TimeProvider time;
    private readonly SimulatedTenantOptions options;
    private readonly Dictionary<string, SimUser> users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SimGroup> groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SimDirectoryRole> roles = [];
    private readonly List<JsonObject> namedLocations = [];
    private readonly List<JsonObject> policies = [];
    private readonly List<JsonObject> signIns = [];
    private readonly Dictionary<string, SimTap> taps = new(StringComparer.OrdinalIgnoreCase);
    private TapMethodPolicy tapPolicy = null!;

    internal TenantState(SimulatedTenantOptions options)
    {
        this.options = options;
        seedPath = options.SeedPath;
        time = options.TimeProvider;
        Reset();
    }

    /// <summary>Guards all state; handlers hold it for the whole of a request so each call sees one consistent tenant.</summary>
    internal Lock Sync { get; } = new();

    public string TenantId { get; private set; } = "";
    public string TenantDisplayName { get; private set; } = "";
    public string Domain { get; private set; } = "";

    /// <summary>False answers sign-in log reads with the "no premium license" 403 a free tenant gets.</summary>
    public bool SignInLogsLicensed { get; set; } = true;

    /// <summary>
    /// False answers directory roles in membership lists with only @odata.type and id, as Graph does for an app
    /// without RoleManagement.Read.Directory ("limited information").
    /// </summary>
    public bool DirectoryRoleDetailsVisible { get; set; } = true;

    /// <summary>
    /// True makes the tenant drop a Conditional Access policy's description (Graph v1.0 documents it as "Not used"):
    /// POST and PATCH accept it, GET answers null. Starts as <see cref="SimulatedTenantOptions.DropConditionalAccessDescription"/>.
    /// </summary>
    public bool DropConditionalAccessDescription { get; set; }

    /// <summary>The options the tenant was started with (bot identity for audit entries and the Teams app).</summary>
    internal SimulatedTenantOptions Options => options;

    internal DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Reloads the seed, dropping every change (passes, policies, sign-ins), and puts the switches back to the options.</summary>
    public void Reset()
    {
        var seed = SeedLoader.Load(seedPath, time.GetUtcNow());
        lock (Sync)
        {
            TenantId = seed.TenantId;
            TenantDisplayName = seed.TenantDisplayName;
            Domain = seed.Domain;
            users.Clear();
            foreach (var user in seed.Users)
            {
                users[user.Id] = user;
            }
            groups.Clear();
            foreach (var group in seed.Groups)
            {
                groups[group.Id] = group;
            }
            roles.Clear();
            roles.AddRange(seed.Roles);
            ResetRolesUnlocked(seed);
            namedLocations.Clear();
            namedLocations.AddRange(seed.NamedLocations);
            policies.Clear();
            policies.AddRange(seed.ConditionalAccessPolicies.Select(PolicyDocument.Normalize));
            signIns.Clear();
            signIns.AddRange(seed.SignIns);
            taps.Clear();
            tapPolicy = seed.TapPolicy;
            ResetTeamsUnlocked(seed);
            ResetStrengthsUnlocked(seed);
            ResetAuditsUnlocked(seed);
            SignInLogsLicensed = true;
            DirectoryRoleDetailsVisible = true;
            DropConditionalAccessDescription = options.DropConditionalAccessDescription;
        }
    }

    // ---- users, groups, roles -------------------------------------------------------------------------------------

    public IReadOnlyList<SimUser> Users
    {
        get
        {
            lock (Sync)
            {
                return users.Values.OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>A user by object id or UPN (case-insensitive).</summary>
    public SimUser? FindUser(string idOrUpn)
    {
        lock (Sync)
        {
            if (users.TryGetValue(idOrUpn, out var user))
            {
                return user;
            }
            return users.Values.FirstOrDefault(u => string.Equals(u.UserPrincipalName, idOrUpn, StringComparison.OrdinalIgnoreCase));
        }
    }

    public void AddUser(SimUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (Sync)
        {
            users[user.Id] = user;
        }
    }

    public void UpdateUser(string id, Func<SimUser, SimUser> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (Sync)
        {
            var user = users.GetValueOrDefault(id) ?? throw new KeyNotFoundException($"No user {id}.");
            users[id] = change(user) with { Id = user.Id };
        }
    }

    public IReadOnlyList<SimGroup> Groups
    {
        get
        {
            lock (Sync)
            {
                return groups.Values.ToList();
            }
        }
    }

    public SimGroup? FindGroup(string id)
    {
        lock (Sync)
        {
            return groups.GetValueOrDefault(id);
        }
    }

    public void AddGroupMember(string groupId, string memberId)
    {
        lock (Sync)
        {
            var group = groups.GetValueOrDefault(groupId) ?? throw new KeyNotFoundException($"No group {groupId}.");
            if (!group.MemberIds.Contains(memberId, StringComparer.OrdinalIgnoreCase))
            {
                groups[groupId] = group with { MemberIds = [.. group.MemberIds, memberId] };
            }
        }
    }

    public void RemoveGroupMember(string groupId, string memberId)
    {
        lock (Sync)
        {
            var group = groups.GetValueOrDefault(groupId) ?? throw new KeyNotFoundException($"No group {groupId}.");
            groups[groupId] = group with { MemberIds = group.MemberIds.Where(m => !string.Equals(m, memberId, StringComparison.OrdinalIgnoreCase)).ToList() };
        }
    }

    public IReadOnlyList<SimDirectoryRole> DirectoryRoles
    {
        get
        {
            lock (Sync)
            {
                return roles.ToList();
            }
        }
    }

    /// <summary>Groups the object belongs to, directly or through nested groups (caller holds <see cref="Sync"/>).</summary>
    internal List<SimGroup> TransitiveGroupsOf(string memberId)
    {
        var found = new Dictionary<string, SimGroup>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<string>([memberId]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var group in groups.Values.Where(g => g.MemberIds.Contains(current, StringComparer.OrdinalIgnoreCase)))
            {
                if (found.TryAdd(group.Id, group))
                {
                    pending.Enqueue(group.Id);
                }
            }
        }
        return found.Values.ToList();
    }

    /// <summary>Users and nested groups of a group, transitively, in discovery order (caller holds <see cref="Sync"/>).</summary>
    internal List<object> TransitiveMembersOf(SimGroup group)
    {
        var result = new List<object>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { group.Id };
        var pending = new Queue<SimGroup>([group]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var memberId in current.MemberIds)
            {
                if (!seen.Add(memberId))
                {
                    continue;
                }
                if (users.TryGetValue(memberId, out var user))
                {
                    result.Add(user);
                }
                else if (groups.TryGetValue(memberId, out var nested))
                {
                    result.Add(nested);
                    pending.Enqueue(nested);
                }
            }
        }
        return result;
    }

    internal List<SimUser> DirectReportsOf(string managerId) =>
        users.Values.Where(u => string.Equals(u.ManagerId, managerId, StringComparison.OrdinalIgnoreCase)).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();

    internal SimUser? FindUserUnlocked(string idOrUpn) =>
        users.TryGetValue(idOrUpn, out var user)
            ? user
            : users.Values.FirstOrDefault(u => string.Equals(u.UserPrincipalName, idOrUpn, StringComparison.OrdinalIgnoreCase));

    internal SimGroup? FindGroupUnlocked(string id) => groups.GetValueOrDefault(id);

    // ---- Temporary Access Pass ------------------------------------------------------------------------------------

    public TapMethodPolicy TapPolicy
    {
        get
        {
            lock (Sync)
            {
                return tapPolicy;
            }
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (Sync)
            {
                tapPolicy = value;
            }
        }
    }

    /// <summary>The user's pass method (never the pass), or null.</summary>
    public SimTap? GetTap(string userId)
    {
        lock (Sync)
        {
            return taps.GetValueOrDefault(userId);
        }
    }

    /// <summary>Records that a one-time pass was used to sign in.</summary>
    public void MarkTapUsed(string userId)
    {
        lock (Sync)
        {
            if (taps.TryGetValue(userId, out var tap))
            {
                taps[userId] = tap with { Used = true };
            }
        }
    }

    internal void SetTapUnlocked(string userId, SimTap? tap)
    {
        if (tap is null)
        {
            taps.Remove(userId);
        }
        else
        {
            taps[userId] = tap;
        }
    }

    // ---- Conditional Access ---------------------------------------------------------------------------------------

    public IReadOnlyList<JsonObject> ConditionalAccessPolicies
    {
        get
        {
            lock (Sync)
            {
                return policies.Select(p => (JsonObject)p.DeepClone()).ToList();
            }
        }
    }

    public JsonObject? GetConditionalAccessPolicy(string id)
    {
        lock (Sync)
        {
            return FindPolicyUnlocked(id)?.DeepClone() as JsonObject;
        }
    }

    /// <summary>Adds a policy without the service's validation (an admin's change in the portal); returns its id.</summary>
    public string AddConditionalAccessPolicy(JsonObject policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var copy = (JsonObject)policy.DeepClone();
        var now = SeedLoader.Format(Now);
        copy["id"] ??= Guid.NewGuid().ToString();
        copy["createdDateTime"] ??= now;
        copy["modifiedDateTime"] ??= now;
        var normalized = PolicyDocument.Normalize(copy);
        lock (Sync)
        {
            policies.RemoveAll(p => string.Equals((string?)p["id"], (string?)normalized["id"], StringComparison.OrdinalIgnoreCase));
            policies.Add(normalized);
        }
        return (string)normalized["id"]!;
    }

    /// <summary>Changes a stored policy in place (no validation) and stamps modifiedDateTime.</summary>
    public void ChangeConditionalAccessPolicy(string id, Action<JsonObject> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (Sync)
        {
            var index = policies.FindIndex(p => string.Equals((string?)p["id"], id, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                throw new KeyNotFoundException($"No Conditional Access policy {id}.");
            }
            var copy = (JsonObject)policies[index].DeepClone();
            change(copy);
            copy["id"] = id;
            copy["modifiedDateTime"] = SeedLoader.Format(Now);
            policies[index] = PolicyDocument.Normalize(copy);
        }
    }

    public bool RemoveConditionalAccessPolicy(string id)
    {
        lock (Sync)
        {
            return policies.RemoveAll(p => string.Equals((string?)p["id"], id, StringComparison.OrdinalIgnoreCase)) > 0;
        }
    }

    internal List<JsonObject> PoliciesUnlocked => policies;

    internal JsonObject? FindPolicyUnlocked(string id) =>
        policies.FirstOrDefault(p => string.Equals((string?)p["id"], id, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<JsonObject> NamedLocations
    {
        get
        {
            lock (Sync)
            {
                return namedLocations.Select(l => (JsonObject)l.DeepClone()).ToList();
            }
        }
    }

    /// <summary>Changes a named location in place (e.g. marks it untrusted) and stamps modifiedDateTime.</summary>
    public void ChangeNamedLocation(string id, Action<JsonObject> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (Sync)
        {
            var location = namedLocations.FirstOrDefault(l => string.Equals((string?)l["id"], id, StringComparison.OrdinalIgnoreCase))
                ?? throw new KeyNotFoundException($"No named location {id}.");
            change(location);
            location["id"] = id;
            location["modifiedDateTime"] = SeedLoader.Format(Now);
        }
    }

    internal List<JsonObject> NamedLocationsUnlocked => namedLocations;

    // ---- sign-in logs -----------------------------------------------------------------------------------------------

    public IReadOnlyList<JsonObject> SignIns
    {
        get
        {
            lock (Sync)
            {
                return signIns.Select(s => (JsonObject)s.DeepClone()).ToList();
            }
        }
    }

    /// <summary>Adds a Graph-shaped signIn record (id and createdDateTime default to new/now).</summary>
    public void AddSignIn(JsonObject signIn)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        var copy = (JsonObject)signIn.DeepClone();
        copy["id"] ??= Guid.NewGuid().ToString();
        copy["createdDateTime"] ??= SeedLoader.Format(Now);
        lock (Sync)
        {
            signIns.Add(copy);
        }
    }

    internal List<JsonObject> SignInsUnlocked => signIns;
}

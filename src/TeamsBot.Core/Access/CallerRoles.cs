using TeamsBot.Directory;

namespace TeamsBot.Access;

/// <summary>A role a feature grants through membership (transitive) of a directory group.</summary>
public sealed record RoleGroup(string Role, string? GroupId);

/// <summary>A feature's roles and the groups that grant them (from the feature's own settings).</summary>
public interface IRoleGroups
{
    IEnumerable<RoleGroup> Groups { get; }
}

/// <summary>What a user may do: the roles their groups grant, and whether they manage anyone.</summary>
public sealed record CallerRoles(IReadOnlySet<string> Roles, bool HasDirectReports)
{
    public bool Has(string role) => Roles.Contains(role);
}

/// <summary>
/// Answers "may this user do X" from the directory, fresh at every action: a removed approver loses the right at once,
/// whatever cards they still have.
/// </summary>
public sealed class RoleChecks(IPeopleDirectory people, IEnumerable<IRoleGroups> features)
{
    /// <summary>Every role the user holds, in one membership check.</summary>
    public async Task<CallerRoles> GetAsync(string userId, CancellationToken ct)
    {
        var groups = features.SelectMany(f => f.Groups).Where(g => !string.IsNullOrEmpty(g.GroupId)).ToList();
        var ids = groups.Select(g => g.GroupId!).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var membership = ids.Length == 0 ? new HashSet<string>() : await people.CheckMemberGroupsAsync(userId, ids, ct);
        var reports = await people.GetDirectReportsAsync(userId, ct);
        return new CallerRoles(groups.Where(g => membership.Contains(g.GroupId!)).Select(g => g.Role).ToHashSet(StringComparer.Ordinal),
            reports.Count > 0);
    }

    /// <summary>Whether the user is (transitively) in the group; false when no group is configured.</summary>
    public async Task<bool> IsMemberAsync(string userId, string? groupId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(groupId)) return false;
        var matched = await people.CheckMemberGroupsAsync(userId, [groupId], ct);
        return matched.Contains(groupId);
    }
}

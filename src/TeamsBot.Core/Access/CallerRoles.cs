using Microsoft.Extensions.Options;
using TeamsBot.Directory;
using TeamsBot.Policies;
using TeamsBot.Tap;

namespace TeamsBot.Access;

/// <summary>What a user may do, from their group memberships in the directory (transitive).</summary>
public sealed record CallerRoles(bool IsTapApprover, bool IsPrivilegedTapApprover, bool IsPolicyAdmin, bool IsRequester, bool HasDirectReports);

/// <summary>
/// Answers "may this user do X" from the directory, fresh at every action: a removed approver loses the right at once,
/// whatever cards they still have.
/// </summary>
public sealed class RoleChecks(IPeopleDirectory people, IOptions<TapOptions> tap, IOptions<PolicyOptions> policies)
{
    public async Task<CallerRoles> GetAsync(string userId, CancellationToken ct)
    {
        var groups = new[] { tap.Value.ApproversGroupId, tap.Value.PrivilegedApproversGroupId, policies.Value.AdminsGroupId, tap.Value.RequestersGroupId }
            .OfType<string>().Where(g => g.Length > 0).Distinct().ToArray();
        var membership = groups.Length == 0 ? new HashSet<string>() : await people.CheckMemberGroupsAsync(userId, groups, ct);
        var reports = await people.GetDirectReportsAsync(userId, ct);
        return new CallerRoles(
            In(membership, tap.Value.ApproversGroupId),
            In(membership, tap.Value.PrivilegedApproversGroupId),
            In(membership, policies.Value.AdminsGroupId),
            In(membership, tap.Value.RequestersGroupId),
            reports.Count > 0);
    }

    public Task<bool> IsPolicyAdminAsync(string userId, CancellationToken ct) => IsMemberAsync(userId, policies.Value.AdminsGroupId, ct);

    public Task<bool> IsTapApproverAsync(string userId, CancellationToken ct) => IsMemberAsync(userId, tap.Value.ApproversGroupId, ct);

    public Task<bool> IsPrivilegedTapApproverAsync(string userId, CancellationToken ct) =>
        IsMemberAsync(userId, tap.Value.PrivilegedApproversGroupId, ct);

    private async Task<bool> IsMemberAsync(string userId, string? groupId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(groupId)) return false;
        var matched = await people.CheckMemberGroupsAsync(userId, [groupId], ct);
        return matched.Contains(groupId);
    }

    private static bool In(IReadOnlySet<string> membership, string? groupId) =>
        !string.IsNullOrEmpty(groupId) && membership.Contains(groupId);
}

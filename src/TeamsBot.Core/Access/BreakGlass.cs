namespace TeamsBot.Access;

/// <summary>
/// Section <c>BreakGlass</c>: the emergency access accounts. No TAP is ever issued for them, and no registration policy
/// may lock them out; both features read them here.
/// </summary>
public sealed class BreakGlassOptions
{
    public const string Section = "BreakGlass";
    public List<string> UserIds { get; set; } = [];
    public string? GroupId { get; set; }

    public bool IsConfigured => UserIds.Count > 0 || !string.IsNullOrEmpty(GroupId);

    /// <summary>Whether the user is one of them (by id, or by membership of the group given as <paramref name="userGroupIds"/>).</summary>
    public bool Includes(string userId, IReadOnlySet<string> userGroupIds) =>
        UserIds.Contains(userId, StringComparer.OrdinalIgnoreCase) || (!string.IsNullOrEmpty(GroupId) && userGroupIds.Contains(GroupId));
}

using TeamsBot.Directory;
using TeamsBot.Access;

namespace TeamsBot.Tap;

/// <summary>The answers a requester typed into the request card, before they are checked.</summary>
public sealed record TapRequestDraft(string? Target, DateTimeOffset? StartsAt, int? LifetimeMinutes, bool UsableOnce, string? Reason);

/// <summary>The verdict on a draft: the problems to show in the card, or what may be filed.</summary>
public sealed record TapVerdict(IReadOnlyList<string> Problems, TapRequest? Request, IReadOnlyList<string> Approvers)
{
    public bool Allowed => Problems.Count == 0 && Request is not null;
}

/// <summary>
/// The rules a TAP request must pass before anything is filed. Pure: everything comes from the directory facts read
/// in one batch, so the rules are easy to read and to test.
/// </summary>
public static class TapEligibility
{
    public const int MaxReasonLength = 500;
    private static readonly TimeSpan LatestStart = TimeSpan.FromDays(60);

    public static TapVerdict Check(TapRequestDraft draft, TapCandidate facts, string requesterId, TapOptions tap, BreakGlassOptions breakGlass,
        DateTimeOffset now)
    {
        var problems = new List<string>();
        var policy = facts.Policy;
        var target = facts.Target;

        if (target is null)
            return Refuse($"I can't find **{draft.Target}** in the directory. Check the sign-in name (for example alex@contoso.com).");

        if (string.Equals(target.Id, requesterId, StringComparison.OrdinalIgnoreCase))
            return Refuse("You can't request a pass for yourself.");

        var isManager = string.Equals(facts.TargetManagerId, requesterId, StringComparison.OrdinalIgnoreCase);
        if (!isManager && !facts.RequesterInRequestersGroup)
            return Refuse($"You can request a pass only for your own direct reports, and Entra ID doesn't list you as {target.DisplayName}'s manager.");

        if (!target.AccountEnabled)
            problems.Add($"{target.DisplayName}'s account is disabled. Enable it first; a pass can't be used on a disabled account.");
        if (target.Kind != UserKind.Member)
            problems.Add($"{target.DisplayName} is a guest. Temporary Access Passes don't work for guest accounts.");

        if (breakGlass.Includes(target.Id, facts.TargetGroupIds))
            problems.Add($"{target.DisplayName} is an emergency access (break-glass) account. Those never get a pass through this bot.");

        var privileged = facts.TargetRoles.Count > 0;
        if (privileged && string.IsNullOrEmpty(tap.PrivilegedApproversGroupId))
            problems.Add($"{target.DisplayName} holds a directory role ({string.Join(", ", facts.TargetRoles.Select(r => r.Description))}). Passes for admins need a privileged approvers group, and none is configured.");

        if (!policy.Enabled)
            problems.Add("The Temporary Access Pass method is turned off in this tenant's authentication methods policy. An authentication policy admin must enable it.");
        else if (!CoveredByPolicy(target, facts.TargetGroupIds, policy))
            problems.Add($"The tenant's Temporary Access Pass policy doesn't cover {target.DisplayName}. An authentication policy admin must add them to the policy's targets.");

        var lifetime = draft.LifetimeMinutes ?? policy.DefaultLifetimeInMinutes;
        if (lifetime < policy.MinimumLifetimeInMinutes || lifetime > policy.MaximumLifetimeInMinutes)
            problems.Add($"The lifetime must be between {policy.MinimumLifetimeInMinutes} and {policy.MaximumLifetimeInMinutes} minutes (the tenant's policy).");
        if (policy.IsUsableOnce && !draft.UsableOnce)
            problems.Add("The tenant's policy allows only one-time passes: turn on one-time use.");

        var reason = draft.Reason?.Trim();
        if (string.IsNullOrEmpty(reason)) problems.Add("Give a reason for the request.");
        else if (reason.Length > MaxReasonLength) problems.Add($"Keep the reason under {MaxReasonLength} characters.");

        var startsAt = DefaultStart(draft.StartsAt, target, now);
        if (startsAt > now + LatestStart) problems.Add("The pass can start at most 60 days from now.");

        var approverGroup = privileged ? tap.PrivilegedApproversGroupId : tap.ApproversGroupId;
        var approvers = approverGroup is { Length: > 0 } && facts.ApproverIdsByGroup.TryGetValue(approverGroup, out var ids)
            ? ids.Where(id => !string.Equals(id, requesterId, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(id, target.Id, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : [];
        if (string.IsNullOrEmpty(approverGroup))
        {
            // A role holder without a privileged approvers group was refused above, naming that group.
            if (!privileged) problems.Add("No approvers group is configured (Tap:ApproversGroupId), so nobody could approve this request.");
        }
        else if (approvers.Count == 0)
            problems.Add("Nobody else is in the approvers group, so nobody could approve this request.");

        if (problems.Count > 0) return new TapVerdict(problems, null, []);

        var request = new TapRequest(target.Id, target.UserPrincipalName, target.DisplayName, target.Department, target.JobTitle,
            target.EmployeeHireDate, facts.TargetMethodTypes.Where(m => m != "password").ToList(), startsAt, lifetime, draft.UsableOnce,
            reason!, approverGroup!, privileged, privileged ? [.. facts.TargetRoles.Select(r => r.Description)] : null);
        return new TapVerdict([], request, approvers);

        static TapVerdict Refuse(string problem) => new([problem], null, []);
    }

    /// <summary>
    /// When the pass starts: what the requester chose; else the morning of the hire date if it is still ahead; else now.
    /// A start in the past means now.
    /// </summary>
    public static DateTimeOffset DefaultStart(DateTimeOffset? chosen, DirectoryUser target, DateTimeOffset now)
    {
        if (chosen is { } c) return c < now ? now : c;
        if (target.EmployeeHireDate is { } hire)
        {
            var morning = new DateTimeOffset(hire.UtcDateTime.Date.AddHours(8), TimeSpan.Zero);
            if (morning > now) return morning;
        }
        return now;
    }

    private static bool CoveredByPolicy(DirectoryUser target, IReadOnlySet<string> groups, TapPolicy policy)
    {
        bool Matches(TapPolicyTarget t) => t.Id == "all_users"
            || (t.TargetType == "user" && string.Equals(t.Id, target.Id, StringComparison.OrdinalIgnoreCase))
            || (t.TargetType == "group" && groups.Contains(t.Id));
        return policy.IncludeTargets.Any(Matches) && !policy.ExcludeTargets.Any(Matches);
    }
}

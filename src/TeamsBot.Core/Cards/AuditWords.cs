using System.Text.RegularExpressions;
using TeamsBot.Storage;

namespace TeamsBot.Cards;

/// <summary>
/// An audit entry as one line a person reads: who did what, to which request or policy, when. The entry's own codes
/// and details (ids, method ids, plan encodings) stay in the card's details part.
/// </summary>
public static partial class AuditWords
{
    public static string Sentence(AuditEntry e)
    {
        var who = e.ActorName is "TeamsBot" or "bot" ? "TeamsBot" : e.ActorName;
        var reference = Reference().Match(e.Details ?? "") is { Success: true } m ? $" ({m.Value})" : "";
        var target = Target(e.Target);
        return e.Action switch
        {
            "tap.requested" => $"{who} asked for a Temporary Access Pass for {target}{reference}",
            "tap.refused" when reference.Length > 0 => $"The request for {target}{reference} went to no approver: nobody could be reached",
            "tap.refused" => $"{who}'s request for a pass for {target} was refused: {Plain(e.Details)}",
            "tap.approved" => $"{who} approved the pass for {target}{reference}",
            "tap.rejected" => $"{who} rejected the pass for {target}{reference}",
            "tap.cancelled" => $"{who} cancelled the request for {target}{reference}",
            "tap.expired" => $"The request for {target}{reference} expired without a decision",
            "tap.denied" => $"{who} was refused an action on the request for {target}{reference}",
            "tap.issued" => $"TeamsBot created the pass for {target}{reference}",
            "tap.reissued" => $"TeamsBot replaced the unseen pass for {target}{reference}",
            "tap.issue-failed" => $"The pass for {target}{reference} could not be created",
            "tap.revealed" => $"{who} saw the pass for {target}{reference}",
            "tap.revoked" => $"{who} revoked the pass for {target}{reference}",
            "tap.reconciled" => $"TeamsBot finished what a restart interrupted for {target}{reference}",
            "tap.unreached" => $"Not every approver of the request for {target}{reference} could be reached",
            "policy.deploy-planned" => $"{who} planned to deploy {target}{reference}",
            "policy.promote-planned" => $"{who} planned to turn on {target}{reference}",
            "policy.plan-approved" => $"{who} approved the plan for {target}{reference}",
            "policy.plan-rejected" => $"{who} rejected the plan for {target}{reference}",
            "policy.plan-cancelled" => $"{who} cancelled the plan for {target}{reference}",
            "policy.plan-expired" => $"The plan for {target}{reference} expired without a decision",
            "policy.plan-failed" => $"The plan for {target}{reference} was not applied",
            "policy.plan-refused" => $"The plan for {target}{reference} reached no other admin",
            "policy.plan-unreached" => $"Not every admin could be reached for the plan for {target}{reference}",
            "policy.denied" => $"{who} was refused an action on the plan for {target}{reference}",
            "policy.create" => $"{who}'s approval created {target} in report-only{reference}",
            "policy.update" => $"{who}'s approval restored {target} to its template{reference}",
            "policy.adopt" => $"{who}'s approval took over {target}{reference}",
            "policy.promote" when e.Outcome == "refused" => $"{who} asked to turn on {target}; it wasn't ready",
            "policy.promote" => $"{who}'s approval turned on {target}{reference}",
            "policy.deploy" when e.Outcome == "refused" => $"{who} asked to deploy the policies; it was refused: {Plain(e.Details)}",
            "policy.deploy" => $"{who} asked to deploy the policies; nothing was needed",
            "policy.rolled-back" => $"{who} rolled {target} back to report-only",
            "policy.rollback-failed" => $"{who} could not roll {target} back",
            "policy.drift" => $"{target} was changed outside the bot",
            "policy.reconciled" => $"TeamsBot finished what a restart interrupted for {target}{reference}",
            _ => $"{who}: {e.Action.Replace('.', ' ').Replace('-', ' ')}, {target} ({e.Outcome})",
        };
    }

    /// <summary>"Policy A, B" reads as "policies A and B"; a sign-in name stays as it is.</summary>
    private static string Target(string target) => target.StartsWith("Policy ", StringComparison.Ordinal) && target.Contains(',', StringComparison.Ordinal)
        ? "policies " + string.Join(" and ", target[7..].Split(',', StringSplitOptions.TrimEntries))
        : target.StartsWith("Policy ", StringComparison.Ordinal) ? "policy " + target[7..] : target;

    /// <summary>Details that are sentences already (a refusal's reasons) without ids.</summary>
    private static string Plain(string? details) => Guid().Replace(details ?? "", "…");

    [GeneratedRegex(@"\bR-[0-9A-F]{6}\b")]
    private static partial Regex Reference();

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();
}

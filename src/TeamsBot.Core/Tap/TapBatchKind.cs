using TeamsBot.Approvals;
using TeamsBot.Directory;

namespace TeamsBot.Tap;

/// <summary>
/// Onboarding batches as a kind of approval: approvers from the TAP approvers group decide, never on their own batch
/// or one that names them; executing files each fine hire's request as an approved TAP request of its own
/// (<see cref="Execution.ApprovePartAsync"/>), which creates that hire's pass exactly once and shows it to the
/// requester on its own card.
/// </summary>
public sealed class TapBatchKind(
    TapBatchCards batchCards,
    TapRequestKind requests,
    IPeopleDirectory people,
    IOptions<TapOptions> options) : IApprovalKind
{
    private TapOptions Options => options.Value;

    public string Name => TapBatch.Kind;
    public TimeSpan Expiry => Options.RequestExpiry;
    public TimeSpan StuckAfter => Options.StuckIssuanceAfter;
    public string? ChannelId => Options.ApprovalsChannelId;

    public JsonObject Render(ApprovalRecord record, string audience, string? notice = null) => batchCards.Render(record, audience, notice);

    public async Task<string?> RefuseDecisionAsync(Person decider, ApprovalRecord record, CancellationToken ct)
    {
        var batch = record.Batch();
        if (SameUser(decider.Id, record.Requester.Id)) return "You can't decide on your own request.";
        if (batch.FineHires.Any(h => SameUser(decider.Id, h.Request!.TargetId))) return "You can't decide on a batch that asks for a pass for you.";
        if (!(await people.CheckMemberGroupsAsync(decider.Id, [batch.ApproverGroupId], ct)).Contains(batch.ApproverGroupId))
            return "Only members of the TAP approvers group can decide on TAP requests.";
        return null;
    }

    public async Task<IReadOnlyList<string>> ApproversAsync(ApprovalRecord record, CancellationToken ct)
    {
        var batch = record.Batch();
        return [.. (await people.GetGroupUserIdsAsync(batch.ApproverGroupId, ct))
            .Where(a => !SameUser(a, record.Requester.Id) && !batch.FineHires.Any(h => SameUser(a, h.Request!.TargetId)))];
    }

    /// <summary>
    /// Files and executes each fine hire's request, in order. Run again after an interruption it picks up where it
    /// stopped: a request filed already is not filed again, a pass made already is not made again.
    /// </summary>
    public async Task ExecuteAsync(Execution execution, CancellationToken ct)
    {
        var record = execution.Record;
        var batch = record.Batch();
        var parts = new List<ApprovalRecord?>();
        for (var i = 0; i < batch.Hires.Count; i++)
        {
            if (!batch.Hires[i].Fine) continue;
            var part = batch.Hires[i].Request! with { BatchId = record.Id };
            parts.Add(await execution.ApprovePartAsync(requests, TapBatch.PartId(record.Id, i), part.ToJson(), ct));
        }
        var ready = parts.Count(p => p?.State == ApprovalState.Completed);
        var failed = parts.Count(p => p?.State == ApprovalState.Failed);
        var underway = parts.Count - ready - failed;
        var summary = string.Join("; ", new[]
        {
            ready > 0 ? $"{ready} {(ready == 1 ? "pass is" : "passes are")} ready" : null,
            underway > 0 ? $"{underway} still being made" : null,
            failed > 0 ? $"{failed} could not be made (their cards say why)" : null,
        }.OfType<string>());
        await execution.CompleteAsync(r => r with { Outcome = $"{parts.Count} requests filed, one per person: {summary}." },
            $"{record.Decision?.By.Name} approved your onboarding batch ({record.Reference}): {summary}. Each person's pass is on its own card in this chat: select **Reveal pass** there.",
            ct);
    }

    /// <summary>Nothing to undo: the parts filed so far are kept, and the next run files the rest.</summary>
    public Task OnInterruptedAsync(ApprovalRecord record, CancellationToken ct) => Task.CompletedTask;

    public string AuditAction(ApprovalStep step, ApprovalRecord record) => step switch
    {
        ApprovalStep.Filed => "tap.batch.requested",
        _ => "tap.batch." + step.ToString().ToLowerInvariant(),
    };

    public string AuditTarget(ApprovalRecord record)
    {
        var fine = record.Batch().FineHires;
        var names = string.Join(", ", fine.Take(5).Select(h => h.Request!.TargetUpn));
        return fine.Count > 5 ? $"{names} and {fine.Count - 5} more" : names;
    }

    public ApprovalTexts Texts { get; } = new(
        NotYours: _ => "Only the requester can cancel a request.",
        SayWhyYouReject: _ => "Say why you reject the batch, so the requester can fix it.",
        NobodyReached: (r, why) => $"None of the approvers of your onboarding batch ({r.Reference}) could be reached, so it was not sent: {why.TrimEnd('.')}. Ask again once they can be reached.",
        SomeUnreached: (r, names) => $"Not every approver of your onboarding batch ({r.Reference}) could be reached: {names.TrimEnd('.')}. The others were asked.",
        Rejected: (r, by, comment) => $"{by.Name} rejected your onboarding batch ({r.Reference}): {comment}",
        Expired: r => $"Your onboarding batch ({r.Reference}) expired without a decision. Type **onboard** to ask again.",
        CancelledOutcome: "Cancelled by the requester.",
        ExpiredOutcome: "Expired without a decision.");

    private static bool SameUser(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

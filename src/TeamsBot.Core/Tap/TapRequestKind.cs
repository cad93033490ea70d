using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Storage;

namespace TeamsBot.Tap;

/// <summary>
/// TAP requests as a kind of approval: approvers from the (privileged) approvers group decide, never on their own
/// request or one for themselves; executing creates the pass, exactly once, and holds it in memory for the requester.
/// </summary>
public sealed class TapRequestKind(
    TapCards tapCards,
    IPeopleDirectory people,
    ITemporaryAccessPasses passes,
    IAuditLog audit,
    PassVault vault,
    IOptions<TapOptions> options,
    TimeProvider time,
    ILogger<TapRequestKind> logger) : IApprovalKind
{
    private TapOptions Options => options.Value;

    public string Name => TapRequest.Kind;
    public TimeSpan Expiry => Options.RequestExpiry;
    public TimeSpan StuckAfter => Options.StuckIssuanceAfter;
    public string? ChannelId => Options.ApprovalsChannelId;

    public JsonObject Render(ApprovalRecord record, string audience, string? notice = null) => tapCards.Render(record, audience, notice);

    public async Task<string?> RefuseDecisionAsync(Person decider, ApprovalRecord record, CancellationToken ct)
    {
        var tap = record.Tap();
        if (SameUser(decider.Id, record.Requester.Id)) return "You can't decide on your own request.";
        if (SameUser(decider.Id, tap.TargetId)) return "You can't decide on a request for yourself.";
        if (!(await people.CheckMemberGroupsAsync(decider.Id, [tap.ApproverGroupId], ct)).Contains(tap.ApproverGroupId))
            return tap.Privileged
                ? "Only members of the privileged approvers group can decide on requests for admins."
                : "Only members of the TAP approvers group can decide on TAP requests.";
        return null;
    }

    public async Task<IReadOnlyList<string>> ApproversAsync(ApprovalRecord record, CancellationToken ct)
    {
        var tap = record.Tap();
        return [.. (await people.GetGroupUserIdsAsync(tap.ApproverGroupId, ct))
            .Where(a => !SameUser(a, record.Requester.Id) && !SameUser(a, tap.TargetId))];
    }

    /// <summary>
    /// Creates the pass. The attempt is bounded well inside <see cref="TapOptions.StuckIssuanceAfter"/>: when the jobs
    /// take an issuance for interrupted and start another, the first no longer runs, so two passes are never made at
    /// once (and a new pass replaces the old).
    /// </summary>
    public async Task ExecuteAsync(Execution execution, CancellationToken ct)
    {
        var record = execution.Record;
        var tap = record.Tap();
        using var deadline = new CancellationTokenSource(Options.StuckIssuanceAfter / 2, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var issued = await passes.CreateAsync(tap.TargetId, new TapIssueOptions(tap.StartsAt, tap.LifetimeMinutes, tap.UsableOnce), attempt.Token);
            vault.Hold(record.Id, issued.Pass, Options.PickupWindow);
            var completed = await execution.CompleteAsync(r => r.WithTap(r.Tap() with
            {
                MethodId = issued.MethodId,
                IssuedAt = issued.CreatedDateTime,
                StartsAt = issued.StartDateTime,
                LifetimeMinutes = issued.LifetimeInMinutes,
                PassesCreated = r.Tap().PassesCreated + 1,
            }) with { Outcome = "Pass created.", WatchUntil = WatchedUntil(issued) },
                // A part of an onboarding batch: the batch tells the requester once, for everyone.
                tap.BatchId is not null ? null
                    : $"{record.Decision?.By.Name} approved your TAP request for {tap.TargetName} ({record.Reference}). Select **Reveal pass** on the request card to see it.", ct);
            if (completed is null)
            {
                // The record moved while the pass was being created (a recovery took over): the pass is unknown to it.
                vault.Forget(record.Id, issued.Pass);
                await passes.DeleteAsync(tap.TargetId, issued.MethodId, ct);
                return;
            }
            await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "tap.issued", "bot", "TeamsBot", tap.TargetUpn, "issued",
                $"{completed.Reference}; method {issued.MethodId}; valid {issued.StartDateTime:O} for {issued.LifetimeInMinutes} min"), ct);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Graph took too long: the jobs treat the request as interrupted, delete any pass it made after all, and try again.
            logger.LogWarning("TAP for request {RecordId} not created in time; the jobs will try again", record.Id);
        }
        catch (DirectoryException ex)
        {
            logger.LogWarning("TAP for request {RecordId} not created: {Kind} {GraphCode}", record.Id, ex.Kind, ex.GraphCode);
            var failed = await execution.FailAsync(ex.Message,
                $"Your TAP request for {tap.TargetName} was approved, but the pass could not be created: {ex.Message}", ct);
            // Graph may have made the pass before it failed: nobody will ever see it.
            if (failed is not null) await RemoveUnknownPassesAsync(record, ct);
        }
    }

    /// <summary>An interrupted creation may have made a pass nobody will ever see: such passes are deleted.</summary>
    public Task OnInterruptedAsync(ApprovalRecord record, CancellationToken ct) => RemoveUnknownPassesAsync(record, ct);

    private async Task RemoveUnknownPassesAsync(ApprovalRecord record, CancellationToken ct)
    {
        var tap = record.Tap();
        try
        {
            foreach (var method in await passes.ListAsync(tap.TargetId, ct))
                if (method.CreatedDateTime is null || record.ExecutingSince is null || method.CreatedDateTime >= record.ExecutingSince.Value.AddMinutes(-1))
                    await passes.DeleteAsync(tap.TargetId, method.Id, ct);
        }
        catch (DirectoryException ex)
        {
            logger.LogWarning("Could not check {RecordId} for passes left behind: {Kind}", record.Id, ex.Kind);
        }
    }

    public string AuditAction(ApprovalStep step, ApprovalRecord record) => step switch
    {
        ApprovalStep.Filed => "tap.requested",
        ApprovalStep.Failed => "tap.issue-failed",
        _ => "tap." + step.ToString().ToLowerInvariant(),
    };

    public string AuditTarget(ApprovalRecord record) => record.Tap().TargetUpn;

    public ApprovalTexts Texts { get; } = new(
        NotYours: _ => "Only the requester can cancel a request.",
        SayWhyYouReject: _ => "Say why you reject the request, so the requester can fix it.",
        NobodyReached: (r, why) => $"None of the approvers of {r.Tap().TargetName}'s request ({r.Reference}) could be reached, so it was not sent: {why.TrimEnd('.')}. Ask again once they can be reached.",
        SomeUnreached: (r, names) => $"Not every approver of {r.Tap().TargetName}'s request ({r.Reference}) could be reached: {names.TrimEnd('.')}. The others were asked.",
        Rejected: (r, by, comment) => $"{by.Name} rejected your TAP request for {r.Tap().TargetName} ({r.Reference}): {comment}",
        Expired: r => $"Your TAP request for {r.Tap().TargetName} ({r.Reference}) expired without a decision. Type **tap** to ask again.",
        CancelledOutcome: "Cancelled by the requester.",
        ExpiredOutcome: "Expired without a decision.");

    /// <summary>
    /// How long the jobs keep an issued pass's record in view (custody, the end of the pass): until the pass ends, plus
    /// the longest lifetime Graph allows (43,200 minutes: a pass replaced at reveal may run that much past the first
    /// one's end) and a week to finish telling people.
    /// </summary>
    private static DateTimeOffset WatchedUntil(IssuedPass issued) =>
        issued.StartDateTime + TimeSpan.FromMinutes(issued.LifetimeInMinutes) + TimeSpan.FromMinutes(43_200) + TimeSpan.FromDays(7);

    private static bool SameUser(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

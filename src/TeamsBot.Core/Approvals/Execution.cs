namespace TeamsBot.Approvals;

/// <summary>
/// One attempt at executing an approved record, as its kind sees it. Every change is made only while the record is
/// still in this attempt (a recovery that took over makes the attempt's late writes no-ops), and every change updates
/// every card that shows the record.
/// </summary>
public sealed class Execution
{
    private readonly ApprovalWorkflow _workflow;
    private readonly IApprovalKind _kind;

    internal Execution(ApprovalWorkflow workflow, IApprovalKind kind, ApprovalRecord record)
    {
        _workflow = workflow;
        _kind = kind;
        Record = record;
    }

    /// <summary>The record as it entered Executing.</summary>
    public ApprovalRecord Record { get; }

    /// <summary>The record as it is now.</summary>
    public Task<ApprovalRecord?> CurrentAsync(CancellationToken ct) => _workflow.Engine.GetAsync(Record.Id, ct);

    /// <summary>Whether <paramref name="current"/> is still this attempt.</summary>
    public bool IsThisAttempt(ApprovalRecord current) =>
        current.State == ApprovalState.Executing && current.ExecutingSince == Record.ExecutingSince;

    /// <summary>Changes details mid-way (e.g. a step done); null when the attempt was taken over.</summary>
    public async Task<ApprovalRecord?> AmendAsync(Func<ApprovalRecord, ApprovalRecord> change, CancellationToken ct)
    {
        var amended = await _workflow.Engine.AmendAsync(Record.Id, r => IsThisAttempt(r) ? change(r) : null, ct);
        if (amended is null || !IsThisAttempt(amended)) return null;
        await _workflow.RefreshAsync(amended, ct);
        return amended;
    }

    /// <summary>
    /// Finishes the attempt: Completed, with <paramref name="change"/> applied; cards updated and the requester told
    /// <paramref name="notice"/>. Null when the attempt was taken over (nothing changed).
    /// </summary>
    public async Task<ApprovalRecord?> CompleteAsync(Func<ApprovalRecord, ApprovalRecord> change, string? notice, CancellationToken ct)
    {
        var completed = await _workflow.Engine.TransitionAsync(Record.Id, ApprovalState.Executing, ApprovalState.Completed, ct, change,
            IsThisAttempt);
        if (completed is null) return null;
        await _workflow.RefreshAsync(completed, ct);
        if (notice is not null) await _workflow.Cards.NotifyUserAsync(completed.Requester.Id, notice, ct);
        return completed;
    }

    /// <summary>
    /// Files a record of <paramref name="kind"/> as a part of this one (an onboarding batch's requests), approved with
    /// this record's decision, and executes it. However often this runs (a retry, a recovery, two attempts at once) the
    /// part is filed once under <paramref name="id"/>, its approval audited once, its card posted to the requester once,
    /// and executed once; an interrupted part is recovered by its own kind's jobs like any approved record. A part this
    /// call did not file is executed here only when it has waited longer than its kind's <see cref="IApprovalKind.StuckAfter"/>:
    /// one that was just set back to Approved belongs to the recovery that did so (it cleans up first).
    /// </summary>
    public async Task<ApprovalRecord?> ApprovePartAsync(IApprovalKind kind, string id, JsonObject subject, CancellationToken ct)
    {
        var decision = Record.Decision ?? throw new InvalidOperationException($"{Record.Id} is executing without a decision.");
        var (part, filed) = await _workflow.Engine.CreateApprovedAsync(id, kind.Name, Record.Requester, subject, decision, ct);
        if (part.Kind != kind.Name) throw new InvalidOperationException($"{id} is taken by a record of another kind.");
        if (filed) await _workflow.AuditAsync(kind, ApprovalStep.Approved, part, decision.By, $"part of {Record.Reference}", ct);
        if (await _workflow.Cards.PostToUserOnceAsync(part, Audiences.Requester, part.Requester.Id, ct) is { } why)
            _workflow.Log.LogWarning("The card of {RecordId} did not reach its requester: {Reason}", id, why);
        if (filed || (part.State == ApprovalState.Approved && _workflow.Engine.Now - part.UpdatedAt >= kind.StuckAfter))
            await _workflow.ExecuteAsync(kind, id, ct);
        return await _workflow.Engine.GetAsync(id, ct);
    }

    /// <summary>Ends the attempt as Failed with <paramref name="outcome"/>: audited, cards updated, the requester told.</summary>
    public async Task<ApprovalRecord?> FailAsync(string outcome, string notice, CancellationToken ct)
    {
        var failed = await _workflow.Engine.TransitionAsync(Record.Id, ApprovalState.Executing, ApprovalState.Failed, ct,
            r => r with { Outcome = outcome }, IsThisAttempt);
        if (failed is null) return null;
        await _workflow.AuditAsync(_kind, ApprovalStep.Failed, failed, null, outcome, ct);
        await _workflow.RefreshAsync(failed, ct);
        await _workflow.Cards.NotifyUserAsync(failed.Requester.Id, notice, ct);
        return failed;
    }
}

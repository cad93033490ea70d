namespace TeamsBot.Approvals;

/// <summary>The steps of an approval that are audited; a kind names each in its own words.</summary>
public enum ApprovalStep { Filed, Approved, Rejected, Cancelled, Expired, Denied, Reconciled, Failed, Refused, Unreached }

/// <summary>
/// What one kind of approval (a TAP request, a policy plan) brings to the shared workflow: its cards, who may decide,
/// who is asked, what executing it does, and what it tells people. Everything else (filing once, asking, deciding,
/// cancelling, expiring, executing under a lease, recovering, keeping every card up to date, the audit) is the
/// workflow's.
/// </summary>
public interface IApprovalKind
{
    /// <summary>The <see cref="ApprovalRecord.Kind"/> of its records.</summary>
    string Name { get; }

    /// <summary>How long a record waits for a decision.</summary>
    TimeSpan Expiry { get; }

    /// <summary>How long filing, asking or executing may take before it is taken for interrupted (a crash) and done again.</summary>
    TimeSpan StuckAfter { get; }

    /// <summary>A Teams channel that gets every card of this kind too, or null.</summary>
    string? ChannelId { get; }

    /// <summary>The record's card for one audience (<see cref="Audiences"/>), with a notice at the top if any.</summary>
    JsonObject Render(ApprovalRecord record, string audience, string? notice = null);

    /// <summary>Why <paramref name="decider"/> may not decide on <paramref name="record"/>, or null when they may.</summary>
    Task<string?> RefuseDecisionAsync(Person decider, ApprovalRecord record, CancellationToken ct);

    /// <summary>The people asked to decide (the requester and anyone the record is about left out).</summary>
    Task<IReadOnlyList<string>> ApproversAsync(ApprovalRecord record, CancellationToken ct);

    /// <summary>Does what the approval was for. Runs once at a time under the record's Executing lease.</summary>
    Task ExecuteAsync(Execution execution, CancellationToken ct);

    /// <summary>Before an execution a crash interrupted is run again: undo what it may have left behind.</summary>
    Task OnInterruptedAsync(ApprovalRecord record, CancellationToken ct);

    /// <summary>The audit entry's action for a step of a record (e.g. "tap.approved").</summary>
    string AuditAction(ApprovalStep step, ApprovalRecord record);

    /// <summary>What the audit entries are about (a person, "Policy A, B").</summary>
    string AuditTarget(ApprovalRecord record);

    /// <summary>What people are told when the workflow moves the record.</summary>
    ApprovalTexts Texts { get; }
}

/// <summary>The sentences a kind gives the workflow; each takes the record (and who acted).</summary>
public sealed record ApprovalTexts(
    Func<ApprovalRecord, string> NotYours,
    Func<ApprovalRecord, string> SayWhyYouReject,
    Func<ApprovalRecord, string, string> NobodyReached,
    Func<ApprovalRecord, string, string> SomeUnreached,
    Func<ApprovalRecord, Person, string?, string> Rejected,
    Func<ApprovalRecord, string?> Expired,
    string CancelledOutcome,
    string ExpiredOutcome);

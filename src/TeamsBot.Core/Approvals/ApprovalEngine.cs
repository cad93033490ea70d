using TeamsBot.Storage;

namespace TeamsBot.Approvals;

/// <summary>
/// The state machine of approvals, shared by TAP requests and policy plans. Every change is a compare-and-swap on the
/// stored record, so the first decision wins and exactly one caller moves a record into <see cref="ApprovalState.Executing"/>.
/// Who may decide is the feature's business; this class only guards the states.
/// </summary>
public sealed class ApprovalEngine(ApprovalStore store, TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();

    public Task<ApprovalRecord> CreateAsync(string kind, Person requester, JsonObject subject, TimeSpan expiresIn, CancellationToken ct) =>
        CreateAsync(TimeOrderedKey.New(time.GetUtcNow()), kind, requester, subject, expiresIn, ct);

    /// <summary>Files a pending record under a chosen id (time-ordered); an id already taken returns the stored record.</summary>
    public async Task<ApprovalRecord> CreateAsync(string id, string kind, Person requester, JsonObject subject, TimeSpan expiresIn,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var record = new ApprovalRecord(id, kind, ApprovalState.Pending, 1, requester, now, now + expiresIn, now, subject);
        if (await store.TryAddAsync(record, ct)) return record;
        return (await store.GetAsync(id, ct))!.Value.Record;
    }

    /// <summary>
    /// Files a record already approved with <paramref name="decision"/> (a part of another approved record), under a
    /// chosen id: one insert, so it is never seen pending. New is false when the id was taken (the stored record).
    /// </summary>
    public async Task<(ApprovalRecord Record, bool New)> CreateApprovedAsync(string id, string kind, Person requester, JsonObject subject,
        ApprovalDecision decision, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var record = new ApprovalRecord(id, kind, ApprovalState.Approved, 2, requester, now, now, now, subject, decision, ApproversAsked: true);
        if (await store.TryAddAsync(record, ct)) return (record, true);
        return ((await store.GetAsync(id, ct))!.Value.Record, false);
    }

    public async Task<ApprovalRecord?> GetAsync(string id, CancellationToken ct) => (await store.GetAsync(id, ct))?.Record;

    public Task<IReadOnlyList<ApprovalRecord>> RecentAsync(int limit, CancellationToken ct) => store.RecentAsync(limit, ct);

    /// <summary>Every record of <paramref name="kind"/> a job may still act on (<see cref="ApprovalRecord.IsOpen"/>), oldest first.</summary>
    public Task<IReadOnlyList<ApprovalRecord>> OpenAsync(string kind, CancellationToken ct) => store.OpenAsync(kind, ct);

    /// <summary>What one person filed of one kind, newest first.</summary>
    public Task<IReadOnlyList<ApprovalRecord>> ByRequesterAsync(string kind, string requesterId, int limit, CancellationToken ct) =>
        store.ByRequesterAsync(kind, requesterId, limit, ct);

    /// <summary>
    /// Records a decision if the record is still pending at the version the decider saw. A record past its expiry is
    /// expired instead.
    /// </summary>
    public async Task<DecisionResult> DecideAsync(string id, long seenVersion, Person by, bool approve, string? comment, CancellationToken ct)
    {
        while (true)
        {
            var current = await store.GetAsync(id, ct);
            if (current is not { } c) return new DecisionResult(DecisionOutcome.NotFound, null);
            var (record, etag) = c;
            if (record.State != ApprovalState.Pending) return new DecisionResult(DecisionOutcome.AlreadyDecided, record);
            if (record.Version != seenVersion) return new DecisionResult(DecisionOutcome.Stale, record);

            var now = time.GetUtcNow();
            if (now >= record.ExpiresAt)
            {
                var expired = Bump(record, ApprovalState.Expired, now) with { Outcome = "Expired without a decision." };
                if (await store.TryReplaceAsync(expired, etag, ct)) return new DecisionResult(DecisionOutcome.Expired, expired);
                continue;
            }

            var decided = Bump(record, approve ? ApprovalState.Approved : ApprovalState.Rejected, now)
                with { Decision = new ApprovalDecision(by, now, approve, comment) };
            if (await store.TryReplaceAsync(decided, etag, ct)) return new DecisionResult(DecisionOutcome.Decided, decided);
            // Someone else wrote first: read again and report what they did.
        }
    }

    /// <summary>
    /// Moves a record from one state to another if it is in <paramref name="from"/> (and <paramref name="when"/> holds);
    /// null when it is not (someone else moved it). <paramref name="change"/> may adjust other fields.
    /// </summary>
    public async Task<ApprovalRecord?> TransitionAsync(string id, ApprovalState from, ApprovalState to, CancellationToken ct,
        Func<ApprovalRecord, ApprovalRecord>? change = null, Func<ApprovalRecord, bool>? when = null)
    {
        while (true)
        {
            var current = await store.GetAsync(id, ct);
            if (current is not { } c || c.Record.State != from || (when is not null && !when(c.Record))) return null;
            var now = time.GetUtcNow();
            var next = Bump(c.Record, to, now);
            if (to == ApprovalState.Executing) next = next with { ExecutingSince = now };
            if (change is not null) next = change(next);
            if (await store.TryReplaceAsync(next, c.ETag, ct)) return next;
        }
    }

    /// <summary>
    /// Changes a record's details without changing its state or version (e.g. cards posted, a pass revealed). Retries on
    /// concurrent writes; <paramref name="change"/> returns null to leave the record as it is.
    /// </summary>
    public async Task<ApprovalRecord?> AmendAsync(string id, Func<ApprovalRecord, ApprovalRecord?> change, CancellationToken ct)
    {
        while (true)
        {
            var current = await store.GetAsync(id, ct);
            if (current is not { } c) return null;
            var next = change(c.Record);
            if (next is null) return c.Record;
            next = next with { UpdatedAt = time.GetUtcNow() };
            if (await store.TryReplaceAsync(next, c.ETag, ct)) return next;
        }
    }

    /// <summary>
    /// Takes the fan-out of a pending record's approval cards: null when the approvers were asked already, or another
    /// fan-out started less than <paramref name="staleAfter"/> ago (so that two never post the same cards at once).
    /// </summary>
    public async Task<ApprovalRecord?> BeginAskingAsync(string id, TimeSpan staleAfter, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var taken = false;
        var record = await AmendAsync(id, r =>
        {
            taken = false;
            if (r.State != ApprovalState.Pending || r.ApproversAsked || (r.AskingSince is { } since && now - since < staleAfter)) return null;
            taken = true;
            return r with { AskingSince = now };
        }, ct);
        return taken ? record : null;
    }

    /// <summary>Records that every approver was sent the card; null when that was recorded already.</summary>
    public Task<ApprovalRecord?> MarkApproversAskedAsync(string id, CancellationToken ct) =>
        AmendAsync(id, r => r.ApproversAsked ? null : r with { ApproversAsked = true }, ct);

    /// <summary>Adds a posted card to the record.</summary>

    public Task<ApprovalRecord?> AddCardAsync(string id, CardPost post, CancellationToken ct) =>
        AmendAsync(id, r => r.CardPosts.Any(p => p.ActivityId == post.ActivityId && p.ConversationId == post.ConversationId)
            ? null
            : r with { Cards = r.CardPosts.Add(post) }, ct);

    private static ApprovalRecord Bump(ApprovalRecord record, ApprovalState state, DateTimeOffset now) =>
        record with { State = state, Version = record.Version + 1, UpdatedAt = now };
}

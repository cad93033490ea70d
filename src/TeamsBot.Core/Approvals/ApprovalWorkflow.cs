using TeamsBot.Directory;
using TeamsBot.Errors;
using TeamsBot.Protocol.Routing;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Approvals;

/// <summary>Who clicked, where: the decider (from the authenticated activity) and the card the click came from.</summary>
public sealed record Click(Person By, bool InPersonalChat, CardLocation? Card)
{
    /// <summary>The audience of the card the click came from, for someone other than the requester.</summary>
    public string DeciderAudience => InPersonalChat ? Audiences.Approver : Audiences.Channel;
}

/// <summary>What a click on an approval card comes to, for the handler to show.</summary>
public abstract record ClickAnswer
{
    /// <summary>The record's card for this audience (with a notice at the top, if any).</summary>
    public sealed record Show(ApprovalRecord Record, string Audience, string? Notice = null) : ClickAnswer;

    /// <summary>A sentence instead of a card (a refusal, a missing comment).</summary>
    public sealed record Say(string Text) : ClickAnswer;

    /// <summary>The card names no record of this kind (out of date, or made up).</summary>
    public sealed record OutOfDate : ClickAnswer;
}

/// <summary>What a request to file a record came to.</summary>
public abstract record Filing
{
    /// <summary>A record holds the key: the one just filed (<paramref name="New"/>), or one filed before.</summary>
    public sealed record Filed(ApprovalRecord Record, bool New) : Filing;

    /// <summary>Nothing filed, for these reasons.</summary>
    public sealed record Refused(IReadOnlyList<string> Problems) : Filing;

    /// <summary>An earlier copy of the same request is still at work.</summary>
    public sealed record BeingFiled : Filing;
}

/// <summary>A request checked and ready to file, or refused.</summary>
public abstract record Draft
{
    /// <summary>
    /// File <paramref name="Subject"/>. With an <paramref name="ExclusiveKey"/>, no other open record may hold that key
    /// (e.g. one open request per person); <paramref name="Taken"/> says why not when one does. <paramref name="MoreExclusive"/>:
    /// more such keys (a request for several people holds each person's), all held or none.
    /// </summary>
    public sealed record Ready(JsonObject Subject, string AuditDetails, IReadOnlyList<string>? Approvers = null, string? ExclusiveKey = null,
        Func<ApprovalRecord?, string>? Taken = null, IReadOnlyList<ExclusiveClaim>? MoreExclusive = null) : Draft
    {
        internal IEnumerable<ExclusiveClaim> AllExclusive =>
            (ExclusiveKey is { } key ? [new ExclusiveClaim(key, Taken!)] : Array.Empty<ExclusiveClaim>()).Concat(MoreExclusive ?? []);
    }

    public sealed record Refused(IReadOnlyList<string> Problems) : Draft;
}

/// <summary>A key no other open record may hold while this one lives, and what to say when another does.</summary>
public sealed record ExclusiveClaim(string Key, Func<ApprovalRecord?, string> Taken);

/// <summary>
/// The approval workflow, once for every kind: file (one record per request however often it arrives), ask the
/// approvers (once each, 1:1 and channel), decide (the first decision wins), cancel, expire, execute under a lease,
/// recover what a crash interrupted, keep every posted card up to date, and audit each step.
/// </summary>
public sealed class ApprovalWorkflow(
    IEnumerable<IApprovalKind> kinds,
    ApprovalEngine engine,
    ApprovalClaims claims,
    ApprovalCards cards,
    IPeopleDirectory people,
    IAuditLog audit,
    BackgroundWork work,
    TimeProvider time,
    ILogger<ApprovalWorkflow> logger)
{
    private readonly Dictionary<string, IApprovalKind> _kinds = kinds.ToDictionary(k => k.Name, StringComparer.Ordinal);

    internal ApprovalEngine Engine => engine;
    internal ApprovalCards Cards => cards;
    internal ILogger Log => logger;

    /// <summary>A record of <paramref name="kind"/>, or null when the id names none.</summary>
    public async Task<ApprovalRecord?> GetAsync(IApprovalKind kind, string? id, CancellationToken ct)
    {
        if (id is not { Length: > 0 and <= 64 }) return null;
        var record = await engine.GetAsync(id, ct);
        return record?.Kind == kind.Name ? record : null;
    }

    // ---------------------------------------------------------------- file

    /// <summary>
    /// Files a record for one request. <paramref name="key"/> names the request (a form, a plan): every copy of it
    /// claims the key first, so one copy runs <paramref name="check"/> and files, and the others answer with what it
    /// filed, or with why it was refused. The record's key is kept while <paramref name="holds"/> says so (default:
    /// always).
    /// </summary>
    public async Task<Filing> FileAsync(IApprovalKind kind, string key, Person requester, Func<CancellationToken, Task<Draft>> check,
        CardLocation? requesterCard, CancellationToken ct, Func<ApprovalRecord, bool>? holds = null, TimeSpan? patience = null)
    {
        var claim = await claims.ClaimAsync(key, null, holds ?? (_ => true), kind.StuckAfter, patience ?? FilePatience, ct);
        switch (claim)
        {
            case ClaimOutcome.Held held:
                return new Filing.Filed(held.Record, New: false);
            case ClaimOutcome.Refused refused:
                return new Filing.Refused(refused.Problems);
            case ClaimOutcome.Filing:
                return new Filing.BeingFiled();
        }
        var owned = ((ClaimOutcome.Owned)claim).Claim;
        var exclusive = new List<ApprovalClaim>();
        try
        {
            var draft = await check(ct);
            if (draft is Draft.Refused refusal)
            {
                await owned.RefuseAsync(refusal.Problems, ct);
                return new Filing.Refused(refusal.Problems);
            }
            var ready = (Draft.Ready)draft;
            // In one order for every filing, so that two batches naming the same people in another order never each
            // hold one key and refuse each other.
            foreach (var (exclusiveKey, takenText) in ready.AllExclusive.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var taken = await claims.ClaimAsync(exclusiveKey, owned.RecordId, r => !r.IsFinal, kind.StuckAfter, TimeSpan.Zero, ct);
                if (taken is not ClaimOutcome.Owned { Claim: var mine })
                {
                    string[] problems = [takenText(taken is ClaimOutcome.Held { Record: var open } ? open : null)];
                    foreach (var held in exclusive) await held.ReleaseAsync(CancellationToken.None);
                    exclusive.Clear();
                    await owned.RefuseAsync(problems, ct);
                    return new Filing.Refused(problems);
                }
                exclusive.Add(mine);
            }
            var record = await engine.CreateAsync(owned.RecordId, kind.Name, requester, ready.Subject, kind.Expiry, ct);
            owned.Filed();
            foreach (var held in exclusive) held.Filed();
            await AuditAsync(kind, ApprovalStep.Filed, record, requester, ready.AuditDetails, ct);
            if (requesterCard is not null) record = await RememberCardAsync(record, Audiences.Requester, requester.Id, requesterCard, ct) ?? record;
            var approvers = ready.Approvers;
            work.Enqueue($"{kind.Name}.ask", token => AskAsync(kind, record.Id, approvers, token));
            return new Filing.Filed(record, New: true);
        }
        catch
        {
            // Nothing was filed (the directory or the store failed): the next copy of the request tries again.
            foreach (var held in exclusive) await held.ReleaseAsync(CancellationToken.None);
            await owned.ReleaseAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>How long a second copy of a request waits for the first to file it before it answers "being filed".</summary>
    private static readonly TimeSpan FilePatience = TimeSpan.FromSeconds(10);

    /// <summary>Keeps a card that shows the record among the cards updated with it.</summary>
    public Task<ApprovalRecord?> RememberCardAsync(ApprovalRecord record, string audience, string? userId, CardLocation card, CancellationToken ct) =>
        engine.AddCardAsync(record.Id, new CardPost(audience, userId, card.ServiceUrl, card.ConversationId, card.ActivityId, card.TimeZone, card.Locale), ct);

    // ---------------------------------------------------------------- ask

    /// <summary>
    /// Posts the record's card to each approver (and the kind's channel) who does not have it yet, opening a chat with
    /// those who never opened the bot, then marks the record as asked; one fan-out at a time per record. Whoever could
    /// not be reached is named to the requester and in the audit, and the record goes on with the others; when nobody
    /// could be reached the record is refused with the reasons instead of waiting for a decision that cannot come.
    /// </summary>
    public async Task AskAsync(IApprovalKind kind, string id, IReadOnlyList<string>? approvers, CancellationToken ct)
    {
        var record = await engine.BeginAskingAsync(id, kind.StuckAfter, ct);
        if (record is null) return;
        var delivered = 0;
        var unreached = new List<(string Id, string Why)>();
        string? lookupFailed = null;
        try
        {
            foreach (var approver in approvers ?? await kind.ApproversAsync(record, ct))
            {
                if (await cards.PostToUserOnceAsync(record, Audiences.Approver, approver, ct) is { } why) unreached.Add((approver, why));
                else delivered++;
            }
        }
        catch (UserFacingException ex)
        {
            // Without the approvers nobody gets the card.
            logger.LogWarning("Approvers of {RecordId} not asked: {Problem}", id, ex.LogText);
            lookupFailed = ex.Message;
        }
        if (kind.ChannelId is { Length: > 0 } channel && await cards.PostToChannelOnceAsync(record, channel, ct)) delivered++;
        logger.LogInformation("{Kind} {RecordId}: card delivered to {Delivered}, {Unreached} not reached", kind.Name, id, delivered, unreached.Count);

        var names = unreached.Count == 0 ? null : await DescribeAsync(unreached, ct);
        if (delivered == 0)
        {
            var why = lookupFailed ?? names ?? "nobody else is in the approvers' group";
            var refused = await engine.TransitionAsync(id, ApprovalState.Pending, ApprovalState.Refused, ct,
                r => r with { Outcome = kind.Texts.NobodyReached(r, why), ApproversAsked = true });
            if (refused is null) return;
            await AuditAsync(kind, ApprovalStep.Refused, refused, null, why, ct);
            await RefreshAsync(refused, ct);
            await cards.NotifyUserAsync(refused.Requester.Id, refused.Outcome!, ct);
            return;
        }
        var asked = await engine.MarkApproversAskedAsync(id, ct);
        if (asked is null || names is null) return;
        await AuditAsync(kind, ApprovalStep.Unreached, asked, null, names, ct);
        await cards.NotifyUserAsync(asked.Requester.Id, kind.Texts.SomeUnreached(asked, names), ct);
    }

    /// <summary>"Adele Vance (why); Alex Wilber (why)", by display name where the directory says it.</summary>
    private async Task<string> DescribeAsync(IEnumerable<(string Id, string Why)> unreached, CancellationToken ct)
    {
        var parts = new List<string>();
        foreach (var (userId, why) in unreached)
        {
            string name;
            try
            {
                name = (await people.FindUserAsync(userId, ct))?.DisplayName ?? userId;
            }
            catch (UserFacingException)
            {
                name = userId;
            }
            parts.Add($"{name} ({why})");
        }
        return string.Join("; ", parts);
    }

    /// <summary>Posts the record's card into a user's 1:1 chat (e.g. an approver asking what waits for them); null when posted, else why not.</summary>
    public Task<string?> PostCardToAsync(ApprovalRecord record, string audience, string userId, CancellationToken ct) =>
        cards.PostToUserAsync(record, audience, userId, ct);

    // ---------------------------------------------------------------- decide, cancel

    /// <summary>Approves or rejects; the first decision wins, later clicks are shown who decided and when.</summary>
    public async Task<ClickAnswer> DecideAsync(ApprovalAction action, Click click, bool approve, CancellationToken ct)
    {
        var (kind, record) = await LoadAsync(action, ct);
        if (kind is null || record is null) return new ClickAnswer.OutOfDate();
        if (await kind.RefuseDecisionAsync(click.By, record, ct) is { } refusal) return await DenyAsync(kind, record, click.By, refusal, ct);

        var comment = action.Comment?.Trim();
        if (!approve && string.IsNullOrEmpty(comment)) return new ClickAnswer.Say(kind.Texts.SayWhyYouReject(record));
        if (comment is { Length: > 500 }) comment = comment[..500];

        var result = await engine.DecideAsync(record.Id, action.Version, click.By, approve, comment, ct);
        var current = result.Record!;
        switch (result.Outcome)
        {
            case DecisionOutcome.Decided:
                await AuditAsync(kind, approve ? ApprovalStep.Approved : ApprovalStep.Rejected, current, click.By,
                    comment is null ? null : "comment: " + comment, ct);
                if (click.Card is { } card) current = await RememberCardAsync(current, click.DeciderAudience, click.By.Id, card, ct) ?? current;
                var decided = current;
                work.Enqueue($"{kind.Name}.after-decision", async token =>
                {
                    if (approve) await ExecuteAsync(kind, decided.Id, token);
                    else
                    {
                        await RefreshAsync(decided.Id, token);
                        await cards.NotifyUserAsync(decided.Requester.Id, kind.Texts.Rejected(decided, click.By, comment), token);
                    }
                });
                break;
            case DecisionOutcome.Expired:
                await AfterExpiryAsync(kind, current, ct);
                break;
        }
        // Already decided, or the card was out of date: the record as it stands, with who decided and when.
        return new ClickAnswer.Show(current, click.DeciderAudience);
    }

    /// <summary>The requester withdraws a pending record.</summary>
    public async Task<ClickAnswer> CancelAsync(ApprovalAction action, Click click, CancellationToken ct)
    {
        var (kind, record) = await LoadAsync(action, ct);
        if (kind is null || record is null) return new ClickAnswer.OutOfDate();
        if (!SameUser(click.By.Id, record.Requester.Id)) return await DenyAsync(kind, record, click.By, kind.Texts.NotYours(record), ct);
        var cancelled = await engine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Cancelled, ct,
            r => r with { Outcome = kind.Texts.CancelledOutcome });
        if (cancelled is null) return new ClickAnswer.Show((await engine.GetAsync(record.Id, ct))!, Audiences.Requester);
        await AuditAsync(kind, ApprovalStep.Cancelled, cancelled, click.By, null, ct);
        if (click.Card is { } card) cancelled = await RememberCardAsync(cancelled, Audiences.Requester, click.By.Id, card, ct) ?? cancelled;
        work.Enqueue($"{kind.Name}.after-cancel", token => RefreshAsync(cancelled.Id, token));
        return new ClickAnswer.Show(cancelled, Audiences.Requester);
    }

    /// <summary>Refuses a click: logged and audited, and the reason said to the clicker.</summary>
    public async Task<ClickAnswer> DenyAsync(IApprovalKind kind, ApprovalRecord record, Person by, string reason, CancellationToken ct)
    {
        logger.LogWarning("Action on {RecordId} denied to {UserId}: {Reason}", record.Id, by.Id, reason);
        await AuditAsync(kind, ApprovalStep.Denied, record, by, reason, ct);
        return new ClickAnswer.Say(reason);
    }

    private async Task<(IApprovalKind? Kind, ApprovalRecord? Record)> LoadAsync(ApprovalAction action, CancellationToken ct)
    {
        if (action.Id is not { } id) return (null, null);
        var record = await engine.GetAsync(id, ct);
        return record is not null && _kinds.TryGetValue(record.Kind, out var kind) ? (kind, record) : (null, null);
    }

    // ---------------------------------------------------------------- execute

    /// <summary>
    /// Executes an approved record: exactly one caller gets past the Executing transition; the kind does the work
    /// through an <see cref="Execution"/> that a recovery can take over.
    /// </summary>
    public async Task ExecuteAsync(IApprovalKind kind, string id, CancellationToken ct)
    {
        var executing = await engine.TransitionAsync(id, ApprovalState.Approved, ApprovalState.Executing, ct);
        if (executing is null) return;
        await RefreshAsync(executing, ct);
        await kind.ExecuteAsync(new Execution(this, kind, executing), ct);
    }

    // ---------------------------------------------------------------- jobs

    /// <summary>Expires pending records past their time. Returns how many.</summary>
    public async Task<int> ExpireAsync(IApprovalKind kind, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var record in await engine.OpenAsync(kind.Name, ct))
        {
            if (record.State != ApprovalState.Pending || record.ExpiresAt > now) continue;
            var expired = await engine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Expired, ct,
                r => r with { Outcome = kind.Texts.ExpiredOutcome });
            if (expired is null) continue;
            count++;
            await AfterExpiryAsync(kind, expired, ct);
        }
        return count;
    }

    private async Task AfterExpiryAsync(IApprovalKind kind, ApprovalRecord expired, CancellationToken ct)
    {
        await AuditAsync(kind, ApprovalStep.Expired, expired, null, null, ct);
        work.Enqueue($"{kind.Name}.expired", async token =>
        {
            await RefreshAsync(expired.Id, token);
            if (kind.Texts.Expired(expired) is { } notice) await cards.NotifyUserAsync(expired.Requester.Id, notice, token);
        });
    }

    /// <summary>
    /// Finishes what a crash interrupted, for records older than the kind's <see cref="IApprovalKind.StuckAfter"/>: an
    /// execution left in Executing is taken back (that attempt only), cleaned up by the kind and run again; an approved
    /// record whose execution never started is executed; a pending record whose approvers were never all asked is
    /// asked again. Returns how many records were recovered.
    /// </summary>
    public async Task<int> RecoverAsync(IApprovalKind kind, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var olderThan = kind.StuckAfter;
        var count = 0;
        foreach (var record in await engine.OpenAsync(kind.Name, ct))
        {
            if (record.State == ApprovalState.Executing && record.ExecutingSince is { } since && now - since >= olderThan)
            {
                var back = await engine.TransitionAsync(record.Id, ApprovalState.Executing, ApprovalState.Approved, ct, when: r => r.ExecutingSince == since);
                if (back is null) continue;
                count++;
                await kind.OnInterruptedAsync(record, ct);
                await AuditAsync(kind, ApprovalStep.Reconciled, record, null, "the execution was interrupted; it runs again", ct);
                await ExecuteAsync(kind, record.Id, ct);
            }
            else if (record.State == ApprovalState.Approved && now - record.UpdatedAt >= olderThan)
            {
                count++;
                await ExecuteAsync(kind, record.Id, ct);
            }
            else if (record.State == ApprovalState.Pending && !record.ApproversAsked && now - record.CreatedAt >= olderThan)
            {
                count++;
                await AuditAsync(kind, ApprovalStep.Reconciled, record, null, "the approval cards were interrupted; sent again", ct);
                await AskAsync(kind, record.Id, null, ct);
            }
        }
        return count;
    }

    // ---------------------------------------------------------------- cards, audit

    /// <summary>Re-renders every posted card of the record, the clicked one included.</summary>
    public async Task RefreshAsync(string id, CancellationToken ct)
    {
        if (await engine.GetAsync(id, ct) is { } record) await RefreshAsync(record, ct);
    }

    public Task RefreshAsync(ApprovalRecord record, CancellationToken ct) => cards.RefreshAllAsync(record, ct);

    internal Task AuditAsync(IApprovalKind kind, ApprovalStep step, ApprovalRecord record, Person? actor, string? details, CancellationToken ct) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), kind.AuditAction(step, record), actor?.Id ?? "bot", actor?.Name ?? "TeamsBot",
            kind.AuditTarget(record), Outcome(step), details is null ? record.Reference : $"{record.Reference}; {details}"), ct);

    private static string Outcome(ApprovalStep step) => step switch
    {
        ApprovalStep.Filed => "pending",
        ApprovalStep.Approved => "approved",
        ApprovalStep.Rejected => "rejected",
        ApprovalStep.Cancelled => "cancelled",
        ApprovalStep.Expired => "expired",
        ApprovalStep.Denied => "denied",
        ApprovalStep.Reconciled => "retrying",
        ApprovalStep.Refused => "refused",
        ApprovalStep.Unreached => "not reached",
        _ => "failed",
    };

    private static bool SameUser(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

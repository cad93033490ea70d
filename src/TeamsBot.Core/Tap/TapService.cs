using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Policies;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>
/// The TAP use cases: the request form, filing a request, deciding it, issuing the pass exactly once, revealing it
/// to the requester alone, revoking it. Every action checks who is acting, from the activity, against fresh directory
/// data and the stored record; card data only says which record and version the click was about.
/// </summary>
public sealed partial class TapService(
    ApprovalEngine engine,
    ApprovalClaims claims,
    ApprovalCards cards,
    TapCards tapCards,
    IPeopleDirectory people,
    ITemporaryAccessPasses passes,
    ITapPolicySource policies,
    IAuditLog audit,
    PassVault vault,
    BackgroundWork work,
    IOptions<TapOptions> tapOptions,
    IOptions<BreakGlassOptions> breakGlass,
    TimeProvider time,
    ILogger<TapService> logger)
{
    /// <summary>How long a second click on a form waits for the first to file it before it answers "being filed".</summary>
    private static readonly TimeSpan SubmitPatience = TimeSpan.FromSeconds(10);

    private TapOptions Options => tapOptions.Value;

    // ---------------------------------------------------------------- request

    public async Task<JsonObject> FormAsync(Caller caller, string? prefill, CancellationToken ct)
    {
        var facts = await people.GetTapFormFactsAsync(caller.AadObjectId, ct);
        var (reports, policy) = (Eligible(facts.DirectReports), facts.Policy);
        var chosen = prefill is not null ? reports.FirstOrDefault(r => string.Equals(r.UserPrincipalName, prefill, StringComparison.OrdinalIgnoreCase)) : null;
        var values = new TapFormValues(chosen?.UserPrincipalName, chosen is null ? prefill : null, null, null,
            policy.DefaultLifetimeInMinutes, UsableOnce: true, null);
        return tapCards.Form(reports, policy, values, NewDraftId());
    }

    public async Task<AdaptiveCardInvokeResponse> SubmitAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var values = ReadForm(action);
        var draftId = action.GetString("draftId") is { Length: > 0 and <= 64 } d ? d : NewDraftId();

        var problems = new List<string>();
        var target = (values.OtherUpn is { Length: > 0 } other ? other : values.ChosenReport)?.Trim();
        if (string.IsNullOrEmpty(target)) problems.Add("Choose the new hire, or type their sign-in name.");
        else if (!LooksLikeUserId(target)) problems.Add($"'{Shorten(target)}' is not a sign-in name (like alex@contoso.com).");
        var startsAt = ReadStart(values, turn.Activity.LocalTimezone, out var startProblem);
        if (startProblem is not null) problems.Add(startProblem);
        var lifetimeText = action.GetString("lifetimeMinutes");
        int? lifetime = null;
        if (!string.IsNullOrWhiteSpace(lifetimeText))
        {
            if (action.GetLong("lifetimeMinutes") is { } l and >= 1 and <= 100_000) lifetime = (int)l;
            else problems.Add("The lifetime must be a whole number of minutes.");
        }
        if (problems.Count > 0) return await FormWithProblemsAsync(caller, values, draftId, problems, ct);

        // One form files one request: every other click on it (a double click, a retry) waits for the first and shows
        // what it filed, or the reasons it was refused.
        var claim = await claims.ClaimAsync($"tap.form:{caller.AadObjectId.ToLowerInvariant()}:{draftId}", null, _ => true,
            Options.StuckIssuanceAfter, SubmitPatience, ct);
        switch (claim)
        {
            case ClaimOutcome.Held held:
                return AdaptiveCardInvokeResponse.Card(tapCards.Requester(held.Record));
            case ClaimOutcome.Refused refused:
                return await FormWithProblemsAsync(caller, values, draftId, refused.Problems, ct);
            case ClaimOutcome.Filing:
                return AdaptiveCardInvokeResponse.Message("Your request is being filed; this card shows it in a moment. Type **my requests** to see it.");
        }
        var form = ((ClaimOutcome.Owned)claim).Claim;
        try
        {
            return await FileAsync(turn, form, values, draftId, target!, startsAt, lifetime, ct);
        }
        catch
        {
            // Nothing was filed (Graph or storage failed): the next click tries again.
            await form.ReleaseAsync(CancellationToken.None);
            throw;
        }
    }

    private async Task<AdaptiveCardInvokeResponse> FileAsync(TurnContext turn, ApprovalClaim form, TapFormValues values, string draftId,
        string target, DateTimeOffset? startsAt, int? lifetime, CancellationToken ct)
    {
        var caller = turn.Caller!;
        if (await CountRecentRequestsAsync(caller.AadObjectId, ct) >= Options.MaxRequestsPerHour)
            return await RefuseAsync(form, caller, values, draftId,
                [$"You've filed {Options.MaxRequestsPerHour} requests in the last hour, the most allowed. Try again later."], ct);

        var facts = await people.GetTapCandidateAsync(new TapCandidateQuery(caller.AadObjectId, target, Options.RequestersGroupId,
            new[] { Options.ApproversGroupId, Options.PrivilegedApproversGroupId }.OfType<string>().Where(g => g.Length > 0).Distinct().ToList()), ct);
        var draft = new TapRequestDraft(target, startsAt, lifetime, values.UsableOnce, values.Reason);
        var verdict = TapEligibility.Check(draft, facts, caller.AadObjectId, Options, breakGlass.Value, time.GetUtcNow());
        if (!verdict.Allowed)
        {
            await audit.AppendAsync(Audit("tap.refused", caller, target, "refused", string.Join(" ", verdict.Problems)), ct);
            return await RefuseAsync(form, caller, values, draftId, verdict.Problems, ct, facts.Policy);
        }
        var request = verdict.Request!;

        // One open request per person, whoever asks: the person's key is held by the request until it is final.
        var person = await claims.ClaimAsync($"tap.person:{request.TargetId.ToLowerInvariant()}", form.RecordId, r => !r.IsFinal,
            Options.StuckIssuanceAfter, TimeSpan.Zero, ct);
        if (person is not ClaimOutcome.Owned { Claim: var forPerson })
        {
            var problem = person is ClaimOutcome.Held { Record: var open }
                ? $"{request.TargetName} already has a pending request ({open.Reference}, by {open.Requester.Name})."
                : $"{request.TargetName} already has a request being filed by someone else.";
            return await RefuseAsync(form, caller, values, draftId, [problem], ct, facts.Policy);
        }

        ApprovalRecord record;
        try
        {
            record = await engine.CreateAsync(form.RecordId, TapRequest.Kind, new Person(caller.AadObjectId, caller.Name), request.ToJson(),
                Options.RequestExpiry, ct);
        }
        catch
        {
            await forPerson.ReleaseAsync(CancellationToken.None);
            throw;
        }
        form.Filed();
        forPerson.Filed();
        await audit.AppendAsync(Audit("tap.requested", caller, request.TargetUpn, "pending",
            $"{record.Reference}; starts {request.StartsAt:O}; {request.LifetimeMinutes} min; {(request.UsableOnce ? "one-time" : "multi-use")}; reason: {request.Reason}"), ct);

        if (turn.Activity.ReplyToId is { Length: > 0 } formId)
            await engine.AddCardAsync(record.Id, new CardPost(Audiences.Requester, caller.AadObjectId, turn.Reference.ServiceUrl,
                turn.Reference.ConversationId, formId), ct);
        var approvers = verdict.Approvers;
        work.Enqueue("tap.post-approvals", token => PostApprovalCardsAsync(record.Id, approvers, token));
        return AdaptiveCardInvokeResponse.Card(tapCards.Requester(record, "Request filed. I've asked the approvers."));
    }

    private async Task<AdaptiveCardInvokeResponse> RefuseAsync(ApprovalClaim form, Caller caller, TapFormValues values, string draftId,
        IReadOnlyList<string> problems, CancellationToken ct, TapPolicy? policy = null)
    {
        await form.RefuseAsync(problems, ct);
        return await FormWithProblemsAsync(caller, values, draftId, problems, ct, policy);
    }

    /// <summary>
    /// Posts the approval card to each approver (and the approvals channel) that does not have it yet, then marks the
    /// request as asked. Run again by the jobs for a request whose cards a crash stopped.
    /// </summary>
    private async Task PostApprovalCardsAsync(string id, IReadOnlyList<string> approvers, CancellationToken ct)
    {
        var record = await engine.BeginAskingAsync(id, Options.StuckIssuanceAfter, ct);
        if (record is null) return;
        var delivered = 0;
        foreach (var approver in approvers)
            if (await cards.PostToUserOnceAsync(record, Audiences.Approver, approver, ct)) delivered++;
        if (Options.ApprovalsChannelId is { Length: > 0 } channel && await cards.PostToChannelOnceAsync(record, channel, ct)) delivered++;
        logger.LogInformation("TAP request {RecordId}: approval card delivered to {Delivered} of {Approvers} approvers", id, delivered, approvers.Count);
        var asked = await engine.MarkApproversAskedAsync(id, ct);
        if (delivered == 0 && asked is not null)
            await cards.NotifyUserAsync(record.Requester.Id,
                $"None of the approvers for {record.Tap().TargetName}'s request ({record.Reference}) has installed me in Teams yet. Ask one of them to open TeamsBot and type **pending**.", ct);
    }

    // ---------------------------------------------------------------- decide

    public async Task<AdaptiveCardInvokeResponse> DecideAsync(TurnContext turn, CardAction action, bool approve, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        var tap = record.Tap();

        if (SameUser(caller.AadObjectId, record.Requester.Id))
            return Deny(caller, record, "You can't decide on your own request.", ct);
        if (SameUser(caller.AadObjectId, tap.TargetId))
            return Deny(caller, record, "You can't decide on a request for yourself.", ct);
        if (!await IsApproverAsync(caller.AadObjectId, tap.ApproverGroupId, ct))
            return Deny(caller, record, tap.Privileged
                ? "Only members of the privileged approvers group can decide on requests for admins."
                : "Only members of the TAP approvers group can decide on TAP requests.", ct);

        var comment = action.GetString("comment")?.Trim();
        if (!approve && string.IsNullOrEmpty(comment))
            return AdaptiveCardInvokeResponse.Message("Say why you reject the request, so the requester can fix it.");
        if (comment is { Length: > 500 }) comment = comment[..500];

        var seen = action.GetLong("version") ?? -1;
        var result = await engine.DecideAsync(record.Id, seen, new Person(caller.AadObjectId, caller.Name), approve, comment, ct);
        var current = result.Record!;
        var audience = AudienceOf(turn);
        switch (result.Outcome)
        {
            case DecisionOutcome.Decided:
                await audit.AppendAsync(Audit(approve ? "tap.approved" : "tap.rejected", caller, tap.TargetUpn, approve ? "approved" : "rejected",
                    $"{current.Reference}{(comment is null ? "" : "; comment: " + comment)}"), ct);
                await AddClickedCardAsync(turn, current, audience, ct);
                var replyTo = turn.Activity.ReplyToId;
                work.Enqueue("tap.after-decision", async token =>
                {
                    if (approve) await IssueAsync(current.Id, token);
                    else
                    {
                        await RefreshAsync(current.Id, replyTo, token);
                        await cards.NotifyUserAsync(current.Requester.Id,
                            $"{caller.Name} rejected your TAP request for {tap.TargetName} ({current.Reference}): {comment}", token);
                    }
                });
                return AdaptiveCardInvokeResponse.Card(cards.Render(current, audience));
            case DecisionOutcome.Expired:
                work.Enqueue("tap.expired", token => RefreshAsync(current.Id, null, token));
                return AdaptiveCardInvokeResponse.Card(cards.Render(current, audience));
            default:
                // Already decided, or the card was out of date: show the record as it stands, with who decided and when.
                return AdaptiveCardInvokeResponse.Card(cards.Render(current, audience));
        }
    }

    /// <summary>
    /// Creates the pass for an approved request; exactly one caller gets past the Executing transition. The attempt is
    /// bounded well inside <see cref="TapOptions.StuckIssuanceAfter"/>: when the jobs take an issuance for interrupted
    /// and start another, the first no longer runs, so two passes are never made at once (a new pass replaces the old).
    /// </summary>
    public async Task IssueAsync(string id, CancellationToken ct)
    {
        var executing = await engine.TransitionAsync(id, ApprovalState.Approved, ApprovalState.Executing, ct);
        if (executing is null) return;
        var tap = executing.Tap();
        bool ThisAttempt(ApprovalRecord r) => r.ExecutingSince == executing.ExecutingSince;
        using var deadline = new CancellationTokenSource(Options.StuckIssuanceAfter / 2, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var issued = await passes.CreateAsync(tap.TargetId, new TapIssueOptions(tap.StartsAt, tap.LifetimeMinutes, tap.UsableOnce), attempt.Token);
            vault.Hold(id, issued.Pass, Options.PickupWindow);
            var completed = await engine.TransitionAsync(id, ApprovalState.Executing, ApprovalState.Completed, ct, r => r.WithTap(r.Tap() with
            {
                MethodId = issued.MethodId,
                IssuedAt = issued.CreatedDateTime,
                StartsAt = issued.StartDateTime,
                LifetimeMinutes = issued.LifetimeInMinutes,
                PassesCreated = r.Tap().PassesCreated + 1,
            }) with { Outcome = "Pass created." }, ThisAttempt);
            if (completed is null)
            {
                // The record moved while the pass was being created (a reconciliation took over): the pass is unknown to it.
                vault.Forget(id, issued.Pass);
                await passes.DeleteAsync(tap.TargetId, issued.MethodId, ct);
                return;
            }
            await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "tap.issued", "bot", "TeamsBot", tap.TargetUpn, "issued",
                $"{completed.Reference}; method {issued.MethodId}; valid {issued.StartDateTime:O} for {issued.LifetimeInMinutes} min"), ct);
            await RefreshAsync(id, null, ct);
            await cards.NotifyUserAsync(completed.Requester.Id,
                $"{completed.Decision?.By.Name} approved your TAP request for {tap.TargetName} ({completed.Reference}). Select **Reveal pass** on the request card to see it.", ct);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Graph took too long: the jobs treat the request as interrupted, delete any pass it made after all, and try again.
            logger.LogWarning("TAP for request {RecordId} not created in time; the jobs will try again", id);
        }
        catch (DirectoryException ex)
        {
            logger.LogWarning("TAP for request {RecordId} not created: {Kind} {GraphCode}", id, ex.Kind, ex.GraphCode);
            var failed = await engine.TransitionAsync(id, ApprovalState.Executing, ApprovalState.Failed, ct, r => r with { Outcome = ex.Message }, ThisAttempt);
            if (failed is null) return;
            // Graph may have made the pass before it failed: nobody will ever see it.
            await RemoveUnknownPassesAsync(executing, ct);
            await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "tap.issue-failed", "bot", "TeamsBot", tap.TargetUpn, "failed",
                $"{failed.Reference}; {ex.Message}"), ct);
            await RefreshAsync(id, null, ct);
            await cards.NotifyUserAsync(failed.Requester.Id, $"Your TAP request for {tap.TargetName} was approved, but the pass could not be created: {ex.Message}", ct);
        }
    }

    // ---------------------------------------------------------------- reveal, hide, revoke, cancel

    public async Task<AdaptiveCardInvokeResponse> RevealAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        if (!SameUser(caller.AadObjectId, record.Requester.Id))
            return Deny(caller, record, "Only the person who asked for this pass can see it.", ct);
        if (!turn.IsPersonalChat)
            return AdaptiveCardInvokeResponse.Message("Passes are shown only in your 1:1 chat with me.");
        var tap = record.Tap();
        if (record.State != ApprovalState.Completed || !tap.Issued || time.GetUtcNow() >= tap.EndsAt)
            return AdaptiveCardInvokeResponse.Card(tapCards.Requester(record));
        // Claim the reveal first, so that a double click can't replace the pass the first click is showing.
        var now = time.GetUtcNow();
        var claimed = await engine.AmendAsync(record.Id, r => r.Tap().RevealedAt is not null ? null : r.WithTap(r.Tap() with { RevealedAt = now }), ct);
        if (claimed?.Tap().RevealedAt != now)
            return AdaptiveCardInvokeResponse.Card(tapCards.Requester(claimed ?? record,
                "The pass was already shown once and can't be shown again. If it was lost, revoke it and ask for a new one."));

        var pass = vault.Take(record.Id);
        var revealed = claimed;
        if (pass is null)
        {
            // This instance doesn't hold the pass (restart, another instance, pickup window over): nobody can see it any
            // more, so replace it. Creating a pass replaces the user's previous one; the old method is deleted first.
            try
            {
                // What is left of the approved time, but no less than the tenant's policy allows (a one-hour pass, the usual
                // minimum, has less than an hour left as soon as it starts): the replacement may end a little later.
                var policy = await policies.GetAsync(ct);
                var lifetime = Math.Clamp(LifetimeLeft(tap), policy.MinimumLifetimeInMinutes,
                    Math.Max(policy.MinimumLifetimeInMinutes, policy.MaximumLifetimeInMinutes));
                await passes.DeleteAsync(tap.TargetId, tap.MethodId!, ct);
                var fresh = await passes.CreateAsync(tap.TargetId, new TapIssueOptions(
                    tap.StartsAt > time.GetUtcNow() ? tap.StartsAt : null, lifetime, tap.UsableOnce), ct);
                pass = fresh.Pass;
                revealed = await engine.AmendAsync(record.Id, r => r.WithTap(r.Tap() with
                {
                    MethodId = fresh.MethodId,
                    PassesCreated = r.Tap().PassesCreated + 1,
                }), ct) ?? claimed;
                await audit.AppendAsync(Audit("tap.reissued", caller, tap.TargetUpn, "issued",
                    $"{record.Reference}; the first pass was never shown, so it was replaced; method {fresh.MethodId}"), ct);
            }
            catch
            {
                // Nothing was shown: let the requester try again.
                await engine.AmendAsync(record.Id, r => r.WithTap(r.Tap() with { RevealedAt = null }), CancellationToken.None);
                throw;
            }
        }
        await audit.AppendAsync(Audit("tap.revealed", caller, tap.TargetUpn, "shown", record.Reference), ct);
        await AddClickedCardAsync(turn, revealed, Audiences.Requester, ct);
        work.Schedule("tap.hide", Options.RevealWindow, time, token => RefreshAsync(record.Id, null, token));
        return AdaptiveCardInvokeResponse.Card(tapCards.Revealed(revealed, pass));
    }

    public async Task<AdaptiveCardInvokeResponse> HideAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        return SameUser(turn.Caller!.AadObjectId, record.Requester.Id)
            ? AdaptiveCardInvokeResponse.Card(tapCards.Requester(record))
            : AdaptiveCardInvokeResponse.Message("This card is not yours.");
    }

    public async Task<AdaptiveCardInvokeResponse> RevokeAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        var tap = record.Tap();
        var isRequester = SameUser(caller.AadObjectId, record.Requester.Id);
        if (!isRequester && !await IsApproverAsync(caller.AadObjectId, tap.ApproverGroupId, ct))
            return Deny(caller, record, "Only the requester or an approver can revoke this pass.", ct);
        var audience = isRequester ? Audiences.Requester : AudienceOf(turn);
        if (record.State != ApprovalState.Completed || !tap.Issued)
            return AdaptiveCardInvokeResponse.Card(cards.Render(record, audience));

        // The revocation is claimed on the record first: of two clicks (a double click, requester and approver at
        // once) one revokes, audits and tells; the other shows the record as it is.
        var now = time.GetUtcNow();
        var revoked = await engine.AmendAsync(record.Id, r => r.Tap().RevokedAt is not null ? null
            : r.WithTap(r.Tap() with { RevokedAt = now, RevokedBy = new Person(caller.AadObjectId, caller.Name) }), ct) ?? record;
        if (revoked.Tap().RevokedAt != now || !SameUser(revoked.Tap().RevokedBy?.Id ?? "", caller.AadObjectId))
            return AdaptiveCardInvokeResponse.Card(cards.Render(revoked, audience));
        vault.Forget(record.Id);
        try
        {
            await passes.DeleteAsync(tap.TargetId, tap.MethodId!, ct);
        }
        catch
        {
            // The pass is still valid: the record must not say otherwise, and the next click tries again.
            await engine.AmendAsync(record.Id, r => r.Tap().RevokedAt == now ? r.WithTap(r.Tap() with { RevokedAt = null, RevokedBy = null }) : null,
                CancellationToken.None);
            throw;
        }
        await audit.AppendAsync(Audit("tap.revoked", caller, tap.TargetUpn, "revoked", record.Reference), ct);
        var replyTo = turn.Activity.ReplyToId;
        work.Enqueue("tap.after-revoke", token => RefreshAsync(record.Id, replyTo, token));
        if (!isRequester)
            work.Enqueue("tap.notify-revoke", token => cards.NotifyUserAsync(record.Requester.Id,
                $"{caller.Name} revoked the pass for {tap.TargetName} ({record.Reference}).", token));
        return AdaptiveCardInvokeResponse.Card(cards.Render(revoked, audience));
    }

    public async Task<AdaptiveCardInvokeResponse> CancelAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        if (!SameUser(caller.AadObjectId, record.Requester.Id))
            return Deny(caller, record, "Only the requester can cancel a request.", ct);
        var cancelled = await engine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Cancelled, ct,
            r => r with { Outcome = "Cancelled by the requester." });
        if (cancelled is null) return AdaptiveCardInvokeResponse.Card(tapCards.Requester((await engine.GetAsync(record.Id, ct))!));
        await audit.AppendAsync(Audit("tap.cancelled", caller, record.Tap().TargetUpn, "cancelled", record.Reference), ct);
        var replyTo = turn.Activity.ReplyToId;
        work.Enqueue("tap.after-cancel", token => RefreshAsync(record.Id, replyTo, token));
        return AdaptiveCardInvokeResponse.Card(tapCards.Requester(cancelled));
    }

    // ---------------------------------------------------------------- lists

    public async Task<JsonObject> MineAsync(Caller caller, CancellationToken ct)
    {
        var mine = await engine.ByRequesterAsync(TapRequest.Kind, caller.AadObjectId, 10, ct);
        return tapCards.List("Your TAP requests", mine, "You haven't asked for any passes yet. Type **tap** to start.", forApprover: false);
    }

    /// <summary>Pending requests this approver may decide; their cards are posted so they can act on them.</summary>
    public async Task<(JsonObject Summary, IReadOnlyList<ApprovalRecord> Decidable)> PendingAsync(Caller caller, CancellationToken ct)
    {
        var pending = (await engine.RecentAsync(500, ct))
            .Where(r => r.Kind == TapRequest.Kind && r.State == ApprovalState.Pending && r.ExpiresAt > time.GetUtcNow()).ToList();
        var groups = pending.Select(r => r.Tap().ApproverGroupId).Distinct().ToList();
        var memberOf = groups.Count == 0 ? new HashSet<string>() : await people.CheckMemberGroupsAsync(caller.AadObjectId, groups, ct);
        var decidable = pending.Where(r => memberOf.Contains(r.Tap().ApproverGroupId) && !SameUser(r.Requester.Id, caller.AadObjectId)
            && !SameUser(r.Tap().TargetId, caller.AadObjectId)).Take(10).ToList();
        var empty = groups.Count > 0 && memberOf.Count == 0 ? "You're not a TAP approver." : "Nothing waits for your approval.";
        return (tapCards.List("Pending TAP approvals", decidable, empty, forApprover: true), decidable);
    }

    public Task PostApprovalCardToAsync(ApprovalRecord record, Caller approver, CancellationToken ct) =>
        cards.PostToUserAsync(record, Audiences.Approver, approver.AadObjectId, ct);

    // ---------------------------------------------------------------- jobs

    /// <summary>Expires pending requests past their time, and updates cards of passes that have ended.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = 0;
        foreach (var record in await engine.RecentAsync(1000, ct))
        {
            if (record.Kind != TapRequest.Kind) continue;
            if (record.State == ApprovalState.Pending && record.ExpiresAt <= now)
            {
                var expired = await engine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Expired, ct,
                    r => r with { Outcome = "Expired without a decision." });
                if (expired is null) continue;
                changed++;
                await audit.AppendAsync(new AuditEntry(now, "tap.expired", "bot", "TeamsBot", record.Tap().TargetUpn, "expired", record.Reference), ct);
                await cards.RefreshAllAsync(expired, ct);
                await cards.NotifyUserAsync(record.Requester.Id,
                    $"Your TAP request for {record.Tap().TargetName} ({record.Reference}) expired without a decision. Type **tap** to ask again.", ct);
            }
            else if (record.State == ApprovalState.Completed && record.Tap() is { ExpiryShown: false } tap && tap.Issued && now >= tap.EndsAt)
            {
                vault.Forget(record.Id);
                var shown = await engine.AmendAsync(record.Id, r => r.Tap().ExpiryShown ? null : r.WithTap(r.Tap() with { ExpiryShown = true }), ct);
                if (shown is null) continue;
                changed++;
                await cards.RefreshAllAsync(shown, ct);
            }
        }
        return changed;
    }

    /// <summary>
    /// Finishes what a crash interrupted: a request left in Executing may have created a pass nobody will ever see.
    /// Such passes are deleted and the request goes back to Approved, so that a fresh pass is issued. A request whose
    /// approval cards never all went out gets them now.
    /// </summary>
    public async Task<int> ReconcileAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var fixedCount = 0;
        foreach (var record in await engine.RecentAsync(1000, ct))
        {
            if (record.Kind != TapRequest.Kind) continue;
            if (record.State == ApprovalState.Executing && record.ExecutingSince is { } since && now - since >= olderThan)
            {
                // Taken back first (the same stale attempt only): a round of the jobs running alongside leaves it alone.
                var back = await engine.TransitionAsync(record.Id, ApprovalState.Executing, ApprovalState.Approved, ct,
                    when: r => r.ExecutingSince == since);
                if (back is null) continue;
                await RemoveUnknownPassesAsync(record, ct);
                fixedCount++;
                await audit.AppendAsync(new AuditEntry(now, "tap.reconciled", "bot", "TeamsBot", record.Tap().TargetUpn, "retrying",
                    $"{record.Reference}; pass creation was interrupted; any pass it made was deleted"), ct);
                await IssueAsync(record.Id, ct);
            }
            else if (record.State == ApprovalState.Approved && now - record.UpdatedAt >= olderThan)
            {
                // Approved but issuance never started (crash right after the decision).
                fixedCount++;
                await IssueAsync(record.Id, ct);
            }
            else if (record.State == ApprovalState.Pending && !record.ApproversAsked && now - record.CreatedAt >= olderThan)
            {
                // Filed, but a crash stopped the approval cards: ask the approvers the group has now.
                var tap = record.Tap();
                var approvers = (await people.GetGroupUserIdsAsync(tap.ApproverGroupId, ct))
                    .Where(a => !SameUser(a, record.Requester.Id) && !SameUser(a, tap.TargetId)).ToList();
                fixedCount++;
                await audit.AppendAsync(new AuditEntry(now, "tap.reconciled", "bot", "TeamsBot", tap.TargetUpn, "pending",
                    $"{record.Reference}; the approval cards were interrupted; sent again"), ct);
                await PostApprovalCardsAsync(record.Id, approvers, ct);
            }
        }
        return fixedCount;
    }

    // ---------------------------------------------------------------- helpers

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

    private async Task RefreshAsync(string id, string? skipActivityId, CancellationToken ct)
    {
        if (await engine.GetAsync(id, ct) is { } record) await cards.RefreshAllAsync(record, ct, skipActivityId);
    }

    private async Task AddClickedCardAsync(TurnContext turn, ApprovalRecord record, string audience, CancellationToken ct)
    {
        if (turn.Activity.ReplyToId is { Length: > 0 } id)
            await engine.AddCardAsync(record.Id, new CardPost(audience, turn.Caller?.AadObjectId, turn.Reference.ServiceUrl,
                turn.Reference.ConversationId, id), ct);
    }

    private async Task<ApprovalRecord?> LoadAsync(CardAction action, CancellationToken ct)
    {
        var id = action.GetString("requestId");
        if (string.IsNullOrEmpty(id) || id.Length > 64) return null;
        var record = await engine.GetAsync(id, ct);
        return record?.Kind == TapRequest.Kind ? record : null;
    }

    private async Task<bool> IsApproverAsync(string userId, string groupId, CancellationToken ct) =>
        (await people.CheckMemberGroupsAsync(userId, [groupId], ct)).Contains(groupId);

    private AdaptiveCardInvokeResponse Deny(Caller caller, ApprovalRecord record, string message, CancellationToken ct)
    {
        logger.LogWarning("TAP action on {RecordId} denied to {UserId}: {Reason}", record.Id, caller.AadObjectId, message);
        _ = audit.AppendAsync(Audit("tap.denied", caller, record.Tap().TargetUpn, "denied", $"{record.Reference}; {message}"), ct);
        return AdaptiveCardInvokeResponse.Message(message);
    }

    private async Task<AdaptiveCardInvokeResponse> FormWithProblemsAsync(Caller caller, TapFormValues values, string draftId,
        IReadOnlyList<string> problems, CancellationToken ct, TapPolicy? policy = null)
    {
        var facts = await people.GetTapFormFactsAsync(caller.AadObjectId, ct);
        return AdaptiveCardInvokeResponse.Card(tapCards.Form(Eligible(facts.DirectReports), policy ?? facts.Policy, values, draftId, problems));
    }

    private async Task<int> CountRecentRequestsAsync(string requesterId, CancellationToken ct)
    {
        var since = time.GetUtcNow().AddHours(-1);
        // Newest first: the limit plus one is enough to tell whether the limit is reached.
        return (await engine.ByRequesterAsync(TapRequest.Kind, requesterId, Options.MaxRequestsPerHour + 1, ct)).Count(r => r.CreatedAt >= since);
    }

    private static TapFormValues ReadForm(CardAction action) => new(
        action.GetString("user"),
        action.GetString("userUpn"),
        action.GetString("startDate"),
        action.GetString("startTime"),
        (int)Math.Clamp(action.GetLong("lifetimeMinutes") ?? 60, 0, 100_000),
        !string.Equals(action.GetString("usableOnce"), "false", StringComparison.OrdinalIgnoreCase),
        action.GetString("reason"));

    /// <summary>The chosen start in the user's time zone (Teams says which), or null for "the default".</summary>
    private DateTimeOffset? ReadStart(TapFormValues values, string? timeZone, out string? problem)
    {
        problem = null;
        var hasDate = !string.IsNullOrWhiteSpace(values.StartDate);
        var hasTime = !string.IsNullOrWhiteSpace(values.StartTime);
        if (!hasDate && !hasTime) return null;
        var zone = FindZone(timeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var date = today;
        if (hasDate && !DateOnly.TryParseExact(values.StartDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            problem = "The start date is not a date.";
            return null;
        }
        var clock = new TimeOnly(8, 0);
        if (hasTime && !TimeOnly.TryParseExact(values.StartTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out clock))
        {
            problem = "The start time is not a time.";
            return null;
        }
        var local = date.ToDateTime(clock);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static TimeZoneInfo FindZone(string? id)
    {
        if (string.IsNullOrEmpty(id)) return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    private int LifetimeLeft(TapRequest tap)
    {
        var now = time.GetUtcNow();
        if (tap.StartsAt > now) return tap.LifetimeMinutes;
        return Math.Max(10, (int)Math.Floor((tap.EndsAt - now).TotalMinutes));
    }

    private IReadOnlyList<DirectoryUser> Eligible(IReadOnlyList<DirectoryUser> reports) =>
        [.. reports.Where(r => r.AccountEnabled && r.Kind == UserKind.Member).OrderBy(r => r.DisplayName, StringComparer.OrdinalIgnoreCase)];

    private string AudienceOf(TurnContext turn) => turn.IsPersonalChat ? Audiences.Approver : Audiences.Channel;

    private AuditEntry Audit(string action, Caller caller, string target, string outcome, string? details) =>
        new(time.GetUtcNow(), action, caller.AadObjectId, caller.Name, target, outcome, details);

    private static bool SameUser(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string NewDraftId() => Guid.NewGuid().ToString("N");

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    internal static bool LooksLikeUserId(string value) => value.Length <= 256 && (Guid.TryParse(value, out _) || UserPrincipalName().IsMatch(value));

    [GeneratedRegex(@"^[A-Za-z0-9._%+'#!$&*=^`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]
    private static partial Regex UserPrincipalName();
}

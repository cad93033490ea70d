using System.Text.RegularExpressions;
using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Protocol.Routing;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>
/// The request form as it should be drawn: whom it offers, the tenant's policy, what was typed, the draft.
/// <paramref name="OfferFileAnyway"/>: the check says the pass cannot work, and the requester may confirm it anyway.
/// </summary>
public sealed record TapForm(IReadOnlyList<DirectoryUser> Reports, TapPolicy Policy, TapFormValues Values, string DraftId,
    IReadOnlyList<string> Problems, bool OfferFileAnyway = false);

/// <summary>The values of the request form, kept when the form comes back with problems.</summary>
public sealed record TapFormValues(string? ChosenReport, string? OtherUpn, string? StartDate, string? StartTime, int Lifetime, bool UsableOnce,
    string? Reason);

/// <summary>What a submitted form came to.</summary>
public abstract record SubmitResult
{
    public sealed record Filed(ApprovalRecord Record, string? Notice) : SubmitResult;

    public sealed record Problems(TapForm Form) : SubmitResult;

    public sealed record BeingFiled : SubmitResult;
}

/// <summary>The pass, shown to its requester once.</summary>
public sealed record PassShown(ApprovalRecord Record, string Pass) : ClickAnswer;

/// <summary>The requests an approver may decide now.</summary>
public sealed record PendingRequests(IReadOnlyList<ApprovalRecord> Decidable, bool IsApprover);

/// <summary>
/// The TAP use cases besides the approval itself: the request form, filing, revealing the pass to the requester alone,
/// revoking it, the lists. Every action checks who is acting against fresh directory data and the stored record; card
/// data only says which record and version a click was about.
/// </summary>
public sealed partial class TapRequests(
    ApprovalWorkflow workflow,
    ApprovalEngine engine,
    TapRequestKind kind,
    IPeopleDirectory people,
    ITemporaryAccessPasses passes,
    ITapPolicySource policies,
    IWhatIfEvaluator whatIf,
    IAuditLog audit,
    PassVault vault,
    BackgroundWork work,
    IOptions<TapOptions> tapOptions,
    IOptions<BreakGlassOptions> breakGlass,
    TimeProvider time)
{
    private TapOptions Options => tapOptions.Value;

    // ---------------------------------------------------------------- request

    public async Task<TapForm> FormAsync(string requesterId, string? prefill, CancellationToken ct)
    {
        var facts = await people.GetTapFormFactsAsync(requesterId, ct);
        var reports = Eligible(facts.DirectReports);
        var chosen = prefill is not null ? reports.FirstOrDefault(r => string.Equals(r.UserPrincipalName, prefill, StringComparison.OrdinalIgnoreCase)) : null;
        var values = new TapFormValues(chosen?.Id, chosen is null ? prefill : null, null, null,
            facts.Policy.DefaultLifetimeInMinutes, UsableOnce: true, null);
        return new TapForm(reports, facts.Policy, values, NewDraftId(), []);
    }

    /// <summary>
    /// Why a person named in the command (<c>tap alex@contoso.com</c>) can't get a pass from this requester, before any
    /// form is shown: not found, not their report, a guest, disabled, break-glass, outside the TAP policy... Empty when
    /// they can (the form then asks for the rest).
    /// </summary>
    public async Task<IReadOnlyList<string>> WhyNotAsync(string requesterId, string person, CancellationToken ct)
    {
        if (!LooksLikeUserId(person)) return [$"'{Shorten(person)}' is not a sign-in name (like alex@contoso.com)."];
        var facts = await people.GetTapCandidateAsync(new TapCandidateQuery(requesterId, person, Options.RequestersGroupId,
            new[] { Options.ApproversGroupId, Options.PrivilegedApproversGroupId }.OfType<string>().Where(g => g.Length > 0).Distinct().ToList()), ct);
        // What the form would ask (lifetime, reason) is not judged yet: the draft takes the policy's defaults.
        var draft = new TapRequestDraft(person, null, null, UsableOnce: true, Reason: "-");
        return TapEligibility.Check(draft, facts, requesterId, Options, breakGlass.Value, time.GetUtcNow()).Problems;
    }

    /// <summary>
    /// Files the request a form describes. However many times one form is submitted, one request is filed: the other
    /// submits answer with it, or with the reasons it was refused.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(Person requester, TapFormData data, string? timeZone, CardLocation? formCard, CancellationToken ct)
    {
        var values = Values(data);
        var draftId = data.DraftId is { Length: > 0 and <= 64 } d ? d : NewDraftId();

        var problems = new List<string>();
        var target = (values.OtherUpn is { Length: > 0 } other ? other : values.ChosenReport)?.Trim();
        if (string.IsNullOrEmpty(target)) problems.Add("Choose the new hire, or type their sign-in name.");
        else if (!LooksLikeUserId(target)) problems.Add($"'{Shorten(target)}' is not a sign-in name (like alex@contoso.com).");
        var startsAt = ReadStart(values, timeZone, out var startProblem);
        if (startProblem is not null) problems.Add(startProblem);
        int? lifetime = null;
        if (!string.IsNullOrWhiteSpace(data.Lifetime))
        {
            if (int.TryParse(data.Lifetime, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= 100_000) lifetime = l;
            else problems.Add("The lifetime must be a whole number of minutes.");
        }
        if (problems.Count > 0) return await ProblemsAsync(requester.Id, values, draftId, problems, null, ct);

        TapPolicy? policy = null;
        var cannotWork = false;
        var filing = await workflow.FileAsync(kind, $"tap.form:{requester.Id.ToLowerInvariant()}:{draftId}", requester, async token =>
        {
            if (await CountRecentRequestsAsync(requester.Id, token) >= Options.MaxRequestsPerHour)
                return new Draft.Refused([$"You've filed {Options.MaxRequestsPerHour} requests in the last hour, the most allowed. Try again later."]);
            var facts = await people.GetTapCandidateAsync(new TapCandidateQuery(requester.Id, target!, Options.RequestersGroupId,
                new[] { Options.ApproversGroupId, Options.PrivilegedApproversGroupId }.OfType<string>().Where(g => g.Length > 0).Distinct().ToList(),
                WithRegistrationContext: true), token);
            policy = facts.Policy;
            var verdict = TapEligibility.Check(new TapRequestDraft(target, startsAt, lifetime, values.UsableOnce, values.Reason), facts,
                requester.Id, Options, breakGlass.Value, time.GetUtcNow());
            if (!verdict.Allowed)
            {
                await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "tap.refused", requester.Id, requester.Name, target!, "refused",
                    string.Join(" ", verdict.Problems)), token);
                return new Draft.Refused(verdict.Problems);
            }
            var request = verdict.Request!;
            // Will the hire be able to use it? Said to the approvers; a pass that cannot work is refused unless confirmed.
            var outlook = await OutlookAsync(request, facts.Registration, token);
            if (outlook.Verdict == TapOutlookVerdict.Cannot)
            {
                if (!data.ConfirmedAnyway)
                {
                    cannotWork = true;
                    List<string> reasons = [$"A pass for {request.TargetName} can't be used to register security information:", .. outlook.Findings,
                        "If the approvers should decide anyway, turn on **File it anyway** and submit again."];
                    await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "tap.refused", requester.Id, requester.Name, request.TargetUpn, "refused",
                        string.Join(" ", reasons)), token);
                    return new Draft.Refused(reasons);
                }
                outlook = outlook with { FiledAnyway = true };
            }
            request = request with { Outlook = outlook };
            return new Draft.Ready(request.ToJson(),
                $"starts {request.StartsAt:O}; {request.LifetimeMinutes} min; {(request.UsableOnce ? "one-time" : "multi-use")}; reason: {request.Reason}; "
                + $"will it work: {outlook.Verdict.ToString().ToLowerInvariant()}{(outlook.FiledAnyway ? " (filed anyway)" : "")}",
                verdict.Approvers,
                // One open request per person, whoever asks.
                $"tap.person:{request.TargetId.ToLowerInvariant()}",
                open => open is null
                    ? $"{request.TargetName} already has a request being filed by someone else."
                    : $"{request.TargetName} already has a pending request ({open.Reference}, by {open.Requester.Name}).");
        }, formCard, ct);

        return filing switch
        {
            Filing.Filed { New: true } filed => new SubmitResult.Filed(filed.Record, "Request filed. I've asked the approvers."),
            Filing.Filed filed => new SubmitResult.Filed(filed.Record, null),
            Filing.Refused refused => await ProblemsAsync(requester.Id, values, draftId, refused.Problems, policy, ct, cannotWork),
            _ => new SubmitResult.BeingFiled(),
        };
    }

    /// <summary>
    /// The form again, filled in from one of the clicker's earlier requests (one whose pass expired unused): the same
    /// person, lifetime and use. Null when the request is not the clicker's (or no longer exists).
    /// </summary>
    public async Task<TapForm?> RenewFormAsync(ApprovalAction action, Click click, CancellationToken ct)
    {
        var record = await workflow.GetAsync(kind, action.Id, ct);
        if (record is null || !SameUser(click.By.Id, record.Requester.Id)) return null;
        var tap = record.Tap();
        var form = await FormAsync(click.By.Id, tap.TargetUpn, ct);
        var reason = $"A new pass: the one from {record.Reference} expired before {tap.TargetName} registered a sign-in method.";
        return form with
        {
            Values = form.Values with
            {
                Lifetime = Math.Clamp(tap.LifetimeMinutes, form.Policy.MinimumLifetimeInMinutes, Math.Max(form.Policy.MinimumLifetimeInMinutes, form.Policy.MaximumLifetimeInMinutes)),
                UsableOnce = tap.UsableOnce || form.Policy.IsUsableOnce,
                Reason = reason.Length <= TapEligibility.MaxReasonLength ? reason : null,
            },
        };
    }

    private async Task<SubmitResult> ProblemsAsync(string requesterId, TapFormValues values, string draftId, IReadOnlyList<string> problems,
        TapPolicy? policy, CancellationToken ct, bool offerFileAnyway = false)
    {
        var facts = await people.GetTapFormFactsAsync(requesterId, ct);
        return new SubmitResult.Problems(new TapForm(Eligible(facts.DirectReports), policy ?? facts.Policy, values, draftId, problems, offerFileAnyway));
    }

    /// <summary>
    /// The What-If of registering security information for the hire, from an untrusted and a trusted network, in one
    /// Graph $batch, judged with the methods they have. A What-If that fails is said, not a reason to refuse.
    /// </summary>
    private async Task<TapOutlook> OutlookAsync(TapRequest request, RegistrationContext? context, CancellationToken ct)
    {
        var places = TapReadiness.Places(request.TargetId, context);
        try
        {
            var results = await whatIf.EvaluateAllAsync([.. places.Select(p => p.Query)], ct);
            return TapReadiness.Judge(request, context, places, results);
        }
        catch (DirectoryException ex)
        {
            return TapReadiness.Judge(request, context, places, null, ex.Message);
        }
    }

    // ---------------------------------------------------------------- reveal, hide, revoke

    /// <summary>Shows the pass to its requester, once, in their 1:1 chat; replaces it when this instance no longer holds it.</summary>
    public async Task<ClickAnswer> RevealAsync(ApprovalAction action, Click click, CancellationToken ct)
    {
        var record = await workflow.GetAsync(kind, action.Id, ct);
        if (record is null) return new ClickAnswer.OutOfDate();
        if (!SameUser(click.By.Id, record.Requester.Id))
            return await workflow.DenyAsync(kind, record, click.By, "Only the person who asked for this pass can see it.", ct);
        if (!click.InPersonalChat) return new ClickAnswer.Say("Passes are shown only in your 1:1 chat with me.");
        var tap = record.Tap();
        if (record.State != ApprovalState.Completed || !tap.Issued || time.GetUtcNow() >= tap.EndsAt)
            return new ClickAnswer.Show(record, Audiences.Requester);
        // Claim the reveal first, so that a double click can't replace the pass the first click is showing.
        var now = time.GetUtcNow();
        var claimed = await engine.AmendAsync(record.Id, r => r.Tap().RevealedAt is not null || !r.Tap().Issued ? null : r.WithTap(r.Tap() with { RevealedAt = now }), ct);
        if (claimed is not null && !claimed.Tap().Issued) return new ClickAnswer.Show(claimed, Audiences.Requester);
        if (claimed?.Tap().RevealedAt != now)
            return new ClickAnswer.Show(claimed ?? record, Audiences.Requester,
                "The pass was already shown once and can't be shown again. If it was lost, revoke it and ask for a new one.");

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
                    // Registered meanwhile: the pass is not needed, and until it is deleted the custody watch treats it
                    // as not deleted, so a failed delete below is tried again there, never left valid.
                    PassDeletedAt = r.Tap().Registered ? null : r.Tap().PassDeletedAt,
                }), ct) ?? claimed;
                if (revealed.Tap().Registered)
                {
                    // The custody watch saw the hire register a method while this pass was being made: it is not needed.
                    await passes.DeleteAsync(tap.TargetId, fresh.MethodId, ct);
                    revealed = await engine.AmendAsync(record.Id, r => r.Tap() is { PassDeletedAt: null } t && t.MethodId == fresh.MethodId
                        ? r.WithTap(t with { PassDeletedAt = time.GetUtcNow() }) : null, ct) ?? revealed;
                    return new ClickAnswer.Show(revealed, Audiences.Requester);
                }
                await Audit("tap.reissued", click.By, tap.TargetUpn, "issued",
                    $"{record.Reference}; the first pass was never shown, so it was replaced; method {fresh.MethodId}", ct);
            }
            catch
            {
                // Nothing was shown: let the requester try again.
                await engine.AmendAsync(record.Id, r => r.WithTap(r.Tap() with { RevealedAt = null }), CancellationToken.None);
                throw;
            }
        }
        await Audit("tap.revealed", click.By, tap.TargetUpn, "shown", record.Reference, ct);
        if (click.Card is { } card) revealed = await workflow.RememberCardAsync(revealed, Audiences.Requester, click.By.Id, card, ct) ?? revealed;
        work.Schedule("tap.hide", Options.RevealWindow, time, token => workflow.RefreshAsync(record.Id, token));
        return new PassShown(revealed, pass);
    }

    public async Task<ClickAnswer> HideAsync(ApprovalAction action, Click click, CancellationToken ct)
    {
        var record = await workflow.GetAsync(kind, action.Id, ct);
        if (record is null) return new ClickAnswer.OutOfDate();
        return SameUser(click.By.Id, record.Requester.Id)
            ? new ClickAnswer.Show(record, Audiences.Requester)
            : new ClickAnswer.Say("This card is not yours.");
    }

    /// <summary>Deletes the pass: by its requester, or by an approver.</summary>
    public async Task<ClickAnswer> RevokeAsync(ApprovalAction action, Click click, CancellationToken ct)
    {
        var record = await workflow.GetAsync(kind, action.Id, ct);
        if (record is null) return new ClickAnswer.OutOfDate();
        var tap = record.Tap();
        var isRequester = SameUser(click.By.Id, record.Requester.Id);
        if (!isRequester && !(await people.CheckMemberGroupsAsync(click.By.Id, [tap.ApproverGroupId], ct)).Contains(tap.ApproverGroupId))
            return await workflow.DenyAsync(kind, record, click.By, "Only the requester or an approver can revoke this pass.", ct);
        var audience = isRequester ? Audiences.Requester : click.DeciderAudience;
        if (record.State != ApprovalState.Completed || !tap.Issued) return new ClickAnswer.Show(record, audience);

        // The revocation is claimed on the record first: of two clicks (a double click, requester and approver at
        // once) one revokes, audits and tells; the other shows the record as it is.
        var now = time.GetUtcNow();
        var revoked = await engine.AmendAsync(record.Id, r => !r.Tap().Issued ? null
            : r.WithTap(r.Tap() with { RevokedAt = now, RevokedBy = click.By }), ct) ?? record;
        if (revoked.Tap().RevokedAt != now || !SameUser(revoked.Tap().RevokedBy?.Id ?? "", click.By.Id))
            return new ClickAnswer.Show(revoked, audience);
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
        await Audit("tap.revoked", click.By, tap.TargetUpn, "revoked", record.Reference, ct);
        if (click.Card is { } card) revoked = await workflow.RememberCardAsync(revoked, audience, click.By.Id, card, ct) ?? revoked;
        work.Enqueue("tap.after-revoke", token => workflow.RefreshAsync(record.Id, token));
        if (!isRequester)
            work.Enqueue("tap.notify-revoke", token => workflow.Cards.NotifyUserAsync(record.Requester.Id,
                $"{click.By.Name} revoked the pass for {tap.TargetName} ({record.Reference}).", token));
        return new ClickAnswer.Show(revoked, audience);
    }

    // ---------------------------------------------------------------- lists

    public Task<IReadOnlyList<ApprovalRecord>> MineAsync(string requesterId, CancellationToken ct) =>
        engine.ByRequesterAsync(TapRequest.Kind, requesterId, 10, ct);

    /// <summary>Pending requests this approver may decide.</summary>
    public async Task<PendingRequests> PendingAsync(string approverId, CancellationToken ct)
    {
        var pending = (await engine.OpenAsync(TapRequest.Kind, ct))
            .Where(r => r.State == ApprovalState.Pending && r.ExpiresAt > time.GetUtcNow()).Reverse().ToList();
        var groups = pending.Select(r => r.Tap().ApproverGroupId).Distinct().ToList();
        var memberOf = groups.Count == 0 ? new HashSet<string>() : await people.CheckMemberGroupsAsync(approverId, groups, ct);
        var decidable = pending.Where(r => memberOf.Contains(r.Tap().ApproverGroupId) && !SameUser(r.Requester.Id, approverId)
            && !SameUser(r.Tap().TargetId, approverId)).Take(10).ToList();
        return new PendingRequests(decidable, IsApprover: groups.Count == 0 || memberOf.Count > 0);
    }

    public Task<string?> PostApprovalCardToAsync(ApprovalRecord record, string approverId, CancellationToken ct) =>
        workflow.PostCardToAsync(record, Audiences.Approver, approverId, ct);

    // ---------------------------------------------------------------- jobs

    /// <summary>Updates the cards of passes that have ended (and forgets their passes). Returns how many.</summary>
    public async Task<int> ShowEndedPassesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = 0;
        foreach (var record in await engine.OpenAsync(TapRequest.Kind, ct))
        {
            if (record.State != ApprovalState.Completed) continue;
            if (record.Tap() is not { ExpiryShown: false, Issued: true } tap || now < tap.EndsAt) continue;
            vault.Forget(record.Id);
            var shown = await engine.AmendAsync(record.Id, r => r.Tap().ExpiryShown ? null : r.WithTap(r.Tap() with { ExpiryShown = true }), ct);
            if (shown is null) continue;
            changed++;
            await workflow.RefreshAsync(shown, ct);
        }
        return changed;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Requests filed in the last hour: an onboarding batch counts once, its parts not at all.</summary>
    internal async Task<int> CountRecentRequestsAsync(string requesterId, CancellationToken ct)
    {
        var since = time.GetUtcNow().AddHours(-1);
        // Newest first: the limit plus one (and a batch's parts) is enough to tell whether the limit is reached.
        var singles = (await engine.ByRequesterAsync(TapRequest.Kind, requesterId, Options.MaxRequestsPerHour + 1 + TapBatch.MaxHires, ct))
            .Count(r => r.CreatedAt >= since && r.Tap().BatchId is null);
        var batches = (await engine.ByRequesterAsync(TapBatch.Kind, requesterId, Options.MaxRequestsPerHour + 1, ct)).Count(r => r.CreatedAt >= since);
        return singles + batches;
    }

    private static TapFormValues Values(TapFormData data) => new(
        data.Report,
        data.OtherUpn,
        data.StartDate,
        data.StartTime,
        int.TryParse(data.Lifetime, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 0, 100_000) : 60,
        !string.Equals(data.UsableOnce, "false", StringComparison.OrdinalIgnoreCase),
        data.Reason);

    /// <summary>The chosen start in the user's time zone (Teams says which), or null for "the default".</summary>
    private DateTimeOffset? ReadStart(TapFormValues values, string? timeZone, out string? problem) =>
        ReadStart(values.StartDate, values.StartTime, timeZone, out problem);

    /// <summary>A start date and time typed in the user's time zone, or null for "the default".</summary>
    internal DateTimeOffset? ReadStart(string? startDate, string? startTime, string? timeZone, out string? problem)
    {
        problem = null;
        var values = (StartDate: startDate, StartTime: startTime);
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

    /// <summary>The reports a pass can be asked for (enabled members), by name.</summary>
    internal static List<DirectoryUser> Eligible(IReadOnlyList<DirectoryUser> reports) =>
        [.. reports.Where(r => r.AccountEnabled && r.Kind == UserKind.Member).OrderBy(r => r.DisplayName, StringComparer.OrdinalIgnoreCase)];

    private Task Audit(string action, Person actor, string target, string outcome, string? details, CancellationToken ct) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), action, actor.Id, actor.Name, target, outcome, details), ct);

    private static bool SameUser(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    internal static string NewDraftId() => Guid.NewGuid().ToString("N");

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    internal static bool LooksLikeUserId(string value) => value.Length <= 256 && (Guid.TryParse(value, out _) || UserPrincipalName().IsMatch(value));

    [GeneratedRegex(@"^[A-Za-z0-9._%+'#!$&*=^`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]
    private static partial Regex UserPrincipalName();
}

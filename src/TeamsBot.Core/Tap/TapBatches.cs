using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Protocol.Routing;
using TeamsBot.Storage;

namespace TeamsBot.Tap;

/// <summary>The "pick several reports" card as it should be drawn.</summary>
public sealed record TapBatchPick(IReadOnlyList<DirectoryUser> Reports, string DraftId, string? Problem = null);

/// <summary>A row of the batch form: whom it stands for (object id or sign-in name), how to name them, their hire date, the start typed.</summary>
public sealed record TapBatchRow(string Target, string Label, DateTimeOffset? HireDate, string? StartDate = null);

/// <summary>What the rows of the batch form share.</summary>
public sealed record TapBatchValues(int Lifetime, bool UsableOnce, string? Reason, bool FileAnyway);

/// <summary>The batch form as it should be drawn, with the problems of a previous attempt.</summary>
public sealed record TapBatchForm(IReadOnlyList<TapBatchRow> Rows, TapPolicy Policy, TapBatchValues Values, string DraftId, IReadOnlyList<string> Problems);

/// <summary>What picking reports came to: the batch form, or the pick card again.</summary>
public abstract record PickedResult
{
    public sealed record Form(TapBatchForm Batch) : PickedResult;

    public sealed record PickAgain(TapBatchPick Pick) : PickedResult;
}

/// <summary>What a submitted batch form came to.</summary>
public abstract record BatchSubmitResult
{
    public sealed record Filed(ApprovalRecord Record, string? Notice) : BatchSubmitResult;

    public sealed record Problems(TapBatchForm Form) : BatchSubmitResult;

    public sealed record BeingFiled : BatchSubmitResult;
}

/// <summary>
/// Onboarding batches: passes for several new hires asked for at once. Every person gets the checks a single request
/// gets (read for all of them together, in Graph $batch calls of 20), and the "will it work?" What-If (also batched);
/// the batch is filed with the people who pass and names the others with the reasons, and the approvers decide it once.
/// </summary>
public sealed class TapBatches(
    ApprovalWorkflow workflow,
    ApprovalEngine engine,
    TapBatchKind kind,
    TapRequests requests,
    IPeopleDirectory people,
    IWhatIfEvaluator whatIf,
    IAuditLog audit,
    IOptions<TapOptions> tapOptions,
    IOptions<BreakGlassOptions> breakGlass,
    TimeProvider time)
{
    private TapOptions Options => tapOptions.Value;

    /// <summary>The requester's reports to pick several of.</summary>
    public async Task<TapBatchPick> PickAsync(string requesterId, CancellationToken ct)
    {
        var facts = await people.GetTapFormFactsAsync(requesterId, ct);
        return new TapBatchPick(TapRequests.Eligible(facts.DirectReports), TapRequests.NewDraftId());
    }

    /// <summary>The batch form for the reports picked on the pick card, or the pick card again when fewer than two were picked.</summary>
    public async Task<PickedResult> PickedAsync(string requesterId, TapBatchPickData data, CancellationToken ct)
    {
        var picked = Split(data.Reports);
        if (picked.Count >= 2) return new PickedResult.Form(await FormAsync(requesterId, picked, ct));
        var pick = await PickAsync(requesterId, ct);
        return new PickedResult.PickAgain(pick with { Problem = "Pick at least two people (for one, type **tap**)." });
    }

    /// <summary>The batch form for these people (object ids or sign-in names), in the order given; <paramref name="notNames"/>: words typed that name nobody.</summary>
    public async Task<TapBatchForm> FormAsync(string requesterId, IReadOnlyList<string> targets, CancellationToken ct, IReadOnlyList<string>? notNames = null)
    {
        var facts = await people.GetTapFormFactsAsync(requesterId, ct);
        var problems = new List<string>();
        foreach (var word in notNames ?? [])
            problems.Add($"'{(word.Length > 60 ? word[..60] + "…" : word)}' is not a sign-in name (like alex@contoso.com), so it is not in the list.");
        if (targets.Count > TapBatch.MaxHires) problems.Add($"A batch holds at most {TapBatch.MaxHires} people: the first {TapBatch.MaxHires} are here.");
        return new TapBatchForm(Rows(facts.DirectReports, [.. targets.Take(TapBatch.MaxHires)], null), facts.Policy,
            new TapBatchValues(facts.Policy.DefaultLifetimeInMinutes, UsableOnce: true, null, FileAnyway: false), TapRequests.NewDraftId(), problems);
    }

    /// <summary>
    /// Files the batch a form describes; however often one form is submitted, one batch is filed. People who fail a
    /// check are left out of it with the reasons; with nobody left, nothing is filed.
    /// </summary>
    public async Task<BatchSubmitResult> SubmitAsync(Person requester, TapBatchFormData data, string? timeZone, CardLocation? formCard, CancellationToken ct)
    {
        var draftId = data.DraftId is { Length: > 0 and <= 64 } d ? d : TapRequests.NewDraftId();
        var targets = (data.Hires ?? []).Select(h => h.Trim()).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var values = new TapBatchValues(
            int.TryParse(data.Lifetime, NumberStyles.Integer, CultureInfo.InvariantCulture, out var typed) ? Math.Clamp(typed, 0, 100_000) : 60,
            !string.Equals(data.UsableOnce, "false", StringComparison.OrdinalIgnoreCase), data.Reason, data.ConfirmedAnyway);

        var problems = new List<string>();
        if (targets.Count == 0) problems.Add("Name at least one new hire.");
        if (targets.Count > TapBatch.MaxHires) problems.Add($"A batch holds at most {TapBatch.MaxHires} people.");
        foreach (var target in targets.Where(t => !TapRequests.LooksLikeUserId(t)))
            problems.Add($"'{(target.Length > 60 ? target[..60] + "…" : target)}' is not a sign-in name (like alex@contoso.com).");
        var starts = new DateTimeOffset?[targets.Count];
        for (var i = 0; i < targets.Count; i++)
        {
            // A date is the morning (08:00) of that day where the requester is; none is the hire date's morning, else now.
            starts[i] = requests.ReadStart(data.StartDateFor(i), null, timeZone, out var startProblem);
            if (startProblem is not null) problems.Add($"{targets[i]}: {startProblem}");
        }
        int? lifetime = null;
        if (!string.IsNullOrWhiteSpace(data.Lifetime))
        {
            if (int.TryParse(data.Lifetime, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= 100_000) lifetime = l;
            else problems.Add("The lifetime must be a whole number of minutes.");
        }
        if (problems.Count > 0) return await ProblemsAsync(requester.Id, targets, data, values, draftId, problems, ct);

        var filing = await workflow.FileAsync(kind, $"tap.batch.form:{requester.Id.ToLowerInvariant()}:{draftId}", requester,
            token => CheckAsync(requester, targets, starts, lifetime, values, token), formCard, ct);
        return filing switch
        {
            Filing.Filed { New: true } filed => new BatchSubmitResult.Filed(filed.Record,
                $"Filed for {filed.Record.Batch().FineHires.Count} of {filed.Record.Batch().Hires.Count} people. I've asked the approvers."),
            Filing.Filed filed => new BatchSubmitResult.Filed(filed.Record, null),
            Filing.Refused refused => await ProblemsAsync(requester.Id, targets, data, values, draftId, refused.Problems, ct),
            _ => new BatchSubmitResult.BeingFiled(),
        };
    }

    /// <summary>Every person's checks, read together; the batch as it may be filed, or why nothing can be.</summary>
    private async Task<Draft> CheckAsync(Person requester, IReadOnlyList<string> targets, IReadOnlyList<DateTimeOffset?> starts, int? lifetime,
        TapBatchValues values, CancellationToken ct)
    {
        if (await requests.CountRecentRequestsAsync(requester.Id, ct) >= Options.MaxRequestsPerHour)
            return new Draft.Refused([$"You've filed {Options.MaxRequestsPerHour} requests in the last hour, the most allowed. Try again later."]);
        var facts = await people.GetTapCandidatesAsync(new TapCandidatesQuery(requester.Id, targets, Options.RequestersGroupId,
            new[] { Options.ApproversGroupId, Options.PrivilegedApproversGroupId }.OfType<string>().Where(g => g.Length > 0).Distinct().ToList(),
            WithRegistrationContext: true), ct);
        var now = time.GetUtcNow();

        var hires = new List<TapBatchHire>();
        var approvers = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < targets.Count; i++)
        {
            var candidate = facts[i];
            var name = candidate.Target?.DisplayName ?? targets[i];
            var verdict = TapEligibility.Check(new TapRequestDraft(targets[i], starts[i], lifetime, values.UsableOnce, values.Reason), candidate,
                requester.Id, Options, breakGlass.Value, now);
            if (candidate.Target is { } user && !seen.Add(user.Id))
                hires.Add(new TapBatchHire(targets[i], name, null, [$"{name} is in the list twice."]));
            else if (!verdict.Allowed)
                hires.Add(new TapBatchHire(targets[i], name, null, verdict.Problems));
            else if (verdict.Request!.Privileged)
                hires.Add(new TapBatchHire(targets[i], name, null,
                    [$"{name} holds a directory role ({string.Join(", ", verdict.Request.TargetRoles ?? [])}): ask for their pass on its own, so that a privileged approver decides."]));
            else
            {
                hires.Add(new TapBatchHire(targets[i], name, verdict.Request, []));
                approvers.AddRange(verdict.Approvers);
            }
        }

        // Will it work? One What-If per person and place, in $batch calls of 20.
        var fine = hires.Select((h, i) => (Hire: h, Index: i)).Where(x => x.Hire.Fine).ToList();
        var registration = facts.Count > 0 ? facts[0].Registration : null;
        var places = fine.Select(x => TapReadiness.Places(x.Hire.Request!.TargetId, registration)).ToList();
        IReadOnlyList<IReadOnlyList<WhatIfResult>>? results = null;
        string? whatIfProblem = null;
        try
        {
            results = await whatIf.EvaluateAllAsync([.. places.SelectMany(p => p.Select(place => place.Query))], ct);
        }
        catch (DirectoryException ex)
        {
            whatIfProblem = ex.Message;
        }
        var offset = 0;
        for (var f = 0; f < fine.Count; f++)
        {
            var (hire, index) = fine[f];
            var mine = results is null ? null : results.Skip(offset).Take(places[f].Count).ToList();
            offset += places[f].Count;
            var outlook = TapReadiness.Judge(hire.Request!, registration, places[f], mine, whatIfProblem);
            if (outlook.Verdict == TapOutlookVerdict.Cannot && !values.FileAnyway)
                hires[index] = hire with
                {
                    Request = null,
                    Problems = [$"A pass for {hire.Name} can't be used to register security information.", .. outlook.Findings,
                        "Turn on **Include people whose pass can't work** to let the approvers decide anyway."],
                };
            else
                hires[index] = hire with { Request = hire.Request! with { Outlook = outlook with { FiledAnyway = outlook.Verdict == TapOutlookVerdict.Cannot } } };
        }

        var chosen = hires.Where(h => h.Fine).ToList();
        if (chosen.Count == 0)
        {
            var why = hires.Select(h => $"{h.Name}: {string.Join(" ", h.Problems)}").ToList();
            await audit.AppendAsync(new AuditEntry(now, "tap.batch.refused", requester.Id, requester.Name, $"{targets.Count} people", "refused",
                string.Join(" ", why)), ct);
            return new Draft.Refused(["Nobody in the list can get a pass:", .. why]);
        }
        var hireIds = chosen.Select(h => h.Request!.TargetId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var asked = approvers.Distinct(StringComparer.OrdinalIgnoreCase).Where(a => !hireIds.Contains(a)).ToList();
        if (asked.Count == 0) return new Draft.Refused(["Nobody else is in the approvers group, so nobody could approve this batch."]);

        var first = chosen[0].Request!;
        var batch = new TapBatch(hires, first.LifetimeMinutes, first.UsableOnce, first.Reason, first.ApproverGroupId);
        return new Draft.Ready(batch.ToJson(),
            $"{chosen.Count} of {hires.Count} people: {string.Join(", ", chosen.Select(h => h.Request!.TargetUpn))}; {first.LifetimeMinutes} min; "
            + $"{(first.UsableOnce ? "one-time" : "multi-use")}; reason: {first.Reason}"
            + (chosen.Count < hires.Count ? $"; left out: {string.Join("; ", hires.Where(h => !h.Fine).Select(h => $"{h.Name}: {string.Join(" ", h.Problems)}"))}" : ""),
            asked,
            MoreExclusive: [.. chosen.Select(h => new ExclusiveClaim($"tap.person:{h.Request!.TargetId.ToLowerInvariant()}", open => open is null
                ? $"{h.Name} already has a request being filed by someone else."
                : $"{h.Name} already has a pending request ({open.Reference}, by {open.Requester.Name}). Ask again without them (type **onboard**), or once that request is decided."))]);
    }

    /// <summary>Onboarding batches waiting for this approver's decision.</summary>
    public async Task<IReadOnlyList<ApprovalRecord>> PendingAsync(string approverId, CancellationToken ct)
    {
        var pending = (await engine.OpenAsync(TapBatch.Kind, ct))
            .Where(r => r.State == ApprovalState.Pending && r.ExpiresAt > time.GetUtcNow()).Reverse().ToList();
        var decidable = new List<ApprovalRecord>();
        foreach (var record in pending)
            if (await kind.RefuseDecisionAsync(new Person(approverId, ""), record, ct) is null) decidable.Add(record);
        return decidable;
    }

    public Task<string?> PostApprovalCardToAsync(ApprovalRecord record, string approverId, CancellationToken ct) =>
        workflow.PostCardToAsync(record, Audiences.Approver, approverId, ct);

    private async Task<BatchSubmitResult> ProblemsAsync(string requesterId, IReadOnlyList<string> targets, TapBatchFormData data, TapBatchValues values,
        string draftId, IReadOnlyList<string> problems, CancellationToken ct)
    {
        var facts = await people.GetTapFormFactsAsync(requesterId, ct);
        return new BatchSubmitResult.Problems(new TapBatchForm(Rows(facts.DirectReports, [.. targets.Take(TapBatch.MaxHires)], data), facts.Policy, values,
            draftId, problems));
    }

    /// <summary>A row per person: named from the requester's reports where they are one, else as typed.</summary>
    private static List<TapBatchRow> Rows(IReadOnlyList<DirectoryUser> reports, IReadOnlyList<string> targets, TapBatchFormData? typed) =>
        [.. targets.Select((t, i) => reports.FirstOrDefault(r => string.Equals(r.Id, t, StringComparison.OrdinalIgnoreCase)
                || string.Equals(r.UserPrincipalName, t, StringComparison.OrdinalIgnoreCase)) is { } report
            ? new TapBatchRow(t, $"{report.DisplayName} ({report.UserPrincipalName})", report.EmployeeHireDate, typed?.StartDateFor(i))
            : new TapBatchRow(t, t, null, typed?.StartDateFor(i)))];

    /// <summary>"a@x, b@y c@z" or "id1,id2" as a list, without blanks or repeats.</summary>
    public static List<string> Split(string? text) =>
        [.. (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Trim('.', '!', '?', '<', '>'))
            .Where(t => t.Length > 0 && !string.Equals(t, "and", StringComparison.OrdinalIgnoreCase) && !string.Equals(t, "for", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
}

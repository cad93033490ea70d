using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Policies;

/// <summary>
/// The policy admins' use cases: status, deploy and promote plans that a second admin approves, applying them after
/// reading the tenant again, immediate rollback, the audit list and the drift watch. Every command and click checks
/// that the caller is a policy admin, against the directory, at that moment.
/// </summary>
public sealed class PolicyService(
    PolicyInspector inspector,
    PolicyPlanner planner,
    PolicyDeployments deployments,
    PolicyCards policyCards,
    ApprovalEngine engine,
    ApprovalClaims claims,
    ApprovalCards cards,
    IConditionalAccess conditionalAccess,
    IPeopleDirectory people,
    RoleChecks roles,
    IAuditLog audit,
    BackgroundWork work,
    IOptions<PolicyOptions> options,
    TimeProvider time,
    ILogger<PolicyService> logger)
{
    public const string NotAnAdmin = "Only policy admins can manage the registration policies.";

    /// <summary>How long a second request for the same plan waits for the first to file it.</summary>
    private static readonly TimeSpan FilePatience = TimeSpan.FromSeconds(10);

    public Task<bool> IsAdminAsync(Caller caller, CancellationToken ct) => roles.IsPolicyAdminAsync(caller.AadObjectId, ct);

    public async Task<JsonObject> StatusAsync(Caller caller, CancellationToken ct) =>
        policyCards.Status(await inspector.StatusAsync(caller.AadObjectId, ct));

    // ---------------------------------------------------------------- plans

    /// <summary>Plans a deployment; a card for the planner, and (when there is work) cards for the other admins.</summary>
    public async Task<(JsonObject Card, string? PlanId)> PlanDeployAsync(TurnContext turn, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var plan = planner.Deploy(await inspector.SnapshotAsync(ct));
        if (!plan.HasWork)
        {
            await audit.AppendAsync(Audit("policy.deploy", caller, "Policies A, B", "nothing to do", null), ct);
            return (policyCards.Message("Nothing to do", ["Both registration policies are deployed and match their templates."]), null);
        }
        return await FileAsync(turn, plan, ct);
    }

    public async Task<(JsonObject Card, string? PlanId)> PlanPromoteAsync(TurnContext turn, IReadOnlyList<PolicyKey> keys, string? overrideReason, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var verdict = planner.Promote(await inspector.SnapshotAsync(ct), keys, overrideReason);
        if (verdict.Plan is null)
        {
            await audit.AppendAsync(Audit("policy.promote", caller, Keys(keys), "refused", string.Join(" ", verdict.Problems)), ct);
            return (policyCards.Message($"Policy {string.Join(" and ", keys)} can't be promoted yet", verdict.Problems, problem: true), null);
        }
        if (!verdict.Plan.HasWork)
            return (policyCards.Message("Nothing to do", [$"Policy {string.Join(" and ", keys)} is already On."]), null);
        return await FileAsync(turn, verdict.Plan, ct);
    }

    private async Task<(JsonObject Card, string? PlanId)> FileAsync(TurnContext turn, PolicyPlan plan, CancellationToken ct)
    {
        var caller = turn.Caller!;
        // One open plan per change: the same plan asked for again (a second click, a retry, another admin) shows the
        // plan that is already waiting instead of filing another.
        var key = "policy.plan:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plan.Action + "|" + plan.Signature)));
        var claim = await claims.ClaimAsync(key, null, r => !r.IsFinal, options.Value.StuckApplyAfter, FilePatience, ct);
        switch (claim)
        {
            case ClaimOutcome.Held { Record: var open }:
                return string.Equals(open.Requester.Id, caller.AadObjectId, StringComparison.OrdinalIgnoreCase)
                    ? (policyCards.PlanCard(open, Audiences.Requester, "This plan was filed already; it waits for another policy admin."), open.Id)
                    : (policyCards.PlanCard(open, Audiences.Approver, $"{open.Requester.Name} filed this plan already; another policy admin must approve it."), null);
            case ClaimOutcome.Filing or ClaimOutcome.Refused:
                return (policyCards.Message("Plan being filed", ["The same plan is being filed right now. Type **policy status** in a moment to see it."]), null);
        }
        var owned = ((ClaimOutcome.Owned)claim).Claim;
        ApprovalRecord record;
        try
        {
            record = await engine.CreateAsync(owned.RecordId, PolicyPlan.Kind, new Person(caller.AadObjectId, caller.Name), plan.ToJson(),
                options.Value.PlanExpiry, ct);
        }
        catch
        {
            await owned.ReleaseAsync(CancellationToken.None);
            throw;
        }
        owned.Filed();
        await audit.AppendAsync(Audit($"policy.{plan.Action}-planned", caller, Keys(plan.Steps.Where(s => s.Operation != PlanOperations.None).Select(s => s.Key)),
            "pending", $"{record.Reference}; {plan.Signature}{(plan.OverrideReason is null ? "" : "; override: " + plan.OverrideReason)}"), ct);
        work.Enqueue("policy.post-plan", token => PostToAdminsAsync(record.Id, caller.AadObjectId, token));
        return (policyCards.PlanCard(record, Audiences.Requester, "Plan filed. Another policy admin must approve it."), record.Id);
    }

    /// <summary>Keeps the planner's own card (sent by the command) among the cards updated with the plan.</summary>
    public Task RememberPlannerCardAsync(string planId, TurnContext turn, string activityId, CancellationToken ct) =>
        engine.AddCardAsync(planId, new CardPost(Audiences.Requester, turn.Caller?.AadObjectId, turn.Reference.ServiceUrl, turn.Reference.ConversationId, activityId), ct);

    /// <summary>
    /// Posts the plan's card to each other admin (and the admins channel) that does not have it yet, then marks the plan
    /// as sent. Run again by the jobs for a plan whose cards a crash stopped.
    /// </summary>
    private async Task PostToAdminsAsync(string id, string plannerId, CancellationToken ct)
    {
        var record = await engine.BeginAskingAsync(id, options.Value.StuckApplyAfter, ct);
        if (record is null) return;
        var delivered = 0;
        string? unreachable = null;
        if (options.Value.AdminsGroupId is { Length: > 0 } group)
        {
            try
            {
                foreach (var admin in await people.GetGroupUserIdsAsync(group, ct))
                    if (!string.Equals(admin, plannerId, StringComparison.OrdinalIgnoreCase)
                        && await cards.PostToUserOnceAsync(record, Audiences.Approver, admin, ct))
                        delivered++;
            }
            catch (DirectoryException ex)
            {
                // Without the group nobody gets the card, and a plan nobody sees would wait unseen until it expires.
                logger.LogWarning("Plan {PlanId} not sent to the admins: {Kind} {GraphCode}", id, ex.Kind, ex.GraphCode);
                unreachable = ex.Message;
            }
        }
        if (options.Value.AdminsChannelId is { Length: > 0 } channel && await cards.PostToChannelOnceAsync(record, channel, ct)) delivered++;
        var asked = await engine.MarkApproversAskedAsync(id, ct);
        if (delivered == 0 && asked is not null)
            await cards.NotifyUserAsync(plannerId, unreachable is null
                ? $"No other policy admin has installed me in Teams yet, so nobody got plan {record.Reference}. Ask one to open TeamsBot."
                : $"I couldn't look up the other policy admins, so nobody got plan {record.Reference}: {unreachable} Cancel the plan and make it again in a few minutes.", ct);
    }

    // ---------------------------------------------------------------- decisions

    public async Task<AdaptiveCardInvokeResponse> DecideAsync(TurnContext turn, CardAction action, bool approve, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        if (!await IsAdminAsync(caller, ct)) return Deny(caller, record, NotAnAdmin, ct);
        if (string.Equals(caller.AadObjectId, record.Requester.Id, StringComparison.OrdinalIgnoreCase))
            return Deny(caller, record, "A second policy admin must approve the plan: not the one who made it.", ct);
        var comment = action.GetString("comment")?.Trim();
        if (!approve && string.IsNullOrEmpty(comment)) return AdaptiveCardInvokeResponse.Message("Say why you reject the plan.");

        var result = await engine.DecideAsync(record.Id, action.GetLong("version") ?? -1, new Person(caller.AadObjectId, caller.Name), approve, comment, ct);
        var current = result.Record!;
        var audience = turn.IsPersonalChat ? Audiences.Approver : Audiences.Channel;
        if (result.Outcome == DecisionOutcome.Decided)
        {
            await audit.AppendAsync(Audit(approve ? "policy.plan-approved" : "policy.plan-rejected", caller, Keys(current.Plan().Steps.Select(s => s.Key)),
                approve ? "approved" : "rejected", $"{current.Reference}{(comment is null ? "" : "; " + comment)}"), ct);
            if (turn.Activity.ReplyToId is { Length: > 0 } clicked)
                await engine.AddCardAsync(current.Id, new CardPost(audience, caller.AadObjectId, turn.Reference.ServiceUrl, turn.Reference.ConversationId, clicked), ct);
            var skip = turn.Activity.ReplyToId;
            work.Enqueue("policy.after-decision", async token =>
            {
                if (approve) await ApplyAsync(current.Id, token);
                else
                {
                    await RefreshAsync(current.Id, skip, token);
                    await cards.NotifyUserAsync(current.Requester.Id, $"{caller.Name} rejected your plan {current.Reference}: {comment}", token);
                }
            });
        }
        else if (result.Outcome == DecisionOutcome.Expired)
        {
            work.Enqueue("policy.expired", token => RefreshAsync(current.Id, null, token));
        }
        return AdaptiveCardInvokeResponse.Card(cards.Render(current, audience));
    }

    public async Task<AdaptiveCardInvokeResponse> CancelAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var record = await LoadAsync(action, ct);
        if (record is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        if (!string.Equals(caller.AadObjectId, record.Requester.Id, StringComparison.OrdinalIgnoreCase))
            return AdaptiveCardInvokeResponse.Message("Only the admin who made the plan can cancel it.");
        var cancelled = await engine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Cancelled, ct);
        if (cancelled is null) return AdaptiveCardInvokeResponse.Card(cards.Render((await engine.GetAsync(record.Id, ct))!, Audiences.Requester));
        await audit.AppendAsync(Audit("policy.plan-cancelled", caller, "Policies", "cancelled", record.Reference), ct);
        var skip = turn.Activity.ReplyToId;
        work.Enqueue("policy.after-cancel", token => RefreshAsync(record.Id, skip, token));
        return AdaptiveCardInvokeResponse.Card(cards.Render(cancelled, Audiences.Requester));
    }

    // ---------------------------------------------------------------- apply

    /// <summary>
    /// Applies an approved plan: reads the tenant again, plans again, and goes ahead only if the remaining work is what
    /// was approved. Each step is recorded as it completes, so a failure (or a crash) says exactly what was applied.
    /// </summary>
    public async Task ApplyAsync(string id, CancellationToken ct)
    {
        var executing = await engine.TransitionAsync(id, ApprovalState.Approved, ApprovalState.Executing, ct);
        if (executing is null) return;
        await RefreshAsync(id, null, ct);
        var approved = executing.Plan();
        var approver = executing.Decision!.By;
        try
        {
            var snapshot = await inspector.SnapshotAsync(ct);
            var fresh = approved.Action == PolicyPlan.Deploy
                ? new PlanVerdict(planner.Deploy(snapshot), [])
                : planner.Promote(snapshot, [.. approved.Steps.Select(s => s.Key)], approved.OverrideReason);
            if (fresh.Plan is null || !SameRemainingWork(approved, fresh.Plan))
            {
                var why = fresh.Plan is null ? string.Join(" ", fresh.Problems) : "the policies in the tenant changed since the plan was made";
                await FailAsync(id, $"Nothing was changed: {why}. Run the command again for a new plan.", ct);
                return;
            }
            foreach (var step in approved.Steps)
            {
                if (step.Done || step.Operation == PlanOperations.None) continue;
                var freshStep = fresh.Plan.Steps.First(s => s.Key == step.Key);
                var result = await ApplyStepAsync(freshStep, executing.Requester, approver, ct);
                await engine.AmendAsync(id, r => r.WithPlan(r.Plan() with
                {
                    Steps = [.. r.Plan().Steps.Select(s => s.Key == step.Key ? s with { Done = true, Result = result } : s)],
                }), ct);
                await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), $"policy.{freshStep.Operation}", approver.Id, approver.Name,
                    $"Policy {step.Key}", "applied", $"{executing.Reference}; {result}"), ct);
                await RefreshAsync(id, null, ct);
            }
            var done = await engine.TransitionAsync(id, ApprovalState.Executing, ApprovalState.Completed, ct, r => r with
            {
                Outcome = approved.Action == PolicyPlan.Deploy ? "The policies match their templates." : "Enforced.",
            });
            if (done is null) return;
            await RefreshAsync(id, null, ct);
            await cards.NotifyUserAsync(done.Requester.Id, $"{approver.Name} approved plan {done.Reference}; it is applied.", ct);
        }
        catch (DirectoryException ex)
        {
            var record = await engine.GetAsync(id, ct);
            var applied = record?.Plan().Steps.Where(s => s.Done).Select(s => $"policy {s.Key}: {s.Result}").ToList() ?? [];
            await FailAsync(id, $"{ex.Message} {(applied.Count == 0 ? "Nothing was changed." : "Already applied: " + string.Join("; ", applied) + ". The rest was not.")}", ct);
        }
    }

    private async Task<string> ApplyStepAsync(PlanStep step, Person planner, Person approver, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        switch (step.Operation)
        {
            case PlanOperations.Create:
                var created = await conditionalAccess.CreatePolicyAsync(step.Body!, ct);
                await deployments.SaveAsync(new PolicyDeployment(step.Key, created.Id, created.State, now, $"{planner.Name}, approved by {approver.Name}", now, null), ct);
                return $"created in report-only (id {created.Id})";
            case PlanOperations.Adopt:
                var found = await conditionalAccess.GetPolicyAsync(step.PolicyId!, ct)
                    ?? throw new DirectoryException(DirectoryErrorKind.NotFound, $"Policy {step.Key} disappeared from the tenant.");
                await deployments.SaveAsync(new PolicyDeployment(step.Key, found.Id, found.State, now, $"{planner.Name}, approved by {approver.Name}",
                    found.State == RegistrationPolicies.ReportOnly ? found.ModifiedDateTime ?? now : null,
                    found.State == RegistrationPolicies.Enabled ? found.ModifiedDateTime ?? now : null), ct);
                return "taken over";
            case PlanOperations.Update:
                await conditionalAccess.UpdatePolicyAsync(step.PolicyId!, step.Body!, ct);
                return $"restored {string.Join(", ", step.Changes.Select(c => c.Path))}";
            case PlanOperations.Promote:
                await conditionalAccess.UpdatePolicyAsync(step.PolicyId!, step.Body!, ct);
                await deployments.UpdateAsync(step.Key, d => d with { State = RegistrationPolicies.Enabled, EnabledAt = now, LastDriftAlert = null }, ct);
                return "turned On";
            default:
                return "nothing to do";
        }
    }

    /// <summary>The work left in the approved plan equals the work a fresh plan finds (a create that already ran counts as done).</summary>
    private static bool SameRemainingWork(PolicyPlan approved, PolicyPlan fresh)
    {
        var left = approved.Steps.Where(s => !s.Done && s.Operation != PlanOperations.None).ToList();
        var now = fresh.Steps.Where(s => s.Operation != PlanOperations.None).ToList();
        if (left.Count != now.Count) return false;
        foreach (var step in left)
        {
            var match = now.FirstOrDefault(s => s.Key == step.Key);
            if (match is null) return false;
            if (step.Operation == PlanOperations.Create && match.Operation == PlanOperations.Adopt) continue;
            if (step.Operation != match.Operation) return false;
            var a = string.Join(",", step.Changes.Select(c => $"{c.Path}={c.Actual}->{c.Expected}"));
            var b = string.Join(",", match.Changes.Select(c => $"{c.Path}={c.Actual}->{c.Expected}"));
            if (a != b) return false;
        }
        return true;
    }

    private async Task FailAsync(string id, string outcome, CancellationToken ct)
    {
        var failed = await engine.TransitionAsync(id, ApprovalState.Executing, ApprovalState.Failed, ct, r => r with { Outcome = outcome });
        if (failed is null) return;
        logger.LogWarning("Plan {PlanId} failed: {Outcome}", id, outcome);
        await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "policy.plan-failed", "bot", "TeamsBot", "Policies", "failed", $"{failed.Reference}; {outcome}"), ct);
        await RefreshAsync(id, null, ct);
        await cards.NotifyUserAsync(failed.Requester.Id, $"Plan {failed.Reference} was not applied: {outcome}", ct);
    }

    // ---------------------------------------------------------------- rollback, audit

    /// <summary>Back to report-only at once: the safe direction needs no second approval, but is audited and announced.</summary>
    public async Task<JsonObject> RollbackAsync(TurnContext turn, IReadOnlyList<PolicyKey> keys, CancellationToken ct)
    {
        var caller = turn.Caller!;
        var snapshot = await inspector.SnapshotAsync(ct);
        var lines = new List<string>();
        var failed = false;
        foreach (var key in keys)
        {
            var view = snapshot[key];
            if (!view.Deployed)
            {
                lines.Add($"Policy {key} is not deployed.");
                continue;
            }
            if (view.Live!.State == RegistrationPolicies.ReportOnly)
            {
                lines.Add($"Policy {key} is already report-only.");
                continue;
            }
            try
            {
                await conditionalAccess.UpdatePolicyAsync(view.Live.Id, new JsonObject { ["state"] = RegistrationPolicies.ReportOnly }, ct);
            }
            catch (DirectoryException ex)
            {
                // Another policy may already be back in report-only: the card says what happened to each one.
                failed = true;
                lines.Add($"Policy {key} could not be rolled back: {ex.Message}");
                await audit.AppendAsync(Audit("policy.rollback-failed", caller, $"Policy {key}", "failed", ex.Message), ct);
                continue;
            }
            var now = time.GetUtcNow();
            if (await deployments.UpdateAsync(key, d => d with { State = RegistrationPolicies.ReportOnly, ReportOnlySince = now, EnabledAt = null, LastDriftAlert = null }, ct) is null)
                await deployments.SaveAsync(new PolicyDeployment(key, view.Live.Id, RegistrationPolicies.ReportOnly, now, caller.Name, now, null), ct);
            await audit.AppendAsync(Audit("policy.rolled-back", caller, $"Policy {key}", "report-only", $"was {view.Live.State}"), ct);
            lines.Add($"Policy {key} is back in report-only.");
            work.Enqueue("policy.announce-rollback", token => AnnounceAsync($"{caller.Name} rolled policy {key} back to report-only.", caller.AadObjectId, token));
        }
        return policyCards.Message("Rollback", lines, problem: failed);
    }

    public async Task<JsonObject> AuditAsync(int count, CancellationToken ct) =>
        policyCards.Audit(await audit.ListAsync(Math.Clamp(count, 1, 50), ct));

    // ---------------------------------------------------------------- jobs

    /// <summary>Compares deployed policies with their templates; alerts the admins once per new difference.</summary>
    public async Task<int> WatchDriftAsync(CancellationToken ct)
    {
        var records = await deployments.AllAsync(ct);
        if (records.Count == 0) return 0;
        var snapshot = await inspector.SnapshotAsync(ct);
        var changes = new List<(PolicyView View, string? Signature)>();
        foreach (var view in snapshot.Policies.Where(v => v.Record is not null))
        {
            var signature = !view.Deployed ? "missing"
                : view.HasDrift ? string.Join(";", view.Drift.Select(d => $"{d.Path}={d.Actual}").Append(view.StateDrift ? $"state={view.Live!.State}" : ""))
                : null;
            if (signature != view.Record!.LastDriftAlert) changes.Add((view, signature));
        }
        var alerts = changes.Where(c => c.Signature is not null).Select(c => c.View).ToList();
        // Sent before it is recorded as sent: an alert that could not go out goes out at the next watch.
        if (alerts.Count > 0) await AnnounceCardAsync(policyCards.Drift(alerts), null, ct);
        foreach (var (view, signature) in changes)
        {
            await deployments.UpdateAsync(view.Key, d => d with { LastDriftAlert = signature }, ct);
            if (signature is null) continue;
            await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "policy.drift", "bot", "TeamsBot", $"Policy {view.Key}", "drift",
                signature.Length > 400 ? signature[..400] : signature), ct);
        }
        return alerts.Count;
    }

    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var record in await engine.RecentAsync(500, ct))
        {
            if (record.Kind != PolicyPlan.Kind) continue;
            if (record.State == ApprovalState.Pending && record.ExpiresAt <= now)
            {
                var expired = await engine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Expired, ct);
                if (expired is null) continue;
                count++;
                await cards.RefreshAllAsync(expired, ct);
            }
            else if (record.State == ApprovalState.Executing && record.ExecutingSince is { } since && now - since > options.Value.StuckApplyAfter)
            {
                // An apply interrupted by a crash: go again; the fresh plan skips what was already done.
                if (await engine.TransitionAsync(record.Id, ApprovalState.Executing, ApprovalState.Approved, ct, when: r => r.ExecutingSince == since) is not null)
                {
                    count++;
                    await ApplyAsync(record.Id, ct);
                }
            }
            else if (record.State == ApprovalState.Approved && now - record.UpdatedAt > options.Value.StuckApplyAfter)
            {
                count++;
                await ApplyAsync(record.Id, ct);
            }
            else if (record.State == ApprovalState.Pending && !record.ApproversAsked && now - record.CreatedAt > options.Value.StuckApplyAfter)
            {
                // Filed, but a crash stopped the cards to the other admins.
                count++;
                await audit.AppendAsync(new AuditEntry(now, "policy.reconciled", "bot", "TeamsBot", record.Reference, "pending",
                    "the plan's cards to the admins were interrupted; sent again"), ct);
                await PostToAdminsAsync(record.Id, record.Requester.Id, ct);
            }
        }
        return count;
    }

    // ---------------------------------------------------------------- helpers

    private async Task AnnounceAsync(string text, string? except, CancellationToken ct)
    {
        IReadOnlyList<string> admins;
        try
        {
            admins = await AdminsAsync(ct);
        }
        catch (DirectoryException ex)
        {
            // A courtesy to the other admins; the change itself is done, audited and shown to whoever made it.
            logger.LogWarning("Announcement to the policy admins not sent: {Kind} {GraphCode}", ex.Kind, ex.GraphCode);
            return;
        }
        foreach (var admin in admins)
            if (!string.Equals(admin, except, StringComparison.OrdinalIgnoreCase)) await cards.NotifyUserAsync(admin, text, ct);
    }

    private async Task AnnounceCardAsync(JsonObject card, string? except, CancellationToken ct)
    {
        foreach (var admin in await AdminsAsync(ct))
            if (!string.Equals(admin, except, StringComparison.OrdinalIgnoreCase)) await cards.SendCardToUserAsync(admin, card, ct);
        if (options.Value.AdminsChannelId is { Length: > 0 } channel) await cards.SendCardToConversationAsync(channel, card, ct);
    }

    private async Task<IReadOnlyList<string>> AdminsAsync(CancellationToken ct) =>
        options.Value.AdminsGroupId is { Length: > 0 } group ? await people.GetGroupUserIdsAsync(group, ct) : [];

    private async Task RefreshAsync(string id, string? skip, CancellationToken ct)
    {
        if (await engine.GetAsync(id, ct) is { } record) await cards.RefreshAllAsync(record, ct, skip);
    }

    private async Task<ApprovalRecord?> LoadAsync(CardAction action, CancellationToken ct)
    {
        var id = action.GetString("planId");
        if (string.IsNullOrEmpty(id) || id.Length > 64) return null;
        var record = await engine.GetAsync(id, ct);
        return record?.Kind == PolicyPlan.Kind ? record : null;
    }

    private AdaptiveCardInvokeResponse Deny(Caller caller, ApprovalRecord record, string message, CancellationToken ct)
    {
        logger.LogWarning("Policy plan action on {PlanId} denied to {UserId}: {Reason}", record.Id, caller.AadObjectId, message);
        _ = audit.AppendAsync(Audit("policy.denied", caller, "Policies", "denied", $"{record.Reference}; {message}"), ct);
        return AdaptiveCardInvokeResponse.Message(message);
    }

    private AuditEntry Audit(string action, Caller caller, string target, string outcome, string? details) =>
        new(time.GetUtcNow(), action, caller.AadObjectId, caller.Name, target, outcome, details);

    private static string Keys(IEnumerable<PolicyKey> keys) => "Policy " + string.Join(", ", keys);
}

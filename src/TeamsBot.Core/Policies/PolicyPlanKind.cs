using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Storage;

namespace TeamsBot.Policies;

/// <summary>
/// Policy plans as a kind of approval: a second policy admin decides; executing reads the tenant again, plans again,
/// and applies only what was approved, step by step, so that a failure (or a crash) says exactly what was applied.
/// </summary>
public sealed class PolicyPlanKind(
    PolicyCards policyCards,
    PolicyInspector inspector,
    PolicyPlanner planner,
    PolicyDeployments deployments,
    PolicyHistory history,
    IConditionalAccess conditionalAccess,
    IPeopleDirectory people,
    RoleChecks roles,
    IAuditLog audit,
    IOptions<PolicyOptions> options,
    TimeProvider time) : IApprovalKind
{
    public const string NotAnAdmin = "Only policy admins can manage the registration policies.";

    public string Name => PolicyPlan.Kind;
    public TimeSpan Expiry => options.Value.PlanExpiry;
    public TimeSpan StuckAfter => options.Value.StuckApplyAfter;
    public string? ChannelId => options.Value.AdminsChannelId;

    public JsonObject Render(ApprovalRecord record, string audience, string? notice = null) => policyCards.PlanCard(record, audience, notice);

    public async Task<string?> RefuseDecisionAsync(Person decider, ApprovalRecord record, CancellationToken ct)
    {
        if (!await roles.IsMemberAsync(decider.Id, options.Value.AdminsGroupId, ct)) return NotAnAdmin;
        if (string.Equals(decider.Id, record.Requester.Id, StringComparison.OrdinalIgnoreCase))
            return "A second policy admin must approve the plan: not the one who made it.";
        return null;
    }

    public async Task<IReadOnlyList<string>> ApproversAsync(ApprovalRecord record, CancellationToken ct) =>
        options.Value.AdminsGroupId is { Length: > 0 } group
            ? [.. (await people.GetGroupUserIdsAsync(group, ct)).Where(a => !string.Equals(a, record.Requester.Id, StringComparison.OrdinalIgnoreCase))]
            : [];

    public async Task ExecuteAsync(Execution execution, CancellationToken ct)
    {
        var executing = execution.Record;
        var approved = executing.Plan();
        var approver = executing.Decision!.By;
        try
        {
            var snapshot = await inspector.SnapshotAsync(ct);
            var restoring = approved.RestoreVersion is { } number ? await history.GetAsync(approved.Steps[0].Key, number, ct) : null;
            var fresh = approved.Action switch
            {
                PolicyPlan.Deploy => planner.Deploy(snapshot),
                PolicyPlan.RestoreAction when restoring is null => new PlanVerdict(null, [$"version v{approved.RestoreVersion} of policy {approved.Steps[0].Key} is not kept"]),
                PolicyPlan.RestoreAction => planner.Restore(snapshot, restoring!),
                PolicyPlan.AcceptAction => planner.Accept(snapshot, approved.Steps[0].Key, null, approved.AcceptThrough, approved.AcceptReason),
                _ => planner.Promote(snapshot, [.. approved.Steps.Select(s => s.Key)], approved.OverrideReason),
            };
            if (fresh.Plan is null || !SameRemainingWork(approved, fresh.Plan))
            {
                var why = fresh.Plan is null ? string.Join(" ", fresh.Problems) : "the policies in the tenant changed since the plan was made";
                await FailAsync(execution, $"Nothing was changed: {why}. Run the command again for a new plan.", ct);
                return;
            }
            foreach (var step in approved.Steps)
            {
                if (step.Done || step.Operation == PlanOperations.None) continue;
                var freshStep = fresh.Plan.Steps.First(s => s.Key == step.Key);
                var result = await ApplyStepAsync(freshStep, fresh.Plan, snapshot, executing, approver, ct);
                await execution.AmendAsync(r => r.WithPlan(r.Plan() with
                {
                    Steps = [.. r.Plan().Steps.Select(s => s.Key == step.Key ? s with { Done = true, Result = result } : s)],
                }), ct);
                await audit.AppendAsync(new AuditEntry(time.GetUtcNow(), $"policy.{freshStep.Operation}", approver.Id, approver.Name,
                    $"Policy {step.Key}", "applied", $"{executing.Reference}; {result}"), ct);
            }
            await execution.CompleteAsync(r => r with
            {
                Outcome = approved.Action switch
                {
                    PolicyPlan.Deploy => "The policies match their templates.",
                    PolicyPlan.AcceptAction => $"Accepted through {approved.AcceptThrough:yyyy-MM-dd} (UTC): no drift alerts about this change until then.",
                    PolicyPlan.RestoreAction => $"Policy {approved.Steps[0].Key} is as it was in v{approved.RestoreVersion}.",
                    _ => "Enforced.",
                },
            }, $"{approver.Name} approved plan {executing.Reference}; it is applied.", ct);
        }
        catch (DirectoryException ex)
        {
            var applied = (await execution.CurrentAsync(ct))?.Plan().Steps.Where(s => s.Done).Select(s => $"policy {s.Key}: {s.Result}").ToList() ?? [];
            await FailAsync(execution,
                $"{ex.Message} {(applied.Count == 0 ? "Nothing was changed." : "Already applied: " + string.Join("; ", applied) + ". The rest was not.")}", ct);
        }
    }

    private static Task FailAsync(Execution execution, string outcome, CancellationToken ct) =>
        execution.FailAsync(outcome, $"Plan {execution.Record.Reference} was not applied: {outcome}", ct);

    /// <summary>An interrupted apply needs no undoing: applying again skips what the tenant already has.</summary>
    public Task OnInterruptedAsync(ApprovalRecord record, CancellationToken ct) => Task.CompletedTask;

    private async Task<string> ApplyStepAsync(PlanStep step, PolicyPlan plan, TenantSnapshot snapshot, ApprovalRecord record, Person approver,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var planner = record.Requester;
        var by = $"{planner.Name}, approved by {approver.Name}";
        switch (step.Operation)
        {
            case PlanOperations.Accept:
                var accepted = new DriftAcceptance(snapshot[step.Key].DriftSignature!, PolicyPlan.AcceptedUntil(plan.AcceptThrough!.Value), plan.AcceptReason!,
                    by, record.Reference);
                await deployments.UpdateAsync(step.Key, d => d with { Accepted = accepted, LastDriftAlert = null }, ct);
                return $"change accepted through {plan.AcceptThrough:yyyy-MM-dd}";
            case PlanOperations.Create:
                var created = await conditionalAccess.CreatePolicyAsync(step.Body!, ct);
                await deployments.SaveAsync(new PolicyDeployment(step.Key, created.Id, created.State, now, by,
                    created.State == RegistrationPolicies.Enabled ? null : now, created.State == RegistrationPolicies.Enabled ? now : null), ct);
                var createdWhat = plan.RestoreVersion is { } from ? $"created again from v{from}" : "created";
                await history.AppendAsync(step.Key, created.Id, by, createdWhat, record.Reference, created.Body, ct);
                return $"{createdWhat} in {StateWords(created.State)} (id {created.Id})";
            case PlanOperations.Adopt:
                var found = await conditionalAccess.GetPolicyAsync(step.PolicyId!, ct)
                    ?? throw new DirectoryException(DirectoryErrorKind.NotFound, $"Policy {step.Key} disappeared from the tenant.");
                await deployments.SaveAsync(new PolicyDeployment(step.Key, found.Id, found.State, now, by,
                    found.State == RegistrationPolicies.ReportOnly ? found.ModifiedDateTime ?? now : null,
                    found.State == RegistrationPolicies.Enabled ? found.ModifiedDateTime ?? now : null), ct);
                await history.AppendAsync(step.Key, found.Id, by, "taken over", record.Reference, found.Body, ct);
                return "taken over";
            case PlanOperations.Update:
                await conditionalAccess.UpdatePolicyAsync(step.PolicyId!, step.Body!, ct);
                var what = $"restored {string.Join(", ", step.Changes.Select(c => c.Path))}";
                await history.KeepAppliedAsync(step.Key, step.PolicyId!, by, what, record.Reference, ct);
                return what;
            case PlanOperations.Promote:
                await conditionalAccess.UpdatePolicyAsync(step.PolicyId!, step.Body!, ct);
                await deployments.UpdateAsync(step.Key, d => d with { State = RegistrationPolicies.Enabled, EnabledAt = now, LastDriftAlert = null }, ct);
                await history.KeepAppliedAsync(step.Key, step.PolicyId!, by, "turned On", record.Reference, ct);
                return "turned On";
            case PlanOperations.Restore:
                await conditionalAccess.UpdatePolicyAsync(step.PolicyId!, step.Body!, ct);
                var state = step.Body!["state"] is JsonValue v && v.TryGetValue(out string? s) ? s : RegistrationPolicies.ReportOnly;
                await deployments.UpdateAsync(step.Key, d => d with
                {
                    State = state,
                    ReportOnlySince = state == RegistrationPolicies.ReportOnly ? d.State == state ? d.ReportOnlySince : now : null,
                    EnabledAt = state == RegistrationPolicies.Enabled ? d.State == state ? d.EnabledAt : now : null,
                    LastDriftAlert = null,
                }, ct);
                await history.KeepAppliedAsync(step.Key, step.PolicyId!, by, $"restored v{plan.RestoreVersion}", record.Reference, ct);
                return $"restored v{plan.RestoreVersion} ({StateWords(state)})";
            default:
                return "nothing to do";
        }
    }

    private static string StateWords(string state) => state switch
    {
        RegistrationPolicies.ReportOnly => "report-only",
        RegistrationPolicies.Enabled => "On",
        _ => state,
    };

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

    public string AuditAction(ApprovalStep step, ApprovalRecord record) => step switch
    {
        ApprovalStep.Filed => $"policy.{record.Plan().Action}-planned",
        ApprovalStep.Denied => "policy.denied",
        ApprovalStep.Reconciled => "policy.reconciled",
        _ => "policy.plan-" + step.ToString().ToLowerInvariant(),
    };

    public string AuditTarget(ApprovalRecord record)
    {
        var keys = record.Plan().Steps.Where(s => s.Operation != PlanOperations.None).Select(s => s.Key).ToList();
        return "Policy " + string.Join(", ", keys.Count > 0 ? keys : record.Plan().Steps.Select(s => s.Key));
    }

    public ApprovalTexts Texts { get; } = new(
        NotYours: _ => "Only the admin who made the plan can cancel it.",
        SayWhyYouReject: _ => "Say why you reject the plan.",
        NobodyReached: (r, why) => $"No other policy admin could be reached, so nobody got plan {r.Reference}: {why.TrimEnd('.')}. Plan again once they can be reached.",
        SomeUnreached: (r, names) => $"Not every policy admin could be reached for plan {r.Reference}: {names.TrimEnd('.')}. The others were asked.",
        Rejected: (r, by, comment) => $"{by.Name} rejected your plan {r.Reference}: {comment}",
        Expired: _ => null,
        CancelledOutcome: "Cancelled by the admin who made it.",
        ExpiredOutcome: "Expired without a decision.");
}

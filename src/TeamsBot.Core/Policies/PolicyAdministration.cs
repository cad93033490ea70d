using System.Security.Cryptography;
using System.Text;
using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Protocol.Routing;
using TeamsBot.Directory;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Policies;

/// <summary>What asking for a plan came to.</summary>
public abstract record PlanResult
{
    /// <summary>A plan holds the change: the one just filed, or one already waiting (shown to this audience).</summary>
    public sealed record Filed(ApprovalRecord Record, string Audience, string Notice) : PlanResult;

    /// <summary>No plan: a short message (nothing to do, or why not).</summary>
    public sealed record Message(string Title, IReadOnlyList<string> Lines, bool Problem) : PlanResult;
}

/// <summary>What a drift alert says besides the difference: who made it (from the audit log), and an acceptance that ran out.</summary>
public sealed record DriftNews(IReadOnlyList<TeamsBot.Directory.PolicyChange> ChangedBy, string? AuditProblem, DriftAcceptance? ExpiredAcceptance);

/// <summary>One line of a rollback: what happened to one policy.</summary>
public sealed record RollbackLine(string Text, bool Failed);

/// <summary>
/// The policy admins' use cases besides approving plans: status, deploy and promote plans (filed through the approval
/// workflow), immediate rollback, the audit list and the drift watch. The admin check is the feature's, on every
/// command and click; these take the acting admin as a plain value.
/// </summary>
public sealed class PolicyAdministration(
    ApprovalWorkflow workflow,
    PolicyPlanKind kind,
    PolicyInspector inspector,
    PolicyPlanner planner,
    PolicyDeployments deployments,
    PolicyHistory history,
    PolicyCards policyCards,
    IConditionalAccess conditionalAccess,
    IDirectoryAudits directoryAudits,
    IPeopleDirectory people,
    RoleChecks roles,
    IAuditLog audit,
    BackgroundWork work,
    IOptions<PolicyOptions> options,
    TimeProvider time,
    ILogger<PolicyAdministration> logger)
{
    public Task<bool> IsAdminAsync(string userId, CancellationToken ct) => roles.IsMemberAsync(userId, options.Value.AdminsGroupId, ct);

    public Task<PolicyStatus> StatusAsync(string actingAdminId, CancellationToken ct) => inspector.StatusAsync(actingAdminId, ct);

    // ---------------------------------------------------------------- plans

    /// <summary>Plans a deployment; filed for a second admin when there is work.</summary>
    public async Task<PlanResult> PlanDeployAsync(Person admin, CardLocation? answeredCard, CancellationToken ct)
    {
        var snapshot = await inspector.SnapshotAsync(ct);
        var verdict = planner.Deploy(snapshot);
        if (verdict.Plan is not { } plan)
        {
            await Audit("policy.deploy", admin, "Policies A, B", "refused", string.Join(" ", verdict.Problems), ct);
            return new PlanResult.Message("The policies can't be deployed as configured", verdict.Problems, true);
        }
        if (!plan.HasWork)
        {
            await Audit("policy.deploy", admin, "Policies A, B", "nothing to do", null, ct);
            return new PlanResult.Message("Nothing to do", ["Both registration policies are deployed and match their templates."], false);
        }
        return await FileAsync(admin, plan with { Names = await NamesAsync(snapshot, Named(plan), ct) }, answeredCard, ct);
    }

    public async Task<PlanResult> PlanPromoteAsync(Person admin, IReadOnlyList<PolicyKey> keys, string? overrideReason, CardLocation? answeredCard,
        CancellationToken ct)
    {
        var snapshot = await inspector.SnapshotAsync(ct);
        var verdict = planner.Promote(snapshot, keys, overrideReason);
        if (verdict.Plan is null)
        {
            await Audit("policy.promote", admin, "Policy " + string.Join(", ", keys), "refused", string.Join(" ", verdict.Problems), ct);
            return new PlanResult.Message($"Policy {string.Join(" and ", keys)} can't be promoted yet", verdict.Problems, true);
        }
        if (!verdict.Plan.HasWork) return new PlanResult.Message("Nothing to do", [$"Policy {string.Join(" and ", keys)} is already On."], false);
        return await FileAsync(admin, verdict.Plan with { Names = await NamesAsync(snapshot, Named(verdict.Plan), ct) }, answeredCard, ct);
    }

    /// <summary>
    /// Plans accepting a policy's difference from its template through a date, for a reason (a second admin approves).
    /// <paramref name="driftId"/>, from an alert card, must still name the current difference.
    /// </summary>
    public async Task<PlanResult> PlanAcceptAsync(Person admin, PolicyKey key, string? driftId, DateOnly? through, string? reason,
        CardLocation? answeredCard, CancellationToken ct)
    {
        var verdict = planner.Accept(await inspector.SnapshotAsync(ct), key, driftId, through, reason);
        if (verdict.Plan is null)
        {
            await Audit("policy.accept", admin, $"Policy {key}", "refused", string.Join(" ", verdict.Problems), ct);
            return new PlanResult.Message($"The change to policy {key} can't be accepted", verdict.Problems, true);
        }
        return await FileAsync(admin, verdict.Plan, answeredCard, ct);
    }

    /// <summary>
    /// One open plan per change: the same plan asked for again (a second click, a retry, another admin) is the plan that
    /// already waits, not a second one.
    /// </summary>
    private async Task<PlanResult> FileAsync(Person admin, PolicyPlan plan, CardLocation? answeredCard, CancellationToken ct)
    {
        // An acceptance's date and reason are part of what is asked: another date is another plan.
        var key = "policy.plan:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{plan.Action}|{plan.Signature}|{plan.AcceptThrough:yyyy-MM-dd}|{plan.AcceptReason}")));
        var filing = await workflow.FileAsync(kind, key, admin, _ => Task.FromResult<Draft>(new Draft.Ready(plan.ToJson(),
            plan.Signature + (plan.OverrideReason is null ? "" : "; override: " + plan.OverrideReason))), answeredCard, ct, holds: r => !r.IsFinal);
        switch (filing)
        {
            case Filing.Filed { New: true } filed:
                return new PlanResult.Filed(filed.Record, Audiences.Requester, "Plan filed. Another policy admin must approve it.");
            case Filing.Filed { Record: var open } when string.Equals(open.Requester.Id, admin.Id, StringComparison.OrdinalIgnoreCase):
                if (answeredCard is not null) open = await workflow.RememberCardAsync(open, Audiences.Requester, admin.Id, answeredCard, ct) ?? open;
                return new PlanResult.Filed(open, Audiences.Requester, "This plan was filed already; it waits for another policy admin.");
            case Filing.Filed { Record: var open }:
                if (answeredCard is not null) open = await workflow.RememberCardAsync(open, Audiences.Approver, admin.Id, answeredCard, ct) ?? open;
                return new PlanResult.Filed(open, Audiences.Approver, $"{open.Requester.Name} filed this plan already; another policy admin must approve it.");
            default:
                return new PlanResult.Message("Plan being filed", ["The same plan is being filed right now. Type **policy status** in a moment to see it."], false);
        }
    }

    /// <summary>Keeps a card the command sent (after the plan was filed) among the cards updated with the plan.</summary>
    public Task RememberCardAsync(PlanResult.Filed plan, string userId, CardLocation card, CancellationToken ct) =>
        workflow.RememberCardAsync(plan.Record, plan.Audience, userId, card, ct);

    // ---------------------------------------------------------------- rollback, audit

    /// <summary>Back to report-only at once: the safe direction needs no second approval, but is audited and announced.</summary>
    public async Task<IReadOnlyList<RollbackLine>> RollbackAsync(Person admin, IReadOnlyList<PolicyKey> keys, CancellationToken ct)
    {
        var snapshot = await inspector.SnapshotAsync(ct);
        var lines = new List<RollbackLine>();
        foreach (var key in keys)
        {
            var view = snapshot[key];
            if (!view.Deployed)
            {
                lines.Add(new($"Policy {key} is not deployed.", false));
                continue;
            }
            if (view.Live!.State == RegistrationPolicies.ReportOnly)
            {
                lines.Add(new($"Policy {key} is already report-only.", false));
                continue;
            }
            try
            {
                await conditionalAccess.UpdatePolicyAsync(view.Live.Id, new JsonObject { ["state"] = RegistrationPolicies.ReportOnly }, ct);
            }
            catch (DirectoryException ex)
            {
                // Another policy may already be back in report-only: the card says what happened to each one.
                lines.Add(new($"Policy {key} could not be rolled back: {ex.Message}", true));
                await Audit("policy.rollback-failed", admin, $"Policy {key}", "failed", ex.Message, ct);
                continue;
            }
            var now = time.GetUtcNow();
            if (await deployments.UpdateAsync(key, d => d with { State = RegistrationPolicies.ReportOnly, ReportOnlySince = now, EnabledAt = null, LastDriftAlert = null }, ct) is null)
                await deployments.SaveAsync(new PolicyDeployment(key, view.Live.Id, RegistrationPolicies.ReportOnly, now, admin.Name, now, null), ct);
            await Audit("policy.rolled-back", admin, $"Policy {key}", "report-only", $"was {view.Live.State}", ct);
            await history.KeepAppliedAsync(key, view.Live.Id, admin.Name, "rolled back to report-only", null, ct);
            lines.Add(new($"Policy {key} is back in report-only.", false));
            work.Enqueue("policy.announce-rollback", token => AnnounceAsync($"{admin.Name} rolled policy {key} back to report-only.", admin.Id, token));
        }
        return lines;
    }

    // ---------------------------------------------------------------- history

    /// <summary>The kept versions of a policy, newest first.</summary>
    public Task<IReadOnlyList<PolicyVersion>> HistoryAsync(PolicyKey key, int count, CancellationToken ct) => history.NewestAsync(key, count, ct);

    /// <summary>Plans putting a policy back as it was in a kept version (a second admin approves).</summary>
    public async Task<PlanResult> PlanRestoreAsync(Person admin, PolicyKey key, int number, CardLocation? answeredCard, CancellationToken ct)
    {
        var version = await history.GetAsync(key, number, ct);
        if (version is null)
            return new PlanResult.Message($"No version v{number} of policy {key}", [$"Type **policy history {key}** to see the kept versions."], true);
        var verdict = planner.Restore(await inspector.SnapshotAsync(ct), version);
        if (verdict.Plan is null)
        {
            await Audit("policy.restore", admin, $"Policy {key}", "refused", string.Join(" ", verdict.Problems), ct);
            return new PlanResult.Message($"Policy {key} can't be restored to v{number}", verdict.Problems, true);
        }
        if (!verdict.Plan.HasWork) return new PlanResult.Message("Nothing to do", [$"Policy {key} is as it was in v{number}."], false);
        return await FileAsync(admin, verdict.Plan, answeredCard, ct);
    }


    public Task<AuditPage> AuditAsync(int count, string? before, CancellationToken ct) =>
        audit.PageAsync(Math.Clamp(count, 1, 50), before is { Length: > 0 and <= 100 } ? before : null, ct);

    // ---------------------------------------------------------------- drift watch

    /// <summary>
    /// Compares deployed policies with their templates; alerts the admins once per new difference, saying who made it
    /// when the directory audit log tells. A difference two admins accepted stays quiet until its date, then alerts again.
    /// </summary>
    public async Task<int> WatchDriftAsync(CancellationToken ct)
    {
        var records = await deployments.AllAsync(ct);
        if (records.Count == 0) return 0;
        var snapshot = await inspector.SnapshotAsync(ct);
        var now = time.GetUtcNow();
        var changes = new List<(PolicyView View, string? Signature)>();
        foreach (var view in snapshot.Policies.Where(v => v.Record is not null))
        {
            var signature = view.DriftAccepted ? null : view.DriftSignature;
            if (signature != view.Record!.LastDriftAlert) changes.Add((view, signature));
        }
        var alerts = changes.Where(c => c.Signature is not null).Select(c => c.View).ToList();
        var news = new Dictionary<PolicyKey, DriftNews>();
        foreach (var view in alerts) news[view.Key] = await NewsAsync(view, now, ct);
        // Sent before it is recorded as sent: an alert that could not go out goes out at the next watch.
        if (alerts.Count > 0)
        {
            var names = await NamesAsync(snapshot, alerts.SelectMany(v => v.Drift).SelectMany(d => new[] { d.Actual, d.Expected })
                .Select(v => v is null ? null : Parse(v)), ct);
            await AnnounceCardAsync(policyCards.Drift(alerts, news, names), ct);
        }
        foreach (var (view, signature) in changes)
        {
            await deployments.UpdateAsync(view.Key, d => d with { LastDriftAlert = signature }, ct);
            if (signature is null) continue;
            var who = news[view.Key].ChangedBy.Count > 0 ? "; changed by " + string.Join(", ", news[view.Key].ChangedBy.Select(c => c.Actor).Distinct()) : "";
            var details = signature + who;
            await audit.AppendAsync(new AuditEntry(now, "policy.drift", "bot", "TeamsBot", $"Policy {view.Key}", "drift",
                details.Length > 400 ? details[..400] : details), ct);
        }
        return alerts.Count;
    }

    /// <summary>Who changed the policy since the bot last did (the audit log, newest first), and an acceptance that ran out.</summary>
    private async Task<DriftNews> NewsAsync(PolicyView view, DateTimeOffset now, CancellationToken ct)
    {
        var expired = view.Record!.Accepted is { } a && a.Signature == view.DriftSignature && now >= a.Until ? a : null;
        try
        {
            var entries = await directoryAudits.ListPolicyChangesAsync(view.Live?.Id ?? view.Record.PolicyId, 10, ct);
            return new DriftNews([.. entries.TakeWhile(e => !e.ByThisBot).Take(3)], null, expired);
        }
        catch (DirectoryException ex)
        {
            // The alert matters more than its author: it goes out, saying the log couldn't be read.
            logger.LogWarning("Directory audit log not read for the drift alert: {Kind} {GraphCode}", ex.Kind, ex.GraphCode);
            return new DriftNews([], ex.Message, expired);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The policy bodies and changed values a plan shows, where its object ids are.</summary>
    private static IEnumerable<JsonNode?> Named(PolicyPlan plan) =>
        plan.Steps.Select(s => (JsonNode?)s.Body).Concat(plan.Steps.SelectMany(s => s.Changes).SelectMany(c => new[] { c.Actual, c.Expected })
            .Select(v => v is null ? null : Parse(v)));

    private static JsonNode? Parse(string value)
    {
        try
        {
            return value.TrimStart() is ['[' or '{', ..] ? JsonNode.Parse(value) : JsonValue.Create(value);
        }
        catch (JsonException)
        {
            return JsonValue.Create(value);
        }
    }

    /// <summary>
    /// Names for the object ids in <paramref name="nodes"/>: named locations from the tenant's snapshot, users and groups
    /// from the directory. A lookup that fails leaves the ids unnamed (the cards then say so); it never stops a plan.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> NamesAsync(TenantSnapshot snapshot, IEnumerable<JsonNode?> nodes, CancellationToken ct)
    {
        var ids = nodes.SelectMany(PolicyWords.ObjectIds).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var location in snapshot.Locations.Where(l => ids.Contains(l.Id, StringComparer.OrdinalIgnoreCase)))
            names[location.Id] = $"{location.DisplayName} (named location)";
        var rest = ids.Where(id => !names.ContainsKey(id)).ToList();
        if (rest.Count == 0) return names;
        try
        {
            foreach (var (id, name) in await people.NamesAsync(rest, ct)) names[id] = name;
        }
        catch (DirectoryException ex)
        {
            logger.LogWarning("Names for a plan not read: {Kind} {GraphCode}", ex.Kind, ex.GraphCode);
        }
        return names;
    }

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
            if (!string.Equals(admin, except, StringComparison.OrdinalIgnoreCase)) await workflow.Cards.NotifyUserAsync(admin, text, ct);
    }

    private async Task AnnounceCardAsync(JsonObject card, CancellationToken ct)
    {
        foreach (var admin in await AdminsAsync(ct)) await workflow.Cards.SendCardToUserAsync(admin, card, ct);
        if (options.Value.AdminsChannelId is { Length: > 0 } channel) await workflow.Cards.SendCardToConversationAsync(channel, card, ct);
    }

    private async Task<IReadOnlyList<string>> AdminsAsync(CancellationToken ct) =>
        options.Value.AdminsGroupId is { Length: > 0 } group ? await people.GetGroupUserIdsAsync(group, ct) : [];

    private Task Audit(string action, Person actor, string target, string outcome, string? details, CancellationToken ct) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), action, actor.Id, actor.Name, target, outcome, details), ct);
}

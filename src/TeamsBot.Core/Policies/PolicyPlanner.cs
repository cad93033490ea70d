using TeamsBot.Access;
using TeamsBot.Directory;

namespace TeamsBot.Policies;

/// <summary>A plan, or why there can't be one.</summary>
public sealed record PlanVerdict(PolicyPlan? Plan, IReadOnlyList<string> Problems);

/// <summary>Computes deploy and promote plans from a tenant snapshot. Pure: the same snapshot gives the same plan.</summary>
public sealed class PolicyPlanner(RegistrationPolicies templates, PolicyInspector inspector, IOptions<PolicyOptions> options,
    IOptions<BreakGlassOptions> breakGlass, TimeProvider time)
{
    /// <summary>The plan with what it does to people: the What-If matrix before and after it (<see cref="PolicyEffects"/>).</summary>
    private PolicyPlan WithEffects(PolicyPlan plan, TenantSnapshot snapshot)
    {
        var before = snapshot.Policies.Where(v => v.Deployed).Select(v => v.Live!.Body).ToList();
        var after = new List<JsonObject>();
        foreach (var view in snapshot.Policies)
        {
            var step = plan.Steps.FirstOrDefault(s => s.Key == view.Key);
            var policy = step switch
            {
                { Operation: PlanOperations.Create, Body: { } body } => body,
                { Operation: PlanOperations.Update or PlanOperations.Promote or PlanOperations.Restore, Body: { } patch } when view.Deployed
                    => PolicyEffects.Patched(view.Live!.Body, patch),
                _ => view.Live?.Body,
            };
            if (policy is not null) after.Add(policy);
        }
        return plan with { Effects = PolicyEffects.Compute(before, after, snapshot.Locations.Any(l => l.IsTrusted), breakGlass.Value) };
    }

    private static readonly string[] PatchableFields = ["displayName", "description", "conditions", "grantControls", "sessionControls"];

    /// <summary>
    /// Creates or restores both policies, unless policy A's grant would lock new hires out (a Temporary Access Pass
    /// can't satisfy it): then no plan, and why.
    /// </summary>
    public PlanVerdict Deploy(TenantSnapshot snapshot)
    {
        var steps = snapshot.Policies.Select(DeployStep).ToList();
        var notes = new List<string>();
        var warnings = new List<string>();
        var a = steps.First(s => s.Key == PolicyKey.A);
        if (a.Operation == PlanOperations.Create || (a.Operation == PlanOperations.Update && a.Changes.Any(c => c.Path.StartsWith("grantControls", StringComparison.Ordinal))))
        {
            var grant = templates.GrantA;
            var verdict = grant.CheckForNewHires(snapshot.AuthenticationStrengths, snapshot.TapPolicy);
            if (verdict.Refusals.Count > 0) return new PlanVerdict(null, verdict.Refusals);
            notes.Add($"Policy A's grant outside trusted locations: {grant.Describe(snapshot.StrengthName)}.");
            warnings.AddRange(verdict.Warnings);
        }
        return new PlanVerdict(WithEffects(new PolicyPlan(PolicyPlan.Deploy, steps, Notes: notes.Count == 0 ? null : notes,
            Warnings: warnings.Count == 0 ? null : warnings), snapshot), []);
    }

    private PlanStep DeployStep(PolicyView view)
    {
        var expected = templates.Render(view.Key);
        if (!view.Deployed)
        {
            return new PlanStep(view.Key, PlanOperations.Create,
                [new FieldChange("policy", $"created in report-only: {RegistrationPolicies.Purpose(view.Key)}", null)], expected, null);
        }
        var live = view.Live!;
        var changes = view.Drift.ToList();
        var patch = new JsonObject();
        foreach (var field in PatchableFields)
            if (changes.Any(c => c.Path == field || c.Path.StartsWith(field + ".", StringComparison.Ordinal)))
                patch[field] = expected[field]?.DeepClone() ?? (field == "sessionControls" ? null : new JsonObject());
        if (view.StateDrift)
        {
            changes.Add(new FieldChange("state", view.Record!.State, live.State));
            patch["state"] = view.Record.State;
        }
        if (patch.Count > 0) return new PlanStep(view.Key, PlanOperations.Update, changes, patch, live.Id);
        return view.Record is null
            ? new PlanStep(view.Key, PlanOperations.Adopt, [new FieldChange("record", "kept by the bot", "found by its name")], null, live.Id)
            : new PlanStep(view.Key, PlanOperations.None, [], null, live.Id);
    }

    /// <summary>
    /// Accepting a policy's current difference from its template through a date (UTC), with a reason: the drift watch
    /// stays quiet about exactly this difference until then. <paramref name="driftId"/> (from an alert card) must still
    /// name the current difference.
    /// </summary>
    public PlanVerdict Accept(TenantSnapshot snapshot, PolicyKey key, string? driftId, DateOnly? through, string? reason)
    {
        var view = snapshot[key];
        var problems = new List<string>();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var latest = DateOnly.FromDateTime((time.GetUtcNow() + options.Value.MaxDriftAcceptance).UtcDateTime);
        if (!view.Deployed) problems.Add($"Policy {key} is gone from the tenant: restore it with **policy deploy**; a missing policy can't be accepted.");
        else if (view.Record is null) problems.Add($"The bot doesn't manage policy {key} yet: **policy deploy** takes it over first.");
        else if (!view.HasDrift) problems.Add($"Policy {key} matches its template: there is no change to accept.");
        else if (driftId is not null && driftId != view.DriftId)
            problems.Add($"Policy {key} changed again since that alert: type **policy status** to see what it is now, and accept that.");
        if (through is not { } date) problems.Add("Say until when (a date) the change is accepted.");
        else if (date < today) problems.Add($"{date:yyyy-MM-dd} has passed: pick a date from today on.");
        else if (date > latest) problems.Add($"A change can be accepted for {options.Value.MaxDriftAcceptance.TotalDays:0.#} days at most (Policies:MaxDriftAcceptance): until {latest:yyyy-MM-dd}.");
        if (string.IsNullOrWhiteSpace(reason)) problems.Add("Say why the change is accepted.");
        if (problems.Count > 0) return new PlanVerdict(null, problems);
        var changes = view.Drift.Concat(view.StateDrift ? [new FieldChange("state", view.Record!.State, view.Live!.State)] : []).ToList();
        return new PlanVerdict(new PolicyPlan(PolicyPlan.AcceptAction, [new PlanStep(key, PlanOperations.Accept, changes, null, view.Live!.Id)],
            AcceptThrough: through, AcceptReason: reason!.Trim()), []);
    }

    /// <summary>
    /// Putting a policy back as it was in a kept version: every writable field and the state (created again if the policy
    /// is gone). A version whose grant a Temporary Access Pass can't satisfy is refused, as a deployment would be.
    /// </summary>
    public PlanVerdict Restore(TenantSnapshot snapshot, PolicyVersion version)
    {
        var view = snapshot[version.Key];
        if (version.Key == PolicyKey.A && GrantControls.FromPolicy(version.Policy) is { } grant
            && grant.CheckForNewHires(snapshot.AuthenticationStrengths, snapshot.TapPolicy).Refusals is { Count: > 0 } refusals)
            return new PlanVerdict(null, refusals);
        var body = CaPolicyJson.Writable(version.Policy);
        PlanStep step;
        if (!view.Deployed)
        {
            step = new PlanStep(version.Key, PlanOperations.Create, [new FieldChange("policy", $"created again as {version.Name}", null)], body, null);
        }
        else
        {
            var changes = PolicyDiff.Compare(version.Policy, view.Live!.Body).ToList();
            if (!string.Equals(version.State, view.Live.State, StringComparison.OrdinalIgnoreCase))
                changes.Add(new FieldChange("state", version.State, view.Live.State));
            step = new PlanStep(version.Key, changes.Count == 0 ? PlanOperations.None : PlanOperations.Restore, changes, body, view.Live.Id);
        }
        return new PlanVerdict(WithEffects(new PolicyPlan(PolicyPlan.RestoreAction, [step], RestoreVersion: version.Number), snapshot), []);
    }

    /// <summary>A promotion to On, if every gate passes (the report-only time gate may be overridden with a reason).</summary>
    public PlanVerdict Promote(TenantSnapshot snapshot, IReadOnlyList<PolicyKey> keys, string? overrideReason)
    {
        var problems = new List<string>();
        var steps = new List<PlanStep>();
        var failedPreconditions = inspector.Preconditions(snapshot).Where(p => p.Blocks).ToList();
        problems.AddRange(failedPreconditions.Select(p => $"{p.Name}: no. {p.Detail}"));
        foreach (var key in keys)
        {
            var view = snapshot[key];
            var name = $"Policy {key}";
            if (!view.Deployed)
            {
                problems.Add($"{name} is not deployed. Run **policy deploy** first.");
                continue;
            }
            if (view.HasDrift)
            {
                problems.Add($"{name} differs from its template ({string.Join(", ", view.Drift.Select(d => d.Path).Concat(view.StateDrift ? ["state"] : []))}). Run **policy deploy** to restore it first.");
                continue;
            }
            if (view.Live!.State == RegistrationPolicies.Enabled)
            {
                steps.Add(new PlanStep(key, PlanOperations.None, [], null, view.Live.Id));
                continue;
            }
            var since = view.Record?.ReportOnlySince ?? view.Live.ModifiedDateTime ?? view.Live.CreatedDateTime;
            var ready = since is { } s ? s + options.Value.MinimumReportOnlyTime : (DateTimeOffset?)null;
            if ((ready is null || ready > time.GetUtcNow()) && string.IsNullOrWhiteSpace(overrideReason))
            {
                // The placeholder is written ‹reason›: an angle-bracketed <reason> is taken for markup and vanishes in Teams.
                problems.Add($"{name} has been report-only for less than {options.Value.MinimumReportOnlyTime.TotalDays:0.#} days{(ready is { } r ? $" (until {Cards.Card.When(r)})" : "")}. To promote it now, say why: **policy promote {key} because ‹reason›**, for example: policy promote {key} because the pilot group confirmed it works.");
                continue;
            }
            steps.Add(new PlanStep(key, PlanOperations.Promote, [new FieldChange("state", RegistrationPolicies.Enabled, view.Live.State)],
                new JsonObject { ["state"] = RegistrationPolicies.Enabled }, view.Live.Id));
        }
        if (problems.Count > 0) return new PlanVerdict(null, problems);
        return new PlanVerdict(WithEffects(new PolicyPlan(PolicyPlan.PromoteAction, steps, string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim()),
            snapshot), []);
    }
}

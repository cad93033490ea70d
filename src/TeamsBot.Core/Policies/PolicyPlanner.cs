namespace TeamsBot.Policies;

/// <summary>A plan, or why there can't be one.</summary>
public sealed record PlanVerdict(PolicyPlan? Plan, IReadOnlyList<string> Problems);

/// <summary>Computes deploy and promote plans from a tenant snapshot. Pure: the same snapshot gives the same plan.</summary>
public sealed class PolicyPlanner(RegistrationPolicies templates, PolicyInspector inspector, IOptions<PolicyOptions> options, TimeProvider time)
{
    private static readonly string[] PatchableFields = ["displayName", "description", "conditions", "grantControls", "sessionControls"];

    public PolicyPlan Deploy(TenantSnapshot snapshot) => new(PolicyPlan.Deploy, [.. snapshot.Policies.Select(DeployStep)]);

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

    /// <summary>A promotion to On, if every gate passes (the report-only time gate may be overridden with a reason).</summary>
    public PlanVerdict Promote(TenantSnapshot snapshot, IReadOnlyList<PolicyKey> keys, string? overrideReason)
    {
        var problems = new List<string>();
        var steps = new List<PlanStep>();
        var failedPreconditions = inspector.Preconditions(snapshot).Where(p => !p.Ok).ToList();
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
        return new PlanVerdict(new PolicyPlan(PolicyPlan.PromoteAction, steps, string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim()), []);
    }
}

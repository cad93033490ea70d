using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Directory;
using TeamsBot.Storage;
using static TeamsBot.Cards.Card;

namespace TeamsBot.Policies;

/// <summary>Which page of the audit an "Older" button asks for.</summary>
public sealed record AuditPageData([property: JsonPropertyName("before")] string? Cursor)
{
    public static JsonObject Before(string cursor) =>
        JsonSerializer.SerializeToNode(new AuditPageData(cursor), PolicyDataJson.Default.AuditPageData)!.AsObject();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditPageData))]
[JsonSerializable(typeof(PolicyKeysData))]
public sealed partial class PolicyDataJson : JsonSerializerContext;

/// <summary>Which policies a promote or roll-back button is about ("A", "B" or "all").</summary>
public sealed record PolicyKeysData([property: JsonPropertyName("which")] string? Which)
{
    public static JsonObject For(IReadOnlyList<PolicyKey> keys) => JsonSerializer.SerializeToNode(
        new PolicyKeysData(keys.Count == RegistrationPolicies.All.Count ? "all" : string.Join("", keys)), PolicyDataJson.Default.PolicyKeysData)!.AsObject();
}

/// <summary>The policy verbs; approve, reject and cancel are the approvals' own (<see cref="ApprovalVerbs"/>).</summary>
public static class PolicyVerbs
{
    public const string Status = "policy.status";
    public const string Promote = "policy.promote";
    public const string Rollback = "policy.rollback";
    public const string Deploy = "policy.deploy";
    public const string Audit = "policy.audit";
    public const string Accept = "policy.accept";
    public const string Restore = "policy.restore";
}

/// <summary>The data of a history card's "Restore vN" button: which policy, which kept version.</summary>
public sealed record PolicyVersionAction(
    [property: JsonPropertyName("policy")] string? Policy,
    [property: JsonPropertyName("version")] string? VersionText)
{
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, PolicyVersionActionJson.Default.PolicyVersionAction)!.AsObject();

    [JsonIgnore]
    public int? Version => int.TryParse(VersionText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyVersionAction))]
public sealed partial class PolicyVersionActionJson : JsonSerializerContext;

/// <summary>
/// The data of a drift alert's "Accept" button: which policy, which difference (<see cref="PolicyView.DriftId"/>), and
/// the inputs typed into the card (until when, why). Who clicked comes from the activity.
/// </summary>
public sealed record DriftAcceptAction(
    [property: JsonPropertyName("policy")] string? Policy,
    [property: JsonPropertyName("drift")] string? DriftId,
    [property: JsonPropertyName(DriftAcceptAction.UntilInput)] string? Until = null,
    [property: JsonPropertyName(DriftAcceptAction.ReasonInput)] string? Reason = null)
{
    public const string UntilInput = "until";
    public const string ReasonInput = "reason";

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, DriftAcceptActionJson.Default.DriftAcceptAction)!.AsObject();

    /// <summary>The date typed (yyyy-MM-dd, as Input.Date sends it), or null.</summary>
    [JsonIgnore]
    public DateOnly? Through => DateOnly.TryParseExact(Until?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DriftAcceptAction))]
public sealed partial class DriftAcceptActionJson : JsonSerializerContext;

/// <summary>The policy cards: status, plans (for the planner and the approvers), drift alerts, the audit list.</summary>
public sealed partial class PolicyCards
{
    public JsonObject PlanCard(ApprovalRecord record, string audience, string? notice = null)
    {
        var plan = record.Plan();
        var body = new List<JsonNode?> { Card.Title($"Plan: {plan.Title}") };
        if (notice is not null) body.Add(Card.Text(notice, weight: "Bolder"));
        body.Add(Card.Container([Card.Text(StateLine(record), weight: "Bolder")], style: record.State switch
        {
            ApprovalState.Completed => "good",
            ApprovalState.Pending or ApprovalState.Approved or ApprovalState.Executing => "accent",
            _ => "attention",
        }));
        body.Add(Card.Facts(("Planned by", record.Requester.Name), ("Planned", When(record.CreatedAt)), ("Reference", record.Reference),
            ("Override", plan.OverrideReason)));
        var names = plan.Names ?? new Dictionary<string, string>();
        foreach (var step in plan.Steps) body.AddRange(StepBlocks(step, record.State, names));
        body.AddRange(EffectBlocks(plan));
        body.AddRange(NoteBlocks(plan));
        if (record.State == ApprovalState.Pending && audience != Audiences.Requester)
            body.Add(Card.Text("Approving applies the plan at once. The bot reads the tenant again first and stops if it changed.", subtle: true));
        var actions = new List<JsonNode?> { Details(plan, names) };
        if (record.State == ApprovalState.Pending)
        {
            if (audience == Audiences.Requester) actions.Add(ApprovalButtons.Cancel(record, "Cancel plan"));
            else actions.AddRange(ApprovalButtons.Decide(record, "Approve plan", "Reject plan", "Why are you rejecting the plan?", "Say why."));
        }
        return Card.Create(body, actions);
    }

    private static IEnumerable<JsonNode?> StepBlocks(PlanStep step, ApprovalState state, IReadOnlyDictionary<string, string> names)
    {
        var what = step.Operation switch
        {
            PlanOperations.Create => "create it in report-only",
            PlanOperations.Update => "restore the fields that differ from the template",
            PlanOperations.Adopt => "take it over (found by its name; no change)",
            PlanOperations.Promote => "turn it on (enforce it)",
            PlanOperations.Accept => "accept the change made outside the bot (no change to the policy)",
            PlanOperations.Restore => "put it back as it was in that version",
            _ => "nothing to do",
        };
        var progress = step.Done ? $" ✔ {Done(step.Result)}" : state == ApprovalState.Executing && step.Operation != PlanOperations.None ? " …" : "";
        yield return Card.Text($"**Policy {step.Key}** · {RegistrationPolicies.DisplayName(step.Key)}: {what}{progress}", separator: true);
        if (step.Changes.Count > 0 && step.Operation is PlanOperations.Update or PlanOperations.Promote or PlanOperations.Accept or PlanOperations.Restore)
            yield return Card.Facts([.. step.Changes.Take(12).Select(c => (PolicyWords.Label(c.Path),
                (string?)$"{PolicyWords.Value(c.Path, c.Actual, names)} → {PolicyWords.Value(c.Path, c.Expected, names)}"))]);
        if (step.Operation == PlanOperations.Create && step.Body is { } policy)
            yield return Card.Facts(Summary(policy, names));
    }

    /// <summary>A step's result without the ids it carries (those are in the details).</summary>
    private static string? Done(string? result) => result is null ? null : IdInParentheses().Replace(result, "");

    /// <summary>The ids behind the plan (records, policies, users, groups, locations), collapsed: for the admin who wants them.</summary>
    private static JsonObject Details(PolicyPlan plan, IReadOnlyDictionary<string, string> names)
    {
        var facts = new List<(string, string?)>();
        foreach (var step in plan.Steps)
        {
            var created = IdInParentheses().Match(step.Result ?? "") is { Success: true } m ? m.Value.Trim().Trim('(', ')')[3..] : null;
            facts.Add(($"Policy {step.Key}", step.PolicyId ?? created ?? "not created yet"));
            foreach (var change in step.Changes.Take(12)) facts.Add((change.Path, $"{change.Actual ?? "(none)"} → {change.Expected ?? "(none)"}"));
        }
        foreach (var (id, name) in names) facts.Add((name, id));
        return Card.ShowCard("Details", [Card.Facts([.. facts])], []);
    }

    /// <summary>What a policy does, in words (for a policy the plan creates).</summary>
    public static (string, string?)[] Summary(JsonObject policy, IReadOnlyDictionary<string, string> names)
    {
        var users = policy["conditions"]?["users"];
        var include = users?["includeGuestsOrExternalUsers"] is { } guests
            ? "guests and external users: " + PolicyWords.Node("conditions.users.includeGuestsOrExternalUsers", guests, names)
            : PolicyWords.Node("conditions.users.includeUsers", users?["includeUsers"], names);
        var exclude = string.Join("; ", new[]
        {
            users?["excludeGuestsOrExternalUsers"] is not null ? "guests and external users" : null,
            users?["excludeUsers"] is JsonArray { Count: > 0 } u ? PolicyWords.Node("conditions.users.excludeUsers", u, names) : null,
            users?["excludeGroups"] is JsonArray { Count: > 0 } g ? "members of " + PolicyWords.Node("conditions.users.excludeGroups", g, names) : null,
        }.OfType<string>());
        var locations = policy["conditions"]?["locations"];
        var grant = policy["grantControls"];
        return
        [
            ("Users", include),
            ("Except", exclude.Length == 0 ? null : exclude),
            ("When they", PolicyWords.Node("conditions.applications.includeUserActions", policy["conditions"]?["applications"]?["includeUserActions"], names)),
            ("From", $"{PolicyWords.Node("conditions.locations.includeLocations", locations?["includeLocations"], names)} except {PolicyWords.Node("conditions.locations.excludeLocations", locations?["excludeLocations"], names)}"),
            ("Then", GrantControls.FromPolicy(policy)?.Describe() ?? PolicyWords.Node("grantControls.builtInControls", grant?["builtInControls"], names)),
            ("State", PolicyWords.Node("state", policy["state"], names)),
        ];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*\(id [^)]*\)")]
    private static partial System.Text.RegularExpressions.Regex IdInParentheses();

    private string StateLine(ApprovalRecord record)
    {
        var d = record.Decision;
        return record.State switch
        {
            ApprovalState.Pending => $"Waiting for a second policy admin (expires {When(record.ExpiresAt)}).",
            ApprovalState.Approved => $"Approved by {d?.By.Name} {When(d?.At)}; applying…",
            ApprovalState.Executing => $"Approved by {d?.By.Name}; applying…",
            ApprovalState.Completed => $"Applied. Approved by {d?.By.Name} {When(d?.At)}. {record.Outcome}",
            ApprovalState.Failed => $"Not applied (or only in part): {record.Outcome}",
            ApprovalState.Rejected => $"Rejected by {d?.By.Name} {When(d?.At)}: {d?.Comment}",
            ApprovalState.Expired => $"Expired {When(record.ExpiresAt)} without a decision.",
            ApprovalState.Cancelled => $"Cancelled by {record.Requester.Name} {When(record.UpdatedAt)}.",
            ApprovalState.Refused => record.Outcome ?? "Not sent: no other policy admin could be reached.",
            _ => record.State.ToString(),
        };
    }

    public JsonObject Status(PolicyStatus status)
    {
        var body = new List<JsonNode?> { Card.Title("Security-info registration policies") };
        foreach (var view in status.Snapshot.Policies)
        {
            body.Add(Card.Text($"**Policy {view.Key}** · {RegistrationPolicies.DisplayName(view.Key)}", separator: true));
            body.Add(Card.Facts(
                ("State", StateOf(view)),
                ("Purpose", RegistrationPolicies.Purpose(view.Key)),
                ("Grant", view.GrantSummary),
                ("Drift", !view.Deployed ? null : view.HasDrift
                    ? string.Join("; ", view.Drift.Select(d => PolicyWords.Label(d.Path)).Distinct().Concat(view.StateDrift
                        ? [$"state ({PolicyWords.Node("state", JsonValue.Create(view.Live!.State), Empty)}, the bot set {PolicyWords.Node("state", JsonValue.Create(view.Record!.State), Empty)})"]
                        : []))
                    : "None: matches the template"),
                ("Change accepted", view.DriftAccepted && view.Record?.Accepted is { } accepted
                    ? $"until {When(accepted.Until)} ({accepted.By}, plan {accepted.Reference}): {accepted.Reason}" : null),
                ("Sign-ins (30 days)", status.SignIns.TryGetValue(view.Key, out var tally) ? Tally(tally) : null)));
        }
        body.Add(Card.Text("Preconditions", weight: "Bolder", size: "Medium", separator: true));
        body.Add(Card.Facts([.. status.Preconditions.Select(p => ((p.Ok ? "✔ " : p.Blocking ? "✖ " : "⚠ ") + p.Name, (string?)p.Detail))]));
        body.AddRange(TrustedLocationBlocks(status));
        body.Add(Card.Text("What-If: registering security info", weight: "Bolder", size: "Medium", separator: true));
        if (status.MatrixNote is not null) body.Add(Card.Text(status.MatrixNote, subtle: true));
        foreach (var row in status.Matrix.GroupBy(c => c.Persona))
            body.Add(Card.Facts([.. row.Select(c => ($"{row.Key} · {c.Location}", (string?)(c.Outcome + (c.AsExpected ? "" : $" ✖ expected: {c.Expected}"))))]));
        body.Add(Card.Text("Report-only sign-in data does not cover user actions such as registering security info, so expect few or no report-only results: the What-If results are the evidence.", subtle: true));
        return Card.Create(body, NextSteps(status.Snapshot));
    }

    /// <summary>
    /// The state as the tenant has it: the tenant is the truth, and what the bot stored only says what "was" (a policy
    /// the bot deployed that is gone says so; a "since" is shown only while the tenant agrees with the bot's record).
    /// </summary>
    private static string StateOf(PolicyView view)
    {
        if (!view.Deployed)
            return view.Record is { } gone ? $"Not deployed: the bot deployed it {When(gone.DeployedAt)}, and it is gone from the tenant" : "Not deployed";
        if (view.StateDrift || view.Record is null) return view.StateName;
        var since = view.Live!.State == RegistrationPolicies.Enabled ? view.Record.EnabledAt : view.Record.ReportOnlySince;
        return view.StateName + (since is { } s ? $" since {When(s)}" : "");
    }

    /// <summary>The next sensible step for the state the card shows: deploy or restore, promote, roll back; always refresh and the audit.</summary>
    private static List<JsonNode?> NextSteps(TenantSnapshot snapshot)
    {
        var actions = new List<JsonNode?>();
        var policies = snapshot.Policies;
        if (policies.Any(p => !p.Deployed))
            actions.Add(Card.Execute("Plan a deployment", PolicyVerbs.Deploy, style: "positive"));
        else if (policies.Any(p => p.HasDrift))
            actions.Add(Card.Execute("Plan restoring the templates", PolicyVerbs.Deploy, style: "positive"));
        else if (policies.Any(p => p.Live!.State == RegistrationPolicies.ReportOnly))
        {
            var reportOnly = policies.Where(p => p.Live!.State == RegistrationPolicies.ReportOnly).Select(p => p.Key).ToList();
            actions.Add(Card.Execute(reportOnly.Count == 1 ? $"Plan turning {reportOnly[0]} on" : "Plan turning both on", PolicyVerbs.Promote,
                PolicyKeysData.For(reportOnly), "positive"));
        }
        var on = policies.Where(p => p.Live?.State == RegistrationPolicies.Enabled).Select(p => p.Key).ToList();
        if (on.Count > 0)
            actions.Add(Card.ShowCard("Roll back…", [Card.Text(on.Count == 1
                    ? $"Policy {on[0]} goes back to report-only at once (no second approval: it is the safe direction)."
                    : "Both policies go back to report-only at once (no second approval: it is the safe direction).")],
                [Card.Execute(on.Count == 1 ? $"Roll {on[0]} back to report-only" : "Roll both back to report-only", PolicyVerbs.Rollback,
                    PolicyKeysData.For(on), "destructive")]));
        actions.Add(Card.Execute("Refresh", PolicyVerbs.Status));
        actions.Add(Card.Execute("Audit", PolicyVerbs.Audit));
        return actions;
    }

    public JsonObject Drift(IReadOnlyList<PolicyView> drifted, IReadOnlyDictionary<PolicyKey, DriftNews>? news = null,
        IReadOnlyDictionary<string, string>? names = null)
    {
        names ??= Empty;
        var body = new List<JsonNode?> { Card.Title("Registration policy changed outside the bot") };
        foreach (var view in drifted)
        {
            body.Add(Card.Text($"**Policy {view.Key}** · {RegistrationPolicies.DisplayName(view.Key)}", separator: true));
            if (!view.Deployed) body.Add(Card.Problem("It is gone from the tenant (deleted?)."));
            body.Add(Card.Facts([.. view.Drift.Take(12).Select(c => (PolicyWords.Label(c.Path),
                    (string?)$"{PolicyWords.Value(c.Path, c.Actual, names)} (should be: {PolicyWords.Value(c.Path, c.Expected, names)})")),
                .. view.StateDrift
                    ? [("State", (string?)$"{PolicyWords.Node("state", JsonValue.Create(view.Live!.State), names)} (the bot set it {PolicyWords.Node("state", JsonValue.Create(view.Record!.State), names)})")]
                    : Array.Empty<(string, string?)>()]));
            body.AddRange(DriftChoiceBlocks(view, news?.GetValueOrDefault(view.Key)));
        }
        body.Add(Card.Text("Restore the template with a deployment plan (**policy deploy**), or accept the change until a date; either way a second admin approves. **policy status** shows the whole picture.", subtle: true));
        return Card.Create(body, [Card.Execute("Status", PolicyVerbs.Status), Card.Execute("Plan a deployment", PolicyVerbs.Deploy)]);
    }

    /// <summary>A policy's kept versions, newest first, each with who applied it, when, and a button to plan restoring it.</summary>
    public JsonObject History(PolicyKey key, IReadOnlyList<PolicyVersion> versions)
    {
        var body = new List<JsonNode?>
        {
            Card.Title($"Policy {key} · history"),
            Card.Text(RegistrationPolicies.DisplayName(key), subtle: true),
        };
        if (versions.Count == 0) body.Add(Card.Text("No version kept yet: every change the bot applies from now on is kept here."));
        foreach (var version in versions)
        {
            var state = version.State switch
            {
                RegistrationPolicies.ReportOnly => "report-only",
                RegistrationPolicies.Enabled => "On",
                var other => other,
            };
            body.Add(Card.Container(
            [
                Card.Text($"**{version.Name}** · {version.What} · {state}"),
                Card.Text($"{version.AppliedBy} · {When(version.At)}{(version.PlanReference is null ? "" : $" · plan {version.PlanReference}")}", subtle: true),
                Card.Actions(Card.Execute($"Restore {version.Name}", PolicyVerbs.Restore,
                    new PolicyVersionAction(key.ToString(), version.Number.ToString(CultureInfo.InvariantCulture)).ToJson())),
            ], separator: true));
        }
        body.Add(Card.Text("Restoring a version is a plan: another policy admin approves it.", subtle: true));
        return Card.Create(body, [Card.Execute("Status", PolicyVerbs.Status)]);
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>The audit, one line per event in words, newest first; codes and ids in the details; older entries a click away.</summary>
    public JsonObject Audit(AuditPage page)
    {
        var body = new List<JsonNode?> { Card.Title("Audit (newest first)") };
        if (page.Entries.Count == 0) body.Add(Card.Text("Nothing recorded yet."));
        foreach (var e in page.Entries)
            body.Add(Card.Text($"{AuditWords.Sentence(e)} · {When(e.At)}", separator: true));
        var actions = new List<JsonNode?>();
        if (page.Entries.Count > 0)
            actions.Add(Card.ShowCard("Details", [Card.Facts([.. page.Entries.Select(e => ($"{e.Action} · {e.Outcome}",
                (string?)$"{e.At:yyyy-MM-dd HH:mm:ss} UTC · {e.ActorName} ({e.ActorId}) → {e.Target}{(e.Details is null ? "" : ": " + e.Details)}"))])], []));
        if (page.Next is { } next) actions.Add(Card.Execute("Older", PolicyVerbs.Audit, AuditPageData.Before(next)));
        return Card.Create(body, actions);
    }

    public JsonObject Message(string title, IEnumerable<string> lines, bool problem = false)
    {
        var body = new List<JsonNode?> { Card.Title(title) };
        body.AddRange(lines.Select(l => problem ? Card.Problem(l) : Card.Text(l)));
        return Card.Create(body, [Card.Execute("Status", PolicyVerbs.Status)]);
    }

    /// <summary>Who changed the policy (from the directory audit log), an acceptance that ran out, and the choice to accept the change.</summary>
    private static IEnumerable<JsonNode?> DriftChoiceBlocks(PolicyView view, DriftNews? news)
    {
        if (news is null) yield break;
        var who = news.ChangedBy.Count > 0
            ? string.Join("; ", news.ChangedBy.Select(c => $"{c.Actor}, {When(c.At)} ({c.Activity})"))
            : news.AuditProblem is not null ? $"unknown: {news.AuditProblem}"
            : "the directory audit log names nobody since the bot's last change";
        yield return Card.Facts(("Changed by", who),
            ("Accepted until", news.ExpiredAcceptance is { } a ? $"{When(a.Until)}, which has passed ({a.By}: {a.Reason})" : null));
        if (!view.Deployed || view.DriftId is not { } driftId) yield break;
        var data = new DriftAcceptAction(view.Key.ToString(), driftId).ToJson();
        yield return Card.Actions(Card.ShowCard($"Accept the change to policy {view.Key}…",
            [
                Card.InputDate(DriftAcceptAction.UntilInput, "Accept it through (UTC)", null, required: true),
                Card.InputText(DriftAcceptAction.ReasonInput, "Why is the change accepted?", required: true, errorMessage: "Say why.", maxLength: 500, multiline: true),
            ],
            [Card.Execute("Plan accepting it", PolicyVerbs.Accept, data)]));
    }

    /// <summary>Each location the policies treat as trusted, what it covers, and why it makes them hollow.</summary>
    private static IEnumerable<JsonNode?> TrustedLocationBlocks(PolicyStatus status)
    {
        if (status.TrustedLocations is not { } locations) yield break;
        yield return Card.Text("Trusted locations", weight: "Bolder", size: "Medium", separator: true);
        if (locations.Count == 0)
        {
            yield return Card.Text("None: policy A asks for MFA everywhere and policy B blocks guests everywhere.", subtle: true);
            yield break;
        }
        yield return Card.Facts([.. locations.Select(l => ((l.Hollow ? "✖ " : "✔ ") + l.Name,
            (string?)($"{l.Covers} ({l.Why})" + (l.Hollow ? ". Hollow: " + string.Join("; ", l.Problems) : ""))))]);
    }

    /// <summary>The What-If matrix before and after the plan, the cells it changes highlighted.</summary>
    private static IEnumerable<JsonNode?> EffectBlocks(PolicyPlan plan)
    {
        if (plan.Effects is not { Count: > 0 } effects) yield break;
        var changed = effects.Count(e => e.Changed);
        yield return Card.Text("What it does to people registering security info", weight: "Bolder", separator: true);
        yield return Card.Text(changed == 0 ? "Nobody is treated differently." : $"{changed} of {effects.Count} cases change (highlighted).", subtle: true);
        yield return Card.Columns(
            Card.Column([Card.Text("Who · where", weight: "Bolder")]),
            Card.Column([Card.Text("Now", weight: "Bolder")]),
            Card.Column([Card.Text("After the plan", weight: "Bolder")]));
        foreach (var effect in effects)
        {
            var row = Card.Columns(
                Card.Column([Card.Text($"{effect.Persona} · {effect.Location}")]),
                Card.Column([Card.Text(effect.Before, subtle: effect.Changed)]),
                Card.Column([effect.Changed ? Card.Text($"{effect.After} (changed)", weight: "Bolder", color: "Warning") : Card.Text(effect.After)]));
            yield return effect.Changed ? Card.Container([row], style: "warning") : row;
        }
    }

    /// <summary>What the planner noted about the plan (the grant it deploys) and its warnings (about new hires).</summary>
    private static IEnumerable<JsonNode?> NoteBlocks(PolicyPlan plan)
    {
        var first = true;
        foreach (var note in plan.Notes ?? [])
        {
            yield return Card.Text(note, separator: first);
            first = false;
        }
        foreach (var warning in plan.Warnings ?? [])
        {
            yield return Card.Text("⚠ " + warning, color: "Warning", separator: first);
            first = false;
        }
    }

    private static string Tally(SignInTally tally) => !tally.Available
        ? $"Not available: {tally.UnavailableReason}"
        : tally.Total == 0 ? "None recorded"
        : $"{tally.Total} ({string.Join(", ", tally.ByResult.Select(kv => $"{kv.Key} {kv.Value}"))})";

}

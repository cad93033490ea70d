using TeamsBot.Approvals;
using TeamsBot.Cards;
using static TeamsBot.Cards.Card;

namespace TeamsBot.Tap;

/// <summary>The onboarding batch verbs; approve, reject and cancel are the approvals' own (<see cref="ApprovalVerbs"/>).</summary>
public static class TapBatchVerbs
{
    public const string Pick = "tap.batch.pick";
    public const string Submit = "tap.batch.submit";
}

/// <summary>Every onboarding batch card, drawn from the record (or the form's values) alone. Each person's pass has its own TAP request card.</summary>
public sealed class TapBatchCards
{
    /// <summary>Pick several of your reports.</summary>
    public JsonObject Pick(TapBatchPick pick)
    {
        var body = new List<JsonNode?>
        {
            Card.Title("Passes for several new hires"),
            Card.Text("Pick the people; the next card asks when each pass starts. An approver decides them all at once; then only you can see the passes.", subtle: true),
        };
        if (pick.Problem is not null) body.Add(Card.Problem(pick.Problem));
        if (pick.Reports.Count == 0)
        {
            body.Add(Card.Text("Entra ID lists nobody who reports to you. Type **tap** followed by their sign-in names instead, e.g. **tap aiko@contoso.com bruno@contoso.com**."));
            return Card.Create(body);
        }
        var choices = Card.ChoiceSet(TapBatchPickData.ReportsInput, "Your direct reports",
            pick.Reports.Select(r => (r.EmployeeHireDate is { } hire ? $"{r.DisplayName}, starts {hire:yyyy-MM-dd}" : r.DisplayName, r.Id)),
            required: true, errorMessage: "Pick at least two people.");
        choices["isMultiSelect"] = true;
        choices["style"] = "expanded";
        body.Add(choices);
        return Card.Create(body, [Card.Execute("Continue", TapBatchVerbs.Pick, TapBatchPickData.ForDraft(pick.DraftId), "positive")]);
    }

    /// <summary>The batch form: a start per person, and what they share.</summary>
    public JsonObject Form(TapBatchForm form)
    {
        var (rows, policy, values) = (form.Rows, form.Policy, form.Values);
        var body = new List<JsonNode?>
        {
            Card.Title($"Passes for {rows.Count} new hires"),
            Card.Text("Each person gets their own one-time code to sign in and set up their own sign-in methods. An approver decides them all at once; then only you can see the passes.", subtle: true),
        };
        foreach (var problem in form.Problems) body.Add(Card.Problem(problem));
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            body.Add(Card.InputDate(TapBatchFormData.StartDateInput(i),
                row.HireDate is { } hire ? $"{row.Label}: starts on (08:00; empty: their hire date, {hire:yyyy-MM-dd})" : $"{row.Label}: starts on (08:00; empty: now)",
                DateOnly.TryParseExact(row.StartDate, "yyyy-MM-dd", out var d) ? d : null));
        }
        body.Add(Card.InputNumber(TapFormData.Inputs.Lifetime, $"Lifetime in minutes ({policy.MinimumLifetimeInMinutes}–{policy.MaximumLifetimeInMinutes})",
            values.Lifetime, policy.MinimumLifetimeInMinutes, policy.MaximumLifetimeInMinutes,
            $"Between {policy.MinimumLifetimeInMinutes} and {policy.MaximumLifetimeInMinutes} minutes."));
        body.Add(policy.IsUsableOnce
            ? Card.Text("One-time use (required by your tenant's policy).", subtle: true)
            : Card.InputToggle(TapFormData.Inputs.UsableOnce, "One-time use (recommended)", values.UsableOnce));
        body.Add(Card.InputToggle(TapFormData.Inputs.FileAnyway, "Include people whose pass the check says can't be used to register (the approvers see why)",
            values.FileAnyway));
        body.Add(Card.InputText(TapFormData.Inputs.Reason, "Reason", values.Reason, placeholder: "e.g. onboarding week, laptops handed out by IT",
            required: true, errorMessage: "Give a reason.", maxLength: TapEligibility.MaxReasonLength, multiline: true));
        return Card.Create(body, [Card.Execute("Submit request", TapBatchVerbs.Submit,
            TapBatchFormData.ForDraft(form.DraftId, [.. rows.Select(r => r.Target)]), "positive")]);
    }

    public JsonObject Render(ApprovalRecord record, string audience, string? notice = null)
    {
        var batch = record.Batch();
        var forRequester = audience == Audiences.Requester;
        var fine = batch.FineHires;
        var body = new List<JsonNode?>
        {
            Card.Title(forRequester ? $"Your onboarding passes for {fine.Count} people" : $"Onboarding passes for {fine.Count} people"),
        };
        if (notice is not null) body.Add(Card.Text(notice, weight: "Bolder"));
        body.Add(Card.Container([Card.Text(StateLine(record, fine.Count, forRequester), weight: "Bolder")], style: record.State switch
        {
            ApprovalState.Completed => "good",
            ApprovalState.Pending or ApprovalState.Approved or ApprovalState.Executing => "accent",
            _ => "attention",
        }));
        body.Add(Card.Facts(
            ("Requested by", forRequester ? null : record.Requester.Name),
            ("Lifetime", $"{batch.LifetimeMinutes} minutes each"),
            ("Use", batch.UsableOnce ? "One-time" : "Multi-use"),
            ("Reason", batch.Reason),
            ("Reference", record.Reference)));
        for (var i = 0; i < batch.Hires.Count; i++)
        {
            var hire = batch.Hires[i];
            if (hire.Request is { } tap && hire.Fine)
            {
                var items = new List<JsonNode?>
                {
                    Card.Text($"✓ {tap.TargetName} ({tap.TargetUpn})", weight: "Bolder"),
                    Card.Text(string.Join(" · ", new[]
                    {
                        $"starts {When(tap.StartsAt)}",
                        tap.Department,
                        tap.ExistingMethods.Any(m => m is not ("temporaryAccessPass" or "email")) ? "has sign-in methods already" : "no sign-in methods yet",
                        record.State == ApprovalState.Completed ? $"its request: {TapBatch.PartReference(record.Id, i)}" : null,
                    }.Where(s => !string.IsNullOrEmpty(s))), subtle: true),
                };
                if (tap.Outlook is { Verdict: not TapOutlookVerdict.Works } outlook)
                {
                    items.Add(outlook.Verdict == TapOutlookVerdict.Cannot
                        ? Card.Problem("The pass can't be used to register security information" + (outlook.FiledAnyway ? $"; {record.Requester.Name} included them anyway." : "."))
                        : Card.Text("Will it work? Probably, but note:", subtle: true));
                    items.AddRange(outlook.Findings.Select(f => Card.Text(f, subtle: true)));
                }
                body.Add(Card.Container(items, separator: true));
            }
            else
            {
                body.Add(Card.Container([
                    Card.Text($"✗ {hire.Name}: left out", weight: "Bolder", color: "Attention"),
                    .. hire.Problems.Select(p => Card.Text(p, subtle: true)),
                ], separator: true));
            }
        }

        var actions = new List<JsonNode?>();
        if (record.State == ApprovalState.Pending)
        {
            if (forRequester) actions.Add(ApprovalButtons.Cancel(record, "Cancel request"));
            else actions.AddRange(ApprovalButtons.Decide(record, $"Approve all {fine.Count}", "Reject request", "Why are you rejecting it?", "Say why, so the requester can fix it."));
        }
        return Card.Create(body, actions);
    }

    private static string StateLine(ApprovalRecord record, int count, bool forRequester)
    {
        var decision = record.Decision;
        return record.State switch
        {
            ApprovalState.Pending => $"Waiting for approval (expires {When(record.ExpiresAt)}).",
            ApprovalState.Approved or ApprovalState.Executing => $"Approved by {decision?.By.Name} {When(decision?.At)}; creating the passes…",
            ApprovalState.Completed => $"Approved by {decision?.By.Name} {When(decision?.At)}. Each of the {count} passes has its own card"
                + (forRequester ? " in this chat: select **Reveal pass** there." : $" in {record.Requester.Name}'s chat; only they can see the passes."),
            ApprovalState.Rejected => $"Rejected by {decision?.By.Name} {When(decision?.At)}: {decision?.Comment}",
            ApprovalState.Expired => $"Expired {When(record.ExpiresAt)} without a decision. Ask again with **onboard**.",
            ApprovalState.Cancelled => $"Cancelled by {record.Requester.Name} {When(record.UpdatedAt)}.",
            ApprovalState.Refused => record.Outcome ?? "Not sent: no approver could be reached.",
            ApprovalState.Failed => $"Approved by {decision?.By.Name}, but the passes could not be requested: {record.Outcome}",
            _ => record.State.ToString(),
        };
    }
}

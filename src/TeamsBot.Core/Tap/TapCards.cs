using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Directory;
using static TeamsBot.Cards.Card;

namespace TeamsBot.Tap;

/// <summary>The TAP verbs; approve, reject and cancel are the approvals' own (<see cref="ApprovalVerbs"/>).</summary>
public static class TapVerbs
{
    public const string New = "tap.new";
    public const string Submit = "tap.submit";
    public const string Reveal = "tap.reveal";
    public const string Hide = "tap.hide";
    public const string Revoke = "tap.revoke";
    public const string Mine = "tap.mine";
    public const string Pending = "tap.pending";
    public const string Renew = "tap.renew";
}

/// <summary>Every TAP card, drawn from the record (or the form's values) alone.</summary>
public sealed class TapCards(IOptions<TapOptions> options, TimeProvider time)
{
    /// <summary>The request form, with the problems of a previous attempt at the top.</summary>
    public JsonObject Form(TapForm form)
    {
        var (reports, policy, values, draftId, problems) = (form.Reports, form.Policy, form.Values, form.DraftId, form.Problems);
        var body = new List<JsonNode?> { Card.Title("Request a Temporary Access Pass") };
        body.Add(Card.Text("A one-time code your new hire uses to sign in and set up their own sign-in methods. An approver decides; then only you can see the pass.", subtle: true));
        foreach (var problem in problems) body.Add(Card.Problem(problem));
        // The choice's value is the person's object id: the checks then read their roles in the same round trip.
        if (reports.Count > 0)
            body.Add(Card.ChoiceSet(TapFormData.Inputs.Report, "New hire (your direct reports)",
                reports.Select(r => (r.EmployeeHireDate is { } hire && hire > time.GetUtcNow()
                    ? $"{r.DisplayName} ({r.UserPrincipalName}), starts {hire:yyyy-MM-dd}"
                    : $"{r.DisplayName} ({r.UserPrincipalName})", r.Id)),
                values.ChosenReport, placeholder: "Choose a person"));
        body.Add(Card.InputText(TapFormData.Inputs.OtherUpn, reports.Count > 0 ? "Or someone else (sign-in name)" : "New hire (sign-in name)",
            values.OtherUpn, placeholder: "alex@contoso.com", maxLength: 256));
        body.Add(Card.Columns(
            Card.Column([Card.InputDate(TapFormData.Inputs.StartDate, "Starts on (empty: their hire date, or today)", ParseDate(values.StartDate))]),
            Card.Column([Card.InputTime(TapFormData.Inputs.StartTime, $"at ({Reader.Current.ZoneName(time.GetUtcNow())})", ParseTime(values.StartTime))])));
        body.Add(Card.InputNumber(TapFormData.Inputs.Lifetime, $"Lifetime in minutes ({policy.MinimumLifetimeInMinutes}–{policy.MaximumLifetimeInMinutes})",
            values.Lifetime, policy.MinimumLifetimeInMinutes, policy.MaximumLifetimeInMinutes,
            $"Between {policy.MinimumLifetimeInMinutes} and {policy.MaximumLifetimeInMinutes} minutes."));
        body.Add(policy.IsUsableOnce
            ? Card.Text("One-time use (required by your tenant's policy).", subtle: true)
            : Card.InputToggle(TapFormData.Inputs.UsableOnce, "One-time use (recommended)", values.UsableOnce));
        if (form.OfferFileAnyway)
            body.Add(Card.InputToggle(TapFormData.Inputs.FileAnyway, "File it anyway: the approvers see why the pass may not work", false));
        body.Add(Card.InputText(TapFormData.Inputs.Reason, "Reason", values.Reason, placeholder: "e.g. first day on 1 December, laptop handed out by IT",
            required: true, errorMessage: "Give a reason.", maxLength: TapEligibility.MaxReasonLength, multiline: true));
        return Card.Create(body, [Card.Execute("Submit request", TapVerbs.Submit, TapFormData.ForDraft(draftId), "positive")]);
    }

    /// <summary>Why the person named in a command can't get a pass from this requester: no form, the reasons, the way on.</summary>
    public JsonObject NoPass(string person, IReadOnlyList<string> reasons)
    {
        var body = new List<JsonNode?> { Card.Title($"No pass for {person}") };
        body.AddRange(reasons.Select(Card.Problem));
        body.Add(Card.Text("Type **tap** for the form with your own reports, or ask your identity team if this looks wrong.", subtle: true));
        return Card.Create(body, [Card.Execute("Request a pass", TapVerbs.New)]);
    }

    public JsonObject Render(ApprovalRecord record, string audience, string? notice = null) => audience switch
    {
        Audiences.Requester => Requester(record, notice),
        _ => ForApprovers(record, audience == Audiences.Channel),
    };

    /// <summary>The requester's card: state, and the actions open to them.</summary>
    public JsonObject Requester(ApprovalRecord record, string? notice = null)
    {
        var tap = record.Tap();
        var body = new List<JsonNode?> { Card.Title($"Your TAP request for {tap.TargetName}") };
        if (notice is not null) body.Add(Card.Text(notice, weight: "Bolder"));
        body.Add(Status(record, tap, forRequester: true));
        body.Add(Details(record, tap, includeRequester: false));
        if (OutlookBlock(record, tap) is { } outlook) body.Add(outlook);
        var actions = new List<JsonNode?>();
        var data = Data(record);
        switch (record.State)
        {
            case ApprovalState.Pending:
                actions.Add(ApprovalButtons.Cancel(record, "Cancel request"));
                break;
            case ApprovalState.Completed when tap.Issued && !Ended(tap):
                if (tap.RevealedAt is null) actions.Add(Card.Execute("Reveal pass", TapVerbs.Reveal, data, "positive"));
                actions.Add(Card.Execute("Revoke pass", TapVerbs.Revoke, data, "destructive"));
                break;
            case ApprovalState.Completed when tap.ExpiredUnusedAt is not null:
                actions.Add(Card.Execute("Request a new pass", TapVerbs.Renew, data, "positive"));
                break;
        }
        return Card.Create(body, actions);
    }

    /// <summary>The card only the requester sees, in their 1:1 chat, right after Reveal. Never posted, never stored.</summary>
    public JsonObject Revealed(ApprovalRecord record, string pass)
    {
        var tap = record.Tap();
        var body = new List<JsonNode?>
        {
            Card.Title($"Temporary Access Pass for {tap.TargetName}"),
            Card.Container([Card.Text(pass, size: "ExtraLarge", weight: "Bolder", id: "pass")], style: "emphasis"),
            Card.Facts(
                ("Sign-in name", tap.TargetUpn),
                ("Valid from", When(tap.StartsAt)),
                ("Valid until", When(tap.EndsAt)),
                ("Use", tap.UsableOnce ? "One sign-in" : "Any number of sign-ins until it expires")),
            Card.Text($"Give it to {tap.TargetName} in person or by phone, never by e-mail or chat. They sign in at https://aka.ms/mysecurityinfo and register their own methods (Authenticator app or a passkey).", subtle: true),
            Card.Text($"This card hides the pass in {options.Value.RevealWindow.TotalMinutes:0} minutes; it can't be shown again.", subtle: true),
        };
        var data = Data(record);
        return Card.Create(body, [Card.Execute("Hide now", TapVerbs.Hide, data), Card.Execute("Revoke pass", TapVerbs.Revoke, data, "destructive")]);
    }

    /// <summary>The approvers' card (1:1 or channel): the facts to decide on, and the decision once made.</summary>
    public JsonObject ForApprovers(ApprovalRecord record, bool inChannel)
    {
        var tap = record.Tap();
        var body = new List<JsonNode?> { Card.Title($"TAP request for {tap.TargetName}") };
        body.Add(Status(record, tap, forRequester: false));
        body.Add(Details(record, tap, includeRequester: true));
        if (OutlookBlock(record, tap) is { } outlook) body.Add(outlook);
        if (tap.Privileged)
            body.Add(Card.Problem($"{tap.TargetName} holds a directory role ({string.Join(", ", tap.TargetRoles ?? [])}): only privileged approvers can decide."));
        var actions = new List<JsonNode?>();
        var data = Data(record);
        if (record.State == ApprovalState.Pending)
        {
            actions.AddRange(ApprovalButtons.Decide(record, "Approve", "Reject request", "Why are you rejecting it?", "Say why, so the requester can fix it."));
        }
        else if (record.State == ApprovalState.Completed && tap.Issued && !Ended(tap) && !inChannel)
        {
            actions.Add(Card.Execute("Revoke pass", TapVerbs.Revoke, data, "destructive"));
        }
        return Card.Create(body, actions);
    }

    /// <summary>A list of requests (my requests, pending approvals).</summary>
    public JsonObject List(string title, IReadOnlyList<ApprovalRecord> records, string empty, bool forApprover)
    {
        var body = new List<JsonNode?> { Card.Title(title) };
        if (records.Count == 0) body.Add(Card.Text(empty));
        foreach (var record in records)
        {
            var tap = record.Tap();
            body.Add(Card.Container([
                Card.Text($"**{tap.TargetName}** · {record.Reference}", weight: null),
                Card.Text(forApprover ? $"Asked by {record.Requester.Name} {When(record.CreatedAt)}: {tap.Reason}" : StateLine(record, tap), subtle: true),
            ], separator: true));
        }
        return Card.Create(body);
    }

    private JsonObject Status(ApprovalRecord record, TapRequest tap, bool forRequester) => Card.Container([StatusText(record, tap, forRequester)],
        style: record.State switch
        {
            ApprovalState.Completed when tap.Issued && !Ended(tap) => "good",
            ApprovalState.Completed when tap.Registered => "good",
            ApprovalState.Pending or ApprovalState.Approved or ApprovalState.Executing => "accent",
            ApprovalState.Completed => "default",
            _ => "attention",
        });

    private JsonObject StatusText(ApprovalRecord record, TapRequest tap, bool forRequester)
    {
        var line = StateLine(record, tap);
        if (forRequester && record.State == ApprovalState.Completed && tap.Issued && tap.RevealedAt is null && !Ended(tap))
            line += " Only you can reveal it, here in this chat.";
        return Card.Text(line, weight: "Bolder");
    }

    private string StateLine(ApprovalRecord record, TapRequest tap)
    {
        var decision = record.Decision;
        return record.State switch
        {
            ApprovalState.Pending => $"Waiting for approval (expires {When(record.ExpiresAt)}).",
            ApprovalState.Approved or ApprovalState.Executing => $"Approved by {decision?.By.Name} {When(decision?.At)}; creating the pass…",
            ApprovalState.Rejected => $"Rejected by {decision?.By.Name} {When(decision?.At)}: {decision?.Comment}",
            ApprovalState.Expired => $"Expired {When(record.ExpiresAt)} without a decision. Ask again with **tap**.",
            ApprovalState.Cancelled => $"Cancelled by {record.Requester.Name} {When(record.UpdatedAt)}.",
            ApprovalState.Refused => record.Outcome ?? "Not sent: no approver could be reached.",
            ApprovalState.Failed => $"Approved by {decision?.By.Name}, but the pass could not be created: {record.Outcome}",
            ApprovalState.Completed when tap.Registered => RegisteredLine(tap),
            ApprovalState.Completed when tap.ExpiredUnusedAt is not null => $"Pass expired {When(tap.EndsAt)} before {tap.TargetName} registered a sign-in method.",
            ApprovalState.Completed when tap.RevokedAt is not null => $"Pass revoked by {tap.RevokedBy?.Name} {When(tap.RevokedAt)}.",
            ApprovalState.Completed when Ended(tap) => $"Pass expired {When(tap.EndsAt)}.",
            ApprovalState.Completed when tap.RevealedAt is not null =>
                $"Approved by {decision?.By.Name}. Pass shown to {record.Requester.Name} {When(tap.RevealedAt)}; valid until {When(tap.EndsAt)}.",
            ApprovalState.Completed => $"Approved by {decision?.By.Name} {When(decision?.At)}. The pass is ready.",
            _ => record.State.ToString(),
        };
    }

    private static JsonObject Details(ApprovalRecord record, TapRequest tap, bool includeRequester) => Card.Facts(
        ("Requested by", includeRequester ? record.Requester.Name : null),
        ("For", $"{tap.TargetName} ({tap.TargetUpn})"),
        ("Department", tap.Department),
        ("Job title", tap.JobTitle),
        ("Hire date", tap.HireDate?.ToString("yyyy-MM-dd")),
        ("Sign-in methods", tap.ExistingMethods.Count == 0 ? "None yet (new hire)" : string.Join(", ", tap.ExistingMethods.Select(MethodName))),
        ("Starts", When(tap.StartsAt)),
        ("Lifetime", $"{tap.LifetimeMinutes} minutes"),
        ("Use", tap.UsableOnce ? "One-time" : "Multi-use"),
        ("Reason", tap.Reason),
        ("Reference", record.Reference));

    private bool Ended(TapRequest tap) => tap.RevokedAt is not null || time.GetUtcNow() >= tap.EndsAt;

    private static JsonObject Data(ApprovalRecord record) => ApprovalAction.For(record);

    internal static string MethodName(string type) => type switch
    {
        "microsoftAuthenticator" => "Microsoft Authenticator",
        "fido2" => "Passkey (FIDO2)",
        "windowsHelloForBusiness" => "Windows Hello for Business",
        "phone" => "Phone",
        "email" => "E-mail",
        "softwareOath" => "Authenticator code",
        "temporaryAccessPass" => "Temporary Access Pass",
        "platformCredential" => "Platform credential",
        _ => type,
    };

    // ---------------------------------------------------------------- will it work

    /// <summary>The check made before filing: will the hire be able to register with the pass, in words.</summary>
    private static JsonObject? OutlookBlock(ApprovalRecord record, TapRequest tap)
    {
        if (tap.Outlook is not { } outlook) return null;
        var headline = outlook.Verdict switch
        {
            TapOutlookVerdict.Works => Card.Good($"Will it work? Yes: {tap.TargetName} can register their own methods with the pass."),
            TapOutlookVerdict.Caution => Card.Text("Will it work? Probably, but note:", weight: "Bolder"),
            _ => Card.Problem("Will it work? No: the pass can't be used to register security information."
                + (outlook.FiledAnyway ? $" {record.Requester.Name} filed it anyway." : "")),
        };
        return Card.Container([headline, .. outlook.Findings.Select(f => Card.Text(f, subtle: true))], separator: true);
    }

    // ---------------------------------------------------------------- custody after issue

    private static string RegisteredLine(TapRequest tap) =>
        $"{tap.TargetName} registered {MethodName(tap.RegisteredMethod ?? "")} at {When(tap.RegisteredAt)}; "
        + (tap.PassDeletedAt is null ? "deleting the pass…" : "the pass was deleted.");

    /// <summary>To the requester and the approver who decided: the hire registered a method of their own, so the pass is gone.</summary>
    public JsonObject RegistrationNotice(ApprovalRecord record, bool forRequester)
    {
        var tap = record.Tap();
        return Card.Create([
            Card.Text(RegisteredLine(tap), weight: "Bolder"),
            Card.Text(forRequester
                ? $"The pass you asked for ({record.Reference}) is no longer needed: {tap.TargetName} signs in with their own method now."
                : $"The pass you approved for {record.Requester.Name} ({record.Reference}) is no longer needed.", subtle: true),
        ]);
    }

    /// <summary>To the requester, once, before an unused pass ends.</summary>
    public JsonObject ExpiryReminder(ApprovalRecord record)
    {
        var tap = record.Tap();
        return Card.Create([
            Card.Text($"The pass for {tap.TargetName} expires at {When(tap.EndsAt)}, and {tap.TargetName} hasn't registered a sign-in method yet.", weight: "Bolder"),
            Card.Text(tap.RevealedAt is null
                ? $"You haven't revealed it yet: select **Reveal pass** on the request card ({record.Reference}), and give it to {tap.TargetName} in person or by phone."
                : $"{tap.TargetName} signs in at https://aka.ms/mysecurityinfo with it and registers Microsoft Authenticator or a passkey ({record.Reference}).", subtle: true),
        ]);
    }

    /// <summary>To the requester, once, after a pass ended unused: with a button that opens the request form filled in again.</summary>
    public JsonObject ExpiredUnusedNotice(ApprovalRecord record)
    {
        var tap = record.Tap();
        return Card.Create([
            Card.Text($"The pass for {tap.TargetName} expired at {When(tap.EndsAt)} before {tap.TargetName} registered a sign-in method.", weight: "Bolder"),
            Card.Text($"They still have no method of their own ({record.Reference}). Ask for a new pass when they are ready to use it.", subtle: true),
        ], [Card.Execute("Request a new pass", TapVerbs.Renew, Data(record), "positive")]);
    }

    private static DateOnly? ParseDate(string? s) => DateOnly.TryParseExact(s, "yyyy-MM-dd", out var d) ? d : null;
    private static TimeOnly? ParseTime(string? s) => TimeOnly.TryParseExact(s, "HH:mm", out var t) ? t : null;
}

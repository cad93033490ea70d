using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Directory;
using static TeamsBot.Cards.Card;

namespace TeamsBot.Tap;

public static class TapVerbs
{
    public const string New = "tap.new";
    public const string Submit = "tap.submit";
    public const string Approve = "tap.approve";
    public const string Reject = "tap.reject";
    public const string Reveal = "tap.reveal";
    public const string Hide = "tap.hide";
    public const string Revoke = "tap.revoke";
    public const string Cancel = "tap.cancel";
    public const string Mine = "tap.mine";
    public const string Pending = "tap.pending";
}

/// <summary>The values of the request form, kept when the form comes back with problems.</summary>
public sealed record TapFormValues(string? ChosenReport, string? OtherUpn, string? StartDate, string? StartTime, int Lifetime, bool UsableOnce,
    string? Reason);

/// <summary>Every TAP card, drawn from the record (or the form's values) alone.</summary>
public sealed class TapCards(IOptions<TapOptions> options, TimeProvider time) : IApprovalCardRenderer, ICardSamples
{
    public string Kind => TapRequest.Kind;

    /// <summary>The request form, with the problems of a previous attempt at the top.</summary>
    public JsonObject Form(IReadOnlyList<DirectoryUser> reports, TapPolicy policy, TapFormValues values, string draftId,
        IReadOnlyList<string>? problems = null)
    {
        var body = new List<JsonNode?> { Card.Title("Request a Temporary Access Pass") };
        body.Add(Card.Text("A one-time code your new hire uses to sign in and set up their own sign-in methods. An approver decides; then only you can see the pass.", subtle: true));
        foreach (var problem in problems ?? []) body.Add(Card.Problem(problem));
        if (reports.Count > 0)
            body.Add(Card.ChoiceSet("user", "New hire (your direct reports)",
                reports.Select(r => (r.EmployeeHireDate is { } hire && hire > time.GetUtcNow()
                    ? $"{r.DisplayName} ({r.UserPrincipalName}), starts {hire:yyyy-MM-dd}"
                    : $"{r.DisplayName} ({r.UserPrincipalName})", r.UserPrincipalName)),
                values.ChosenReport, placeholder: "Choose a person"));
        body.Add(Card.InputText("userUpn", reports.Count > 0 ? "Or someone else (sign-in name)" : "New hire (sign-in name)",
            values.OtherUpn, placeholder: "alex@contoso.com", maxLength: 256));
        body.Add(Card.Columns(
            Card.Column([Card.InputDate("startDate", "Starts on (empty: their hire date, or today)", ParseDate(values.StartDate))]),
            Card.Column([Card.InputTime("startTime", "at (UTC)", ParseTime(values.StartTime))])));
        body.Add(Card.InputNumber("lifetimeMinutes", $"Lifetime in minutes ({policy.MinimumLifetimeInMinutes}–{policy.MaximumLifetimeInMinutes})",
            values.Lifetime, policy.MinimumLifetimeInMinutes, policy.MaximumLifetimeInMinutes,
            $"Between {policy.MinimumLifetimeInMinutes} and {policy.MaximumLifetimeInMinutes} minutes."));
        body.Add(policy.IsUsableOnce
            ? Card.Text("One-time use (required by your tenant's policy).", subtle: true)
            : Card.InputToggle("usableOnce", "One-time use (recommended)", values.UsableOnce));
        body.Add(Card.InputText("reason", "Reason", values.Reason, placeholder: "e.g. first day on 1 December, laptop handed out by IT",
            required: true, errorMessage: "Give a reason.", maxLength: TapEligibility.MaxReasonLength, multiline: true));
        return Card.Create(body, [Card.Execute("Submit request", TapVerbs.Submit, new JsonObject { ["draftId"] = draftId }, "positive")]);
    }

    public JsonObject Render(ApprovalRecord record, string audience) => audience switch
    {
        Audiences.Requester => Requester(record),
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
        var actions = new List<JsonNode?>();
        var data = Data(record);
        switch (record.State)
        {
            case ApprovalState.Pending:
                actions.Add(Card.Execute("Cancel request", TapVerbs.Cancel, data));
                break;
            case ApprovalState.Completed when tap.Issued && !Ended(tap):
                if (tap.RevealedAt is null) actions.Add(Card.Execute("Reveal pass", TapVerbs.Reveal, data, "positive"));
                actions.Add(Card.Execute("Revoke pass", TapVerbs.Revoke, data, "destructive"));
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
        if (tap.Privileged)
            body.Add(Card.Problem($"{tap.TargetName} holds a directory role ({string.Join(", ", tap.TargetRoles ?? [])}): only privileged approvers can decide."));
        var actions = new List<JsonNode?>();
        var data = Data(record);
        if (record.State == ApprovalState.Pending)
        {
            actions.Add(Card.Execute("Approve", TapVerbs.Approve, data, "positive"));
            actions.Add(Card.ShowCard("Reject",
                [Card.InputText("comment", "Why are you rejecting it?", required: true, errorMessage: "Say why, so the requester can fix it.", maxLength: 500, multiline: true)],
                [Card.Execute("Reject request", TapVerbs.Reject, data, "destructive")]));
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
            ApprovalState.Failed => $"Approved by {decision?.By.Name}, but the pass could not be created: {record.Outcome}",
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

    private static JsonObject Data(ApprovalRecord record) => new() { ["requestId"] = record.Id, ["version"] = record.Version };

    private static string MethodName(string type) => type switch
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

    private static DateOnly? ParseDate(string? s) => DateOnly.TryParseExact(s, "yyyy-MM-dd", out var d) ? d : null;
    private static TimeOnly? ParseTime(string? s) => TimeOnly.TryParseExact(s, "HH:mm", out var t) ? t : null;

    public IEnumerable<(string Name, JsonObject Card)> Samples()
    {
        var now = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
        var policy = new TapPolicy(true, 60, 60, 480, 8, false, [new("group", "all_users")], []);
        var reports = new[]
        {
            new DirectoryUser("u1", "diego.siciliani@contoso.com", "Diego Siciliani", null, "Sales", "Account Executive", UserKind.Member, true, now.AddDays(7)),
            new DirectoryUser("u2", "johanna.lorenz@contoso.com", "Johanna Lorenz", null, "Sales", "Sales Lead", UserKind.Member, true, null),
        };
        var values = new TapFormValues(null, null, null, null, 60, true, null);
        yield return ("tap-form", Form(reports, policy, values, "draft-1"));
        yield return ("tap-form-problems", Form([], policy with { IsUsableOnce = true }, values with { OtherUpn = "x@contoso.com" }, "draft-1",
            ["You can request a pass only for your own direct reports.", "Give a reason for the request."]));

        var request = new TapRequest("u1", "diego.siciliani@contoso.com", "Diego Siciliani", "Sales", "Account Executive", now.AddDays(7),
            ["microsoftAuthenticator"], now.AddDays(7), 480, true, "First day on Monday", "g1", false);
        var pending = new ApprovalRecord("0638999999999999999-abcdef12", TapRequest.Kind, ApprovalState.Pending, 1,
            new Person("m1", "Megan Bowen"), now, now.AddDays(1), now, request.ToJson());
        var decision = new ApprovalDecision(new Person("a1", "Adele Vance"), now.AddMinutes(5), true, null);
        var issued = pending with { State = ApprovalState.Completed, Version = 3, Decision = decision,
            Subject = (request with { MethodId = "m-1", IssuedAt = now.AddMinutes(6), PassesCreated = 1 }).ToJson() };
        var privileged = pending.WithTap(request with { Privileged = true, TargetRoles = ["User Administrator"] });
        yield return ("tap-approver-pending", ForApprovers(pending, false));
        yield return ("tap-approver-privileged", ForApprovers(privileged, false));
        yield return ("tap-channel-pending", ForApprovers(pending, true));
        yield return ("tap-approver-completed", ForApprovers(issued, false));
        yield return ("tap-requester-pending", Requester(pending));
        yield return ("tap-requester-ready", Requester(issued, "Approved by Adele Vance."));
        yield return ("tap-requester-rejected", Requester(pending with { State = ApprovalState.Rejected, Decision = decision with { Approved = false, Comment = "Wrong person" } }));
        yield return ("tap-requester-failed", Requester(pending with { State = ApprovalState.Failed, Decision = decision, Outcome = "Microsoft Graph is unavailable." }));
        yield return ("tap-revealed", Revealed(issued, "Ab3$kL9p"));
        yield return ("tap-list", List("Your TAP requests", [pending, issued], "You have no requests.", forApprover: false));
        yield return ("tap-list-empty", List("Pending approvals", [], "Nothing waits for you.", forApprover: true));
    }
}

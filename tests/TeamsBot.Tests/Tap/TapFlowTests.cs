using System.Text;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>The TAP flow through /api/messages, the real Graph SDK and the simulated tenant.</summary>
public sealed class TapFlowTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    internal static async Task<(JsonObject Body, ConnectorCall FormCall)> RequestAsync(BotWorld world, Persona who, string upn,
        string lifetime = "120", string reason = "First day on Monday", string usableOnce = "true", Action<JsonObject>? alter = null)
    {
        // The form is the new card with a Submit button (the help card of the install may still be arriving).
        List<(ConnectorCall Call, JsonObject Card)> Forms() =>
            [.. world.CardsFor(who).Where(c => c.Call.Method == "POST" && CardReader.Action(c.Card, "Submit request") is not null)];
        var before = Forms().Count;
        await world.SayAsync(who, "tap");
        // Generous: the whole suite runs in parallel on two cores.
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (Forms().Count == before && Environment.TickCount64 < deadline) await Task.Delay(20);
        if (Forms().Count == before)
            throw new TimeoutException($"No request form reached {who.Name}. Cards: " +
                string.Join(" | ", world.CardsFor(who).Select(c => c.Call.Method + " " + CardReader.AllText(c.Card).Replace('\n', ' '))) + "\nLogs:\n" + world.Logs.AllText());
        var (call, form) = Forms()[^1];
        Assert.Contains("Request a Temporary Access Pass", CardReader.AllText(form), StringComparison.Ordinal);
        var data = CardReader.Data(form, "Submit request");
        data["userUpn"] = upn;
        data["lifetimeMinutes"] = lifetime;
        data["usableOnce"] = usableOnce;
        data["reason"] = reason;
        alter?.Invoke(data);
        return (await world.ClickAsync(who, TapVerbs.Submit, data, call.ActivityId!), call);
    }

    /// <summary>Megan asks for a pass for Diego and Adele approves it (then, if asked, the bot restarts): the Reveal
    /// button's data on Megan's card, and the call that posted her form (the card the reveal answers in).</summary>
    internal static async Task<(JsonObject RevealData, ConnectorCall FormCall)> ApprovedForDiegoAsync(BotWorld world, bool restart)
    {
        var (_, formCall) = await RequestAsync(world, Megan, "diego.siciliani@contoso.com");
        var (call, card) = await world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        await world.IdleAsync();
        if (restart) await world.RestartAsync();
        var (_, ready) = await world.WaitForCardAsync(Megan, "Reveal pass");
        return (CardReader.Data(ready, "Reveal pass"), formCall);
    }

    internal static async Task<ApprovalRecord> LatestRequestAsync(BotWorld world) =>
        (await world.Service<ApprovalEngine>().RecentAsync(1, default))[0];

    [Fact]
    public async Task Manager_asks_approver_approves_manager_reveals_then_revokes()
    {
        var (body, formCall) = await RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var requesterCard = CardReader.CardOf(body);
        Assert.Contains("Waiting for approval", CardReader.AllText(requesterCard), StringComparison.Ordinal);

        // Both approvers get the card, with who asks and for whom.
        var (adeleCall, adeleCard) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.WaitForCardAsync(Alex, "TAP request for Diego Siciliani");
        var facts = CardReader.AllText(adeleCard);
        Assert.Contains("Requested by: Megan Bowen", facts, StringComparison.Ordinal);
        Assert.Contains("Department: Sales", facts, StringComparison.Ordinal);
        Assert.Contains("Hire date:", facts, StringComparison.Ordinal);
        Assert.Contains("Sign-in methods: None yet", facts, StringComparison.Ordinal);
        Assert.Contains("Reason: First day on Monday", facts, StringComparison.Ordinal);

        var approved = CardReader.CardOf(await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(adeleCard, "Approve"), adeleCall.ActivityId!));
        Assert.Contains("Approved by Adele Vance", CardReader.AllText(approved), StringComparison.Ordinal);
        Assert.Null(CardReader.Action(approved, "Approve"));
        await _world.IdleAsync();

        // Exactly one pass was created; the other approver's card and the requester's card now say so.
        Assert.Single(_world.Tenant.RequestLog.Entries, e => e.Method == "POST" && e.Path.EndsWith("/temporaryAccessPassMethods", StringComparison.Ordinal));
        Assert.NotNull(_world.Tenant.State.GetTap(Personas.Diego));
        var (_, alexUpdated) = await _world.WaitForCardAsync(Alex, "Approved by Adele Vance");
        Assert.Null(CardReader.Action(alexUpdated, "Approve"));
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        Assert.Equal("PUT", _world.CardsFor(Megan).Last(c => CardReader.Action(c.Card, "Reveal pass") is not null).Call.Method);
        await _world.Connector.WaitForTextAsync("approved your TAP request for Diego Siciliani");

        // Only the requester can reveal; the pass comes back in the invoke answer, for her client only.
        Assert.Contains("Only the person who asked", CardReader.MessageOf(await _world.ClickAsync(Adele, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"))),
            StringComparison.Ordinal);
        var revealed = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"), formCall.ActivityId!));
        var pass = PassIn(revealed);
        Assert.Equal(8, pass.Length);

        // A second reveal does not show it again.
        var again = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"), formCall.ActivityId!));
        Assert.DoesNotContain(pass, again.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("can't be shown again", CardReader.AllText(again), StringComparison.Ordinal);

        // Revoke deletes the method in the tenant and every card says so.
        var revoked = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Revoke, CardReader.Data(revealed, "Revoke pass"), formCall.ActivityId!));
        Assert.Contains("Pass revoked by Megan Bowen", CardReader.AllText(revoked), StringComparison.Ordinal);
        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
        await _world.IdleAsync();
        await _world.WaitForCardAsync(Adele, "Pass revoked by Megan Bowen");

        // The pass is nowhere: not in the logs, the database files, the audit, or anything sent to Teams.
        var audit = await _world.Service<IAuditLog>().ListAsync(100);
        Assert.Contains(audit, a => a.Action == "tap.issued");
        Assert.Contains(audit, a => a.Action == "tap.revealed");
        Assert.DoesNotContain(pass, string.Join("\n", audit.Select(a => a.ToString())), StringComparison.Ordinal);
        Assert.DoesNotContain(pass, _world.Logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Connector.Calls, c => c.Body?.ToJsonString().Contains(pass, StringComparison.Ordinal) == true);
        await _world.Bot.DisposeAsync();
        foreach (var file in System.IO.Directory.GetFiles(Path.GetDirectoryName(_world.DatabasePath)!))
            Assert.DoesNotContain(pass, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        _world.Bot = _world.NewBot();
    }

    [Fact]
    public async Task The_whole_flow_costs_five_Graph_round_trips_and_validation_two_batches()
    {
        await _world.IdleAsync();
        var log = _world.Tenant.RequestLog;
        log.Clear();
        await _world.SayAsync(Megan, "tap");
        var (formCall, form) = await _world.WaitForCardAsync(Megan, "Submit request"); // the form, not the help card that mentions it
        var formTrips = log.RoundTrips;
        var data = CardReader.Data(form, "Submit request");
        // Diego picked from Megan's reports: the choice carries his object id, so his roles (active, scoped and
        // eligible) are read in the validation batch too. A typed sign-in name costs one more round trip for them.
        // The named locations and strengths come in that batch; the What-If from two places is the second batch.
        data["user"] = Personas.Diego;
        data["reason"] = "First day";
        await _world.ClickAsync(Megan, TapVerbs.Submit, data, formCall.ActivityId!);
        var validationTrips = log.RoundTrips - formTrips;
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        await _world.IdleAsync();
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"), formCall.ActivityId!);

        Console.WriteLine($"TAP flow Graph round trips: form {formTrips}, validation {validationTrips}, total {log.RoundTrips} ({log.BatchItems} batch items)");
        Assert.Equal(1, formTrips);
        Assert.Equal(2, validationTrips);
        Assert.Single(log.Entries, e => !e.InBatch && e.Path.EndsWith("/$batch", StringComparison.Ordinal) && log.Entries.Any(i => i.BatchSequence == e.Sequence && i.Path.EndsWith("/manager", StringComparison.Ordinal))
            && log.Entries.Any(i => i.BatchSequence == e.Sequence && i.Path.EndsWith("/namedLocations", StringComparison.Ordinal)));
        Assert.Equal(2, log.Entries.Count(e => e.InBatch && e.Path.EndsWith("/conditionalAccess/evaluate", StringComparison.Ordinal)));
        Assert.True(log.RoundTrips <= 5, $"{log.RoundTrips} round trips: {string.Join(", ", log.Entries.Where(e => !e.InBatch).Select(e => e.Method + " " + e.Path))}");
    }

    [Fact]
    public async Task Two_approvers_approving_at_once_give_one_decision_and_one_pass()
    {
        await RequestAsync(_world, Megan, "lynne.robbins@contoso.com");
        var (adeleCall, adeleCard) = await _world.WaitForCardAsync(Adele, "TAP request for Lynne Robbins");
        var (alexCall, alexCard) = await _world.WaitForCardAsync(Alex, "TAP request for Lynne Robbins");

        var both = await Task.WhenAll(
            _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(adeleCard, "Approve"), adeleCall.ActivityId!),
            _world.ClickAsync(Alex, ApprovalVerbs.Approve, CardReader.Data(alexCard, "Approve"), alexCall.ActivityId!));
        await _world.IdleAsync();

        var record = await LatestRequestAsync(_world);
        Assert.Equal(ApprovalState.Completed, record.State);
        var decider = record.Decision!.By.Name;
        Assert.All(both, b => Assert.Contains($"Approved by {decider}", CardReader.AllText(CardReader.CardOf(b)), StringComparison.Ordinal));
        Assert.Single(_world.Tenant.RequestLog.Entries, e => e.Method == "POST" && e.Path.EndsWith("/temporaryAccessPassMethods", StringComparison.Ordinal));
        var audit = await _world.Service<IAuditLog>().ListAsync(100);
        Assert.Single(audit, a => a.Action == "tap.approved");
    }

    [Fact]
    public async Task A_double_click_on_submit_files_one_request()
    {
        var (first, formCall) = await RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var form = _world.CardsFor(Megan).Single(c => c.Call.ActivityId == formCall.ActivityId).Card;
        var data = CardReader.Data(form, "Submit request");
        data["userUpn"] = "diego.siciliani@contoso.com";
        data["reason"] = "First day on Monday";
        var second = await _world.ClickAsync(Megan, TapVerbs.Submit, data, formCall.ActivityId!);
        Assert.Equal(CardReader.AllText(CardReader.CardOf(first)).Split('\n')[0], CardReader.AllText(CardReader.CardOf(second)).Split('\n')[0]);
        var records = await _world.Service<ApprovalEngine>().RecentAsync(10, default);
        Assert.Single(records);
    }

    [Fact]
    public async Task The_approver_can_reject_with_a_comment_and_the_requester_is_told()
    {
        await RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var data = CardReader.Data(card, "Reject request");
        Assert.Contains("Say why", CardReader.MessageOf(await _world.ClickAsync(Adele, ApprovalVerbs.Reject, data.DeepClone().AsObject(), call.ActivityId!)),
            StringComparison.Ordinal);
        data["comment"] = "Wrong start date";
        var rejected = CardReader.CardOf(await _world.ClickAsync(Adele, ApprovalVerbs.Reject, data, call.ActivityId!));
        Assert.Contains("Rejected by Adele Vance", CardReader.AllText(rejected), StringComparison.Ordinal);
        await _world.Connector.WaitForTextAsync("rejected your TAP request for Diego Siciliani");
        await _world.IdleAsync();
        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
        await _world.WaitForCardAsync(Megan, "Wrong start date");
    }

    [Fact]
    public async Task A_late_click_is_told_who_decided_and_when()
    {
        await RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (adeleCall, adeleCard) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var (alexCall, alexCard) = await _world.WaitForCardAsync(Alex, "TAP request for Diego Siciliani");
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(adeleCard, "Approve"), adeleCall.ActivityId!);
        var late = CardReader.CardOf(await _world.ClickAsync(Alex, ApprovalVerbs.Reject,
            new JsonObject { ["recordId"] = CardReader.Data(alexCard, "Approve")["recordId"]!.GetValue<string>(), ["version"] = 1, ["comment"] = "no" },
            alexCall.ActivityId!));
        Assert.Contains("Approved by Adele Vance", CardReader.AllText(late), StringComparison.Ordinal);
        // When, in the reader's zone (Alex's client named none: UTC), labelled.
        Assert.Matches(@"Approved by Adele Vance \w{3}, \d{1,2} \w{3} \d{4}, .* UTC", CardReader.AllText(late));
    }

    [Fact]
    public async Task The_requester_can_cancel_while_pending()
    {
        var (body, formCall) = await RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        // Adele has the card before Megan cancels (on a busy host the cancel can otherwise come first, and then rightly
        // no card is sent to her at all).
        await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var cancelled = CardReader.CardOf(await _world.ClickAsync(Megan, ApprovalVerbs.Cancel, CardReader.Data(CardReader.CardOf(body), "Cancel request"), formCall.ActivityId!));
        Assert.Contains("Cancelled", CardReader.AllText(cancelled), StringComparison.Ordinal);
        await _world.IdleAsync();
        await _world.WaitForCardAsync(Adele, "Cancelled by Megan Bowen");
    }

    [Fact]
    public async Task My_requests_and_pending_list_what_concerns_the_caller()
    {
        await RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        await _world.SayAsync(Megan, "my requests");
        await _world.WaitForCardAsync(Megan, "Your TAP requests");
        await _world.SayAsync(Adele, "pending");
        var (_, list) = await _world.WaitForCardAsync(Adele, "Pending TAP approvals");
        Assert.Contains("Diego Siciliani", CardReader.AllText(list), StringComparison.Ordinal);
        await _world.SayAsync(Megan, "pending");
        var (_, none) = await _world.WaitForCardAsync(Megan, "Pending TAP approvals");
        Assert.DoesNotContain("Diego Siciliani", CardReader.AllText(none), StringComparison.Ordinal);
    }

    internal static string PassIn(JsonObject revealed)
    {
        var block = FindById(revealed, "pass") ?? throw new InvalidOperationException("No pass in the card.");
        return block["text"]!.GetValue<string>();

        static JsonObject? FindById(JsonNode? node, string id) => node switch
        {
            JsonObject o when o["id"]?.GetValue<string>() == id => o,
            JsonObject o => o.Select(kv => FindById(kv.Value, id)).FirstOrDefault(x => x is not null),
            JsonArray a => a.Select(x => FindById(x, id)).FirstOrDefault(x => x is not null),
            _ => null,
        };
    }
}

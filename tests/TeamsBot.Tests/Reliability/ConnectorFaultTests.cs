using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Protocol;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// Teams misbehaving while a TAP request goes out to the approvers: throttling and outages are retried, a chat the
/// bot was removed from is forgotten and another route used, and the requester always learns when nobody could be
/// reached.
/// </summary>
public sealed class ConnectorFaultTests : IAsyncLifetime
{
    private const string ApprovalsChannel = "19:approvals@thread.tacv2";
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task<ApprovalRecord> FileAsync(Action? beforeSubmit = null)
    {
        await _world.SayAsync(Megan, "tap");
        var (call, form) = await _world.WaitForCardAsync(Megan, "Submit request"); // the form, not the help card that mentions it
        var data = CardReader.Data(form, "Submit request");
        data["userUpn"] = "diego.siciliani@contoso.com";
        data["reason"] = "First day";
        beforeSubmit?.Invoke(); // the next connector calls are the approval cards
        await _world.ClickAsync(Megan, TapVerbs.Submit, data, call.ActivityId!);
        await _world.IdleAsync(); // the cards go out after the click is answered
        return await TapFlowTests.LatestRequestAsync(_world);
    }

    private async Task ApproveAndRevealAsync(Persona approver, string requestId, string? conversationId = null)
    {
        var (call, card) = conversationId is null
            ? await _world.WaitForCardAsync(approver, "TAP request for Diego Siciliani")
            : await ChannelCardAsync(conversationId, "TAP request for Diego Siciliani");
        var answer = await _world.ClickAsync(approver, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!, conversationId);
        Assert.Contains($"Approved by {approver.Name}", CardReader.AllText(CardReader.CardOf(answer)), StringComparison.Ordinal);
        await _world.IdleAsync();
        var record = await _world.Service<ApprovalEngine>().GetAsync(requestId, default);
        Assert.Equal(ApprovalState.Completed, record!.State);
        var revealed = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, new JsonObject { ["recordId"] = requestId, ["version"] = record.Version }));
        Assert.Equal(8, TapFlowTests.PassIn(revealed).Length);
    }

    private async Task<(ConnectorCall Call, JsonObject Card)> ChannelCardAsync(string conversationId, string containing)
    {
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (true)
        {
            var found = _world.Connector.Calls.LastOrDefault(c => c.Path.Contains(Uri.EscapeDataString(conversationId), StringComparison.Ordinal)
                && c.Body?["attachments"]?[0]?["content"] is JsonObject card && CardReader.AllText(card).Contains(containing, StringComparison.Ordinal));
            if (found is not null) return (found, found.Body!["attachments"]![0]!["content"]!.AsObject());
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"No card containing '{containing}' in {conversationId}.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Throttling_and_outages_of_Teams_are_retried_and_every_approval_card_arrives()
    {
        var mark = 0;
        var record = await FileAsync(() =>
        {
            mark = _world.Connector.Calls.Count;
            _world.Connector.FailNext(429, "Throttled", "0");
            _world.Connector.FailNext(503, null, "0");
            _world.Connector.FailNext(502, null, "0");
            _world.Connector.FailNext(412, null, "0");
        });

        await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.WaitForCardAsync(Alex, "TAP request for Diego Siciliani");
        // Four refused attempts and the one that went through for whichever approver came first, one for the other.
        Assert.Equal(6, _world.Connector.Calls.Skip(mark).Count(c => c.Method == "POST" && (Patience.IsTo(c, Adele) || Patience.IsTo(c, Alex))));
        await ApproveAndRevealAsync(Alex, record.Id);
        Assert.Empty(WorldChecks.Errors(_world));
    }

    [Fact]
    public async Task An_approver_who_removed_the_bot_is_forgotten_and_the_other_one_decides()
    {
        var record = await FileAsync(() => _world.Connector.FailNext(403, "BotNotInConversationRoster"));

        var references = _world.Service<IConversationReferences>();
        var gone = await references.ForUserAsync(Personas.Adele) is null ? Adele : Alex;
        var other = gone == Adele ? Alex : Adele;
        Assert.Null(await references.ForUserAsync(gone.AadObjectId));
        Assert.NotNull(await references.ForUserAsync(other.AadObjectId));
        await ApproveAndRevealAsync(other, record.Id);
        Assert.Empty(WorldChecks.Errors(_world));
    }

    [Fact]
    public async Task When_no_approver_chat_can_be_reached_the_approvals_channel_gets_the_card_but_never_the_pass()
    {
        await _world.RestartAsync(s => s["Tap:ApprovalsChannelId"] = ApprovalsChannel);
        // The bot is added to the approvals channel of the team.
        var added = Activities.Install(_world.Connector.ServiceUrl, Personas.Adele, "Adele Vance", ApprovalsChannel);
        added["type"] = "conversationUpdate";
        added["conversation"]!["conversationType"] = "channel";
        added["channelData"]!["channel"] = new JsonObject { ["id"] = ApprovalsChannel };
        added["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "28:" + BotApp.AppId });
        await _world.Bot.PostActivityAsync(added);
        await _world.IdleAsync();

        var record = await FileAsync(() =>
        {
            _world.Connector.FailNext(403, "BotNotInConversationRoster");
            _world.Connector.FailNext(403, "ConversationBlockedByUser");
        });

        var references = _world.Service<IConversationReferences>();
        Assert.Null(await references.ForUserAsync(Personas.Adele));
        Assert.Null(await references.ForUserAsync(Personas.Alex));
        // Adele decides in the channel; the pass still reaches Megan alone.
        await ApproveAndRevealAsync(Adele, record.Id, ApprovalsChannel);
        Assert.DoesNotContain(_world.Connector.Calls, c => c.Path.Contains(Uri.EscapeDataString(ApprovalsChannel), StringComparison.Ordinal)
            && CardReader.AllText(c.Body?["attachments"]?[0]?["content"]).Contains("Reveal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_nobody_can_be_reached_the_request_is_refused_with_the_reasons_and_can_be_asked_again()
    {
        var record = await FileAsync(() =>
        {
            _world.Connector.FailNext(403, "BotNotInConversationRoster");
            _world.Connector.FailNext(403, "BotNotInConversationRoster");
        });

        // Not left waiting for a decision nobody can make: refused, with who could not be reached and why.
        var told = (await _world.Connector.WaitForTextAsync("None of the approvers")).Body!["text"]!.GetValue<string>();
        Assert.Contains(record.Reference, told, StringComparison.Ordinal);
        Assert.Contains("Adele Vance (Teams no longer lets me write to them (BotNotInConversationRoster)", told, StringComparison.Ordinal);
        Assert.Contains("Alex Wilber", told, StringComparison.Ordinal);
        await _world.IdleAsync();
        Assert.Equal(ApprovalState.Refused, (await _world.Service<ApprovalEngine>().GetAsync(record.Id, default))!.State);
        Assert.Contains(await _world.Service<TeamsBot.Storage.IAuditLog>().ListAsync(20), e => e.Action == "tap.refused" && e.Details!.Contains(record.Reference, StringComparison.Ordinal));

        // The way back: the approvers' chats are open again (the bot reopens them through Graph), and Megan asks again.
        var again = await FileAsync();
        Assert.NotEqual(record.Id, again.Id);
        await ApproveAndRevealAsync(Adele, again.Id);
    }

    [Fact]
    public async Task An_approver_chat_on_an_unreachable_host_does_not_stop_the_others_getting_the_card()
    {
        // Adele's chat is served from a connector host that doesn't answer (a regional outage): her card can't go.
        var references = _world.Service<IConversationReferences>();
        var adele = (await references.ForUserAsync(Personas.Adele))!;
        await references.RememberAsync(adele with { ServiceUrl = "http://127.0.0.1:9/_connector/" });
        using var pump = new ClockPump(_world);

        var record = await FileAsync();

        await _world.WaitForCardAsync(Alex, "TAP request for Diego Siciliani");
        pump.Dispose();
        await ApproveAndRevealAsync(Alex, record.Id);
        // The retry library reports its last failed attempt as an error; the bot itself handled it.
        Assert.DoesNotContain(WorldChecks.Errors(_world), e => !e.StartsWith("Error Polly:", StringComparison.Ordinal));
    }
}

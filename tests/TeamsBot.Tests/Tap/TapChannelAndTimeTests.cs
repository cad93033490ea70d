using TeamsBot.Approvals;
using System.Text.Json.Nodes;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>Approvals in a Teams channel, and what the cards show as time passes.</summary>
public sealed class TapChannelAndTimeTests : IAsyncLifetime
{
    private const string Channel = "19:approvals0000@thread.tacv2";
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync(s => s["Tap:ApprovalsChannelId"] = Channel);
        await _world.InstallAsync(Megan);
        // The bot is added to the team: Teams says so from the channel.
        await _world.Bot.PostActivityAsync(ChannelActivity("conversationUpdate", Channel, Adele));
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private JsonObject ChannelActivity(string type, string conversationId, Persona from) => JsonNode.Parse($$"""
        {
          "type": "{{type}}", "id": "{{Guid.NewGuid():N}}", "channelId": "msteams", "serviceUrl": "{{_world.Connector.ServiceUrl}}",
          "from": { "id": "29:{{from.AadObjectId}}", "name": "{{from.Name}}", "aadObjectId": "{{from.AadObjectId}}" },
          "conversation": { "conversationType": "channel", "isGroup": true, "tenantId": "{{BotApp.TenantId}}", "id": "{{conversationId}}" },
          "recipient": { "id": "28:{{BotApp.AppId}}", "name": "TeamsBot" },
          "membersAdded": [ { "id": "28:{{BotApp.AppId}}" } ],
          "channelData": { "tenant": { "id": "{{BotApp.TenantId}}" }, "team": { "id": "{{Channel}}" }, "channel": { "id": "{{Channel}}" } }
        }
        """)!.AsObject();

    [Fact]
    public async Task Approval_cards_reach_the_channel_an_approver_decides_there_and_the_pass_never_goes_there()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var posted = await _world.Connector.WaitForAsync(c => c.Path.Contains(Uri.EscapeDataString(Channel), StringComparison.Ordinal) && c.Body?["attachments"] is not null);
        var card = posted.Body!["attachments"]![0]!["content"]!.AsObject();
        Assert.Contains("TAP request for Diego Siciliani", CardReader.AllText(card), StringComparison.Ordinal);

        // Adele clicks Approve in the channel thread.
        var invoke = ChannelActivity("invoke", $"{Channel};messageid={posted.ActivityId}", Adele);
        invoke.Remove("membersAdded");
        invoke["name"] = "adaptiveCard/action";
        invoke["replyToId"] = posted.ActivityId;
        invoke["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = ApprovalVerbs.Approve, ["data"] = CardReader.Data(card, "Approve") } };
        var body = JsonNode.Parse(await (await _world.Bot.PostActivityAsync(invoke)).Content.ReadAsStringAsync())!.AsObject();
        var decided = CardReader.CardOf(body);
        Assert.Contains("Approved by Adele Vance", CardReader.AllText(decided), StringComparison.Ordinal);
        Assert.Null(CardReader.Action(decided, "Revoke pass"));
        await _world.IdleAsync();

        // A reveal attempted from the channel is refused even by the requester.
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        var reveal = ChannelActivity("invoke", $"{Channel};messageid={posted.ActivityId}", Megan);
        reveal.Remove("membersAdded");
        reveal["name"] = "adaptiveCard/action";
        reveal["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = TapVerbs.Reveal, ["data"] = CardReader.Data(ready, "Reveal pass") } };
        var refused = JsonNode.Parse(await (await _world.Bot.PostActivityAsync(reveal)).Content.ReadAsStringAsync())!.AsObject();
        Assert.Contains("only in your 1:1 chat", CardReader.MessageOf(refused), StringComparison.Ordinal);

        var pass = TapFlowTests.PassIn(CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"))));
        Assert.DoesNotContain(_world.Connector.Calls, c => c.Body?.ToJsonString().Contains(pass, StringComparison.Ordinal) == true);
        Assert.All(_world.Connector.Calls.Where(c => c.Path.Contains(Uri.EscapeDataString(Channel), StringComparison.Ordinal)),
            c => Assert.Null(CardReader.Action(c.Body?["attachments"]?[0]?["content"], "Reveal pass")));
    }

    [Fact]
    public async Task The_revealed_pass_is_hidden_after_the_reveal_window_and_the_card_later_shows_it_expired()
    {
        var (_, formCall) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com", lifetime: "60");
        var posted = await _world.Connector.WaitForAsync(c => c.Path.Contains(Uri.EscapeDataString(Channel), StringComparison.Ordinal) && c.Body?["attachments"] is not null);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        await _world.Service<TeamsBot.Approvals.ApprovalEngine>().DecideAsync(record.Id, record.Version,
            new TeamsBot.Approvals.Person(Personas.Adele, "Adele Vance"), true, null, default);
        await _world.Service<TeamsBot.Approvals.ApprovalWorkflow>().ExecuteAsync(_world.Service<TapRequestKind>(), record.Id, default);
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        var revealed = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"), formCall.ActivityId!));
        var pass = TapFlowTests.PassIn(revealed);
        await _world.IdleAsync();
        _world.Connector.Clear();

        _world.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var hidden = await _world.Connector.WaitForAsync(c => c.Method == "PUT" && c.ActivityId == formCall.ActivityId);
        Assert.Contains("Pass shown to Megan Bowen", CardReader.AllText(hidden.Body!["attachments"]![0]!["content"]), StringComparison.Ordinal);
        Assert.DoesNotContain(pass, hidden.Body.ToJsonString(), StringComparison.Ordinal);
        await _world.IdleAsync();

        // The hire date is a week away: the pass starts then and ends an hour later.
        _world.Clock.Advance(TimeSpan.FromDays(8));
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();
        await _world.WaitForCardAsync(Megan, "Pass expired");
        await _world.Connector.WaitForAsync(c => c.Path.Contains(Uri.EscapeDataString(Channel), StringComparison.Ordinal)
            && CardReader.AllText(c.Body?["attachments"]?[0]?["content"]).Contains("Pass expired", StringComparison.Ordinal));
        _ = posted;
    }
}

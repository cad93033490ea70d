using TeamsBot.Protocol;
using System.Net;
using System.Text;
using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Reliability;

/// <summary>Inputs the fuzzer found that the bot handled badly, kept as plain examples.</summary>
public sealed class FuzzFindingsTests : IAsyncLifetime
{
    private BotWorld _world = null!;
    private FuzzTargets _targets = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        _targets = await WorldChecks.SeedRecordsAsync(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(string json) => await _world.Bot.PostRawAsync(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task Card_data_with_a_key_twice_is_refused_as_a_bad_request()
    {
        // Two parsers may pick different values of a repeated key; the bot takes neither.
        var json = Activities.Invoke(ApprovalVerbs.Approve, new() { ["recordId"] = _targets.PendingRequestId, ["version"] = 1 }, _targets.ServiceUrl,
                Personas.Adele, "Adele Vance", "a:personal-adele")
            .ToJsonString().Replace("\"version\":1", "\"version\":1,\"version\":7", StringComparison.Ordinal);

        var response = await PostAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(WorldChecks.Errors(_world));
        Assert.Equal(ApprovalState.Pending, (await _world.Service<ApprovalEngine>().GetAsync(_targets.PendingRequestId, default))!.State);
    }

    [Fact]
    public async Task An_activity_with_a_key_twice_at_the_top_is_refused_as_a_bad_request()
    {
        var json = Activities.Message("help", _targets.ServiceUrl).ToJsonString()
            .Replace("\"locale\":", "\"conversation\":{\"id\":\"a:other\",\"tenantId\":\"" + ActivityFuzz.OtherTenant + "\"},\"locale\":", StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(json)).StatusCode);
    }

    [Theory]
    [InlineData("\"http://127.0.0.1:1/_connector/\"")]
    [InlineData("not a url")]
    [InlineData("/relative/path/")]
    [InlineData("ftp://connector.example/")]
    [InlineData("file:///etc/passwd")]
    public async Task An_activity_whose_service_url_is_no_web_address_is_refused_and_nothing_is_kept(string serviceUrl)
    {
        // Replies and later cards go to the service URL: one that can't be called must not replace a good one.
        var activity = Activities.Message("help", _targets.ServiceUrl, Personas.Megan, "Megan Bowen", "a:personal-megan");
        activity["serviceUrl"] = serviceUrl;

        var response = await _world.Bot.PostActivityAsync(activity);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await _world.IdleAsync();
        Assert.Empty(WorldChecks.Errors(_world));
        var kept = await _world.Service<IConversationReferences>().ForUserAsync(Personas.Megan);
        Assert.Equal(_world.Connector.ServiceUrl, kept!.ServiceUrl);
    }

    [Fact]
    public async Task A_reply_the_connector_refuses_is_logged_as_a_warning_not_as_a_failed_turn()
    {
        // E.g. a conversation id too long for the connector's URL: Teams says no, the bot did nothing wrong.
        _world.Connector.FailNext(414);
        _world.Connector.FailNext(414);

        await _world.SayAsync(BotWorld.Megan, "zzz");
        await _world.Connector.WaitForAsync(c => c.Path.Contains("personal-megan", StringComparison.Ordinal) && c.Method == "POST"
            && _world.Logs.AllText().Contains("414", StringComparison.Ordinal));

        Assert.Empty(WorldChecks.Errors(_world));
        Assert.Contains(_world.Logs.Collector.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && r.Message.Contains("414", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("channelData", """{ "tenant": { "id": "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d" }, "channel": "19:x" }""")]
    [InlineData("channelData", """{ "tenant": "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d" }""")]
    [InlineData("channelData", """{ "tenant": [ { "id": "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d" } ], "channel": [] }""")]
    [InlineData("entities", """[ { "type": 5 } ]""")]
    [InlineData("entities", """[ { "type": "mention", "mentioned": [ "28:x" ] } ]""")]
    [InlineData("entities", """[ { "type": "mention", "mentioned": { "id": 28 }, "text": "<at>TeamsBot</at>" } ]""")]
    [InlineData("entities", """[ { "type": "mention", "mentioned": { "id": "28:5d0c2a4e-1111-4222-8333-944455566677" }, "text": { "a": 1 } } ]""")]
    public async Task Odd_shapes_in_channel_data_and_entities_are_ignored_not_fatal(string field, string json)
    {
        var activity = Activities.Message("help", _targets.ServiceUrl, Personas.Megan, "Megan Bowen", "a:personal-megan");
        if (field == "channelData") activity["conversation"]!.AsObject().Remove("tenantId");
        activity[field] = System.Text.Json.Nodes.JsonNode.Parse(json);

        var response = await _world.Bot.PostActivityAsync(activity);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"HTTP {(int)response.StatusCode}");
        await _world.IdleAsync();
        Assert.Empty(WorldChecks.Errors(_world));
    }

    [Fact]
    public async Task A_conversation_update_with_a_null_member_is_acknowledged_without_a_failure()
    {
        var activity = Activities.Install(_targets.ServiceUrl, Personas.Nestor, "Nestor Wilke", "19:team@thread.tacv2");
        activity["type"] = "conversationUpdate";
        activity["membersAdded"] = System.Text.Json.Nodes.JsonNode.Parse("""[ null, { "id": "28:5d0c2a4e-1111-4222-8333-944455566677" } ]""");

        var response = await _world.Bot.PostActivityAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _world.IdleAsync();
        Assert.Empty(WorldChecks.Errors(_world));
    }

    [Fact]
    public async Task A_card_click_whose_post_the_connector_refuses_answers_a_message_and_logs_a_warning()
    {
        // "Pending approvals" posts a list card into the chat before answering the click; Teams refuses the post.
        _world.Connector.FailNext(414);

        var answer = await _world.ClickAsync(BotWorld.Adele, TapVerbs.Pending, []);

        Assert.Contains("Teams", CardReader.MessageOf(answer), StringComparison.Ordinal);
        Assert.Empty(WorldChecks.Errors(_world));
        Assert.Contains(_world.Logs.Collector.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && r.Message.Contains("414", StringComparison.Ordinal));
    }
}

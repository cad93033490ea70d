using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Connector;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tap;

namespace TeamsBot.Tests.Protocol;

/// <summary>The endpoint in local mode: what it accepts, what it refuses, and that nothing bad gives a 5xx.</summary>
public sealed class EndpointTests : IAsyncLifetime
{
    private FakeConnector _connector = null!;
    private BotApp _bot = null!;
    private readonly TempDir _temp = new();

    public async Task InitializeAsync()
    {
        _connector = await FakeConnector.StartAsync();
        _bot = new BotApp(BotApp.Local(_temp.File("bot.db")), environment: "Development");
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _connector.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_message_is_acknowledged_and_answered_in_its_conversation_without_a_token_in_local_mode()
    {
        var activity = Activities.Message("<at>TeamsBot</at> make coffee", _connector.ServiceUrl);
        var response = await _bot.PostActivityAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = await _connector.WaitForTextAsync("didn't understand");
        Assert.Equal("POST", reply.Method);
        Assert.Equal("/_connector/v3/conversations/a%3Apersonal-megan/activities", reply.Path);
        Assert.Null(reply.Authorization);
    }

    [Fact]
    public async Task An_invoke_with_an_unknown_verb_answers_200_with_the_documented_body()
    {
        var response = await _bot.PostActivityAsync(Activities.Invoke("no.such.verb", new JsonObject { ["x"] = 1 }, _connector.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.activity.message", body["type"]!.GetValue<string>());
        Assert.Contains("out of date", body["value"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_that_is_not_Action_Execute_is_refused_in_the_invoke_body()
    {
        var activity = Activities.Invoke("x", [], _connector.ServiceUrl);
        activity["value"]!["action"]!["type"] = "Action.Submit";
        var body = JsonNode.Parse(await (await _bot.PostActivityAsync(activity)).Content.ReadAsStringAsync())!;
        Assert.Equal(400, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("[{\"type\":\"message\"}]")]
    [InlineData("\"message\"")]
    [InlineData("{}")]
    [InlineData("{\"type\":\"\"}")]
    [InlineData("{\"type\":\"message\",\"from\":[1,2]}")]
    [InlineData("null")]
    public async Task Malformed_bodies_answer_400(string body)
    {
        var response = await _bot.PostRawAsync(Encoding.UTF8.GetBytes(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_five_megabyte_activity_is_refused_with_413()
    {
        var text = new string('a', 5 * 1024 * 1024);
        var response = await _bot.PostRawAsync(Encoding.UTF8.GetBytes($$"""{"type":"message","text":"{{text}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(600 * 1024, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(40 * 1024, HttpStatusCode.OK)]
    public async Task A_body_without_a_length_is_measured_as_it_comes(int textLength, HttpStatusCode expected)
    {
        // Chunked, no Content-Length: the limit (512 KB) is enforced while reading, and a body under it is read whole.
        var json = Activities.Message(new string('a', textLength), _connector.ServiceUrl).ToJsonString();
        using var client = _bot.CreateClient();
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task An_activity_without_service_url_or_conversation_answers_400()
    {
        var activity = Activities.Message("help", _connector.ServiceUrl);
        activity.Remove("serviceUrl");
        Assert.Equal(HttpStatusCode.BadRequest, (await _bot.PostActivityAsync(activity)).StatusCode);
    }

    [Theory]
    [InlineData("typing")]
    [InlineData("messageReaction")]
    [InlineData("event")]
    [InlineData("somethingNew")]
    public async Task Other_activity_types_are_acknowledged(string type)
    {
        var activity = Activities.Message("", _connector.ServiceUrl);
        activity["type"] = type;
        Assert.Equal(HttpStatusCode.OK, (await _bot.PostActivityAsync(activity)).StatusCode);
    }

    [Fact]
    public async Task Another_tenant_gets_a_polite_refusal_and_no_action()
    {
        var activity = Activities.Message("help", _connector.ServiceUrl, tenantId: "11111111-2222-4333-8444-555555555555");
        Assert.Equal(HttpStatusCode.OK, (await _bot.PostActivityAsync(activity)).StatusCode);
        var reply = await _connector.WaitForTextAsync("only work for my own organization");
        Assert.NotNull(reply);

        var invoke = Activities.Invoke("help.show", [], _connector.ServiceUrl, tenantId: "11111111-2222-4333-8444-555555555555");
        var body = JsonNode.Parse(await (await _bot.PostActivityAsync(invoke)).Content.ReadAsStringAsync())!;
        Assert.Contains("only work for my own organization", body["value"]!.GetValue<string>(), StringComparison.Ordinal);
        // No conversation reference was kept for the foreign tenant.
        var references = _bot.Services.GetRequiredService<TeamsBot.Protocol.IConversationReferences>();
        Assert.Null(await references.ForUserAsync(Personas.Megan));
    }

    [Fact]
    public async Task Unknown_fields_survive_a_round_trip_through_the_activity_model()
    {
        var json = Activities.Message("hi", "https://example.com/");
        json["futureField"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
        json["from"]!["futureAccountField"] = "kept";
        var activity = System.Text.Json.JsonSerializer.Deserialize(json.ToJsonString(), ProtocolJson.Default.Activity)!;
        var back = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(activity, ProtocolJson.Default.Activity))!;
        Assert.True(JsonNode.DeepEquals(json, back), back.ToJsonString());
    }

    [Fact]
    public async Task Conversation_references_are_stored_and_survive_a_restart()
    {
        await _bot.PostActivityAsync(Activities.Message("anything", _connector.ServiceUrl));
        await _connector.WaitForTextAsync("didn't understand");

        await using var restarted = new BotApp(BotApp.Local(_temp.File("bot.db")), environment: "Development");
        var reference = await restarted.Services.GetRequiredService<TeamsBot.Protocol.IConversationReferences>().ForUserAsync(Personas.Megan);
        Assert.NotNull(reference);
        Assert.Equal(_connector.ServiceUrl, reference.ServiceUrl);
        Assert.Equal("a:personal-megan", reference.ConversationId);
        Assert.Equal(BotApp.TenantId, reference.TenantId);
    }

    [Fact]
    public async Task Connector_throttling_is_retried_honouring_Retry_After()
    {
        var client = _bot.Services.GetRequiredService<IConnectorClient>();
        _connector.FailNext(429, "Throttled", "0");
        _connector.FailNext(503);
        var id = await client.SendAsync(_connector.ServiceUrl, "a:conv", Activity.CreateMessage("hello"));
        Assert.NotNull(id);
        Assert.Equal(3, _connector.Calls.Count);
    }

    [Theory]
    [InlineData(403, "BotNotInConversationRoster", true)]
    [InlineData(403, "ConversationBlockedByUser", true)]
    [InlineData(413, "MessageSizeTooBig", false)]
    [InlineData(500, "ServiceError", false)]
    public async Task Teams_error_codes_surface_as_clear_errors_without_retrying_them(int status, string code, bool conversationGone)
    {
        var client = _bot.Services.GetRequiredService<IConnectorClient>();
        _connector.FailNext(status, code);
        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.SendAsync(_connector.ServiceUrl, "a:conv", Activity.CreateMessage("x")));
        Assert.Equal(code, error.Code);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        Assert.Equal(conversationGone, error.ConversationGone);
        Assert.Single(_connector.Calls);
    }
}

public sealed class LocalModeGuardTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Local_mode_does_not_start_outside_Development(string environment)
    {
        using var bot = new BotApp(BotApp.Local(_temp.File("bot.db")), environment: environment);
        var error = bot.StartFailure();
        Assert.Contains("Bot:AllowUnauthenticatedLocalRequests", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:3978")]
    [InlineData("http://*:3978")]
    [InlineData("http://+:3978")]
    [InlineData("http://127.0.0.1:3978;http://10.1.2.3:3978")]
    [InlineData("http://bot.contoso.com:3978")]
    public void Local_mode_does_not_start_on_a_non_loopback_address(string urls)
    {
        var settings = BotApp.Local(_temp.File("bot.db"));
        settings["urls"] = urls;
        using var bot = new BotApp(settings, environment: "Development");
        var error = bot.StartFailure();
        Assert.Contains("loopback", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_local_mode_a_missing_app_id_is_named_at_start()
    {
        var settings = BotApp.Local(_temp.File("bot.db"));
        settings["Bot:AllowUnauthenticatedLocalRequests"] = "false";
        using var bot = new BotApp(settings, environment: "Production");
        var error = bot.StartFailure();
        Assert.Contains("Bot:AppId", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_mode_on_loopback_in_Development_serves_health()
    {
        var settings = BotApp.Local(_temp.File("bot.db"));
        settings["urls"] = "http://127.0.0.1:3978;http://[::1]:3978;http://localhost:3978";
        await using var bot = new BotApp(settings, environment: "Development");
        using var client = bot.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("storage", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class InstallTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync() => _world = await BotWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_install_announced_twice_is_welcomed_once_and_help_shows_the_roles()
    {
        var install = Activities.Install(_world.Connector.ServiceUrl, Personas.Megan, "Megan Bowen", "a:personal-megan");
        var update = install.DeepClone().AsObject();
        update["type"] = "conversationUpdate";
        update.Remove("action");
        update["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "29:" + Personas.Megan }, new JsonObject { ["id"] = "28:" + BotApp.AppId });
        await _world.Bot.PostActivityAsync(install);
        await _world.Bot.PostActivityAsync(update);
        await _world.Connector.WaitForCardAsync("What you can do");
        await _world.IdleAsync();
        Assert.Single(_world.Connector.Calls, c => c.Body?["text"]?.GetValue<string>().Contains("I'm **TeamsBot**", StringComparison.Ordinal) == true);
        var help = Assert.Single(_world.Connector.Calls, c => c.Body?["attachments"] is not null);
        var text = CardReader.AllText(help.Body!["attachments"]![0]!["content"]);
        Assert.Contains("Temporary Access Passes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Registration policies", text, StringComparison.Ordinal);
        Assert.StartsWith("Hi Megan!", _world.Connector.Calls.First(c => c.Body?["text"] is not null).Body!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}

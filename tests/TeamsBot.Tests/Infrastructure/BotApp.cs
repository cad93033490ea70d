using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TeamsBot.DevTenant;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>
/// The real bot (Program) in-process behind ASP.NET's test server, configured per test; its outbound calls go to real
/// loopback servers (the fake connector, the simulated tenant, the test issuer).
/// </summary>
public sealed class BotApp(Dictionary<string, string?> settings, string environment = "Testing",
    Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string TenantId = "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d";
    public const string AppId = "5d0c2a4e-1111-4222-8333-944455566677";

    // Local mode without a tenant of its own gets one, as src/TeamsBot.Local starts one for the bot.
    private SimulatedTenant? _tenant;
    private readonly CapturedLogs _logs = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (settings.ContainsKey("Graph:SimulatedPort") && string.IsNullOrEmpty(settings.GetValueOrDefault("Graph:BaseUrl")))
        {
            _tenant = SimulatedTenant.StartAsync().GetAwaiter().GetResult();
            settings["Graph:Mode"] = "Simulated";
            settings["Graph:BaseUrl"] = _tenant.BaseUrl;
        }
        builder.UseEnvironment(environment);
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
        builder.ConfigureServices(_logs.Use);
        if (services is not null) builder.ConfigureServices(services);
    }

    /// <summary>
    /// Starts a bot that must refuse to start, and returns why: the exception and what the host logged. The host logs
    /// the reason ("Hosting failed to start"), but WebApplicationFactory may report the failed start as an
    /// ObjectDisposedException of its own (its DeferredHost asks the stopped host for its lifetime), so the exception
    /// alone is not enough.
    /// </summary>
    public string StartFailure()
    {
        var error = Assert.ThrowsAny<Exception>(() => CreateClient());
        return error + "\n" + _logs.AllText();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_tenant is not null) await _tenant.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Settings for a bot that checks tokens against <paramref name="issuer"/>.</summary>
    public static Dictionary<string, string?> Authenticated(TestIssuer issuer, string sqlitePath) => new()
    {
        ["Bot:AppId"] = AppId,
        ["Bot:TenantId"] = TenantId,
        ["Bot:ClientCredential:SourceType"] = "ClientSecret",
        ["Bot:ClientCredential:ClientSecret"] = "test-secret-value",
        ["Bot:OpenIdMetadataUrl"] = issuer.MetadataUrl,
        ["Bot:EntraOpenIdMetadataUrl"] = issuer.EntraMetadataUrl,
        ["Bot:AllowUnauthenticatedLocalRequests"] = "false",
        ["Storage:SqlitePath"] = sqlitePath,
        ["Graph:Mode"] = "Live",
    };

    /// <summary>Settings for local mode (no tokens) on a temp database.</summary>
    public static Dictionary<string, string?> Local(string sqlitePath) => new()
    {
        ["Bot:AllowUnauthenticatedLocalRequests"] = "true",
        ["Bot:AppId"] = "",
        ["Bot:TenantId"] = TenantId,
        ["Storage:SqlitePath"] = sqlitePath,
        ["Graph:SimulatedPort"] = "0",
    };

    public async Task<HttpResponseMessage> PostActivityAsync(JsonObject activity, string? authorization = null)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PostRawAsync(byte[] body, string contentType = "application/json")
    {
        using var client = CreateClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.PostAsync("/api/messages", content);
    }
}

/// <summary>Activities as Teams sends them, built from inline JSON.</summary>
public static class Activities
{
    public static JsonObject Message(string text, string serviceUrl, string userAadId = Personas.Megan, string userName = "Megan Bowen",
        string conversationId = "a:personal-megan", string tenantId = BotApp.TenantId) => Parse($$"""
        {
          "type": "message", "id": "{{Guid.NewGuid():N}}", "text": {{JsonValue.Create(text).ToJsonString()}},
          "timestamp": "2026-11-25T09:00:00.000Z", "channelId": "msteams", "serviceUrl": "{{serviceUrl}}",
          "from": { "id": "29:{{userAadId}}", "name": "{{userName}}", "aadObjectId": "{{userAadId}}" },
          "conversation": { "conversationType": "personal", "tenantId": "{{tenantId}}", "id": "{{conversationId}}" },
          "recipient": { "id": "28:{{BotApp.AppId}}", "name": "TeamsBot" },
          "channelData": { "tenant": { "id": "{{tenantId}}" } },
          "locale": "en-US"
        }
        """);

    public static JsonObject Invoke(string verb, JsonObject data, string serviceUrl, string userAadId = Personas.Megan,
        string userName = "Megan Bowen", string conversationId = "a:personal-megan", string replyToId = "card-1",
        string tenantId = BotApp.TenantId) => Parse($$"""
        {
          "type": "invoke", "name": "adaptiveCard/action", "id": "{{Guid.NewGuid():N}}", "replyToId": "{{replyToId}}",
          "channelId": "msteams", "serviceUrl": "{{serviceUrl}}",
          "from": { "id": "29:{{userAadId}}", "name": "{{userName}}", "aadObjectId": "{{userAadId}}" },
          "conversation": { "conversationType": "personal", "tenantId": "{{tenantId}}", "id": "{{conversationId}}" },
          "recipient": { "id": "28:{{BotApp.AppId}}", "name": "TeamsBot" },
          "channelData": { "tenant": { "id": "{{tenantId}}" } },
          "value": { "action": { "type": "Action.Execute", "verb": "{{verb}}", "data": {{data.ToJsonString()}} }, "trigger": "manual" }
        }
        """);

    public static JsonObject Install(string serviceUrl, string userAadId = Personas.Megan, string userName = "Megan Bowen",
        string conversationId = "a:personal-megan") => Parse($$"""
        {
          "type": "installationUpdate", "action": "add", "id": "{{Guid.NewGuid():N}}", "channelId": "msteams", "serviceUrl": "{{serviceUrl}}",
          "from": { "id": "29:{{userAadId}}", "name": "{{userName}}", "aadObjectId": "{{userAadId}}" },
          "conversation": { "conversationType": "personal", "tenantId": "{{BotApp.TenantId}}", "id": "{{conversationId}}" },
          "recipient": { "id": "28:{{BotApp.AppId}}", "name": "TeamsBot" },
          "channelData": { "tenant": { "id": "{{BotApp.TenantId}}" } }
        }
        """);

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}

/// <summary>The seed tenant's people (see the DevTenant README).</summary>
public static class Personas
{
    public const string Megan = "a0000000-0000-4000-8000-000000000001";
    public const string Nestor = "a0000000-0000-4000-8000-000000000002";
    public const string Adele = "a0000000-0000-4000-8000-000000000003";
    public const string Alex = "a0000000-0000-4000-8000-000000000004";
    public const string Patti = "a0000000-0000-4000-8000-000000000005";
    public const string Lee = "a0000000-0000-4000-8000-000000000006";
    public const string Isaiah = "a0000000-0000-4000-8000-000000000007";
    public const string BreakGlass1 = "a0000000-0000-4000-8000-000000000008";
    public const string BreakGlass2 = "a0000000-0000-4000-8000-000000000009";
    public const string Diego = "a0000000-0000-4000-8000-000000000010";
    public const string Lynne = "a0000000-0000-4000-8000-000000000011";
    public const string Johanna = "a0000000-0000-4000-8000-000000000012";
    public const string Pradeep = "a0000000-0000-4000-8000-000000000013";
    public const string Grady = "a0000000-0000-4000-8000-000000000014";
    public const string Irvin = "a0000000-0000-4000-8000-000000000015";
    public const string Joni = "a0000000-0000-4000-8000-000000000016";
    public const string Miriam = "a0000000-0000-4000-8000-000000000017";
    public const string Enrico = "a0000000-0000-4000-8000-000000000018";
    public const string Christie = "a0000000-0000-4000-8000-000000000019";
    public const string Henrietta = "a0000000-0000-4000-8000-000000000020";

    /// <summary>Henrietta's twelve new hires (the onboarding batch), 21 to 32 in the seed's order.</summary>
    public static readonly string[] OnboardingBatch = [.. Enumerable.Range(21, 12).Select(n => $"a0000000-0000-4000-8000-0000000000{n}")];
}

/// <summary>A temp directory per test class, removed at the end.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "teamsbot-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

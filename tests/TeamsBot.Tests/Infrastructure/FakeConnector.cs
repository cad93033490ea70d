using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>A recorded call to the connector.</summary>
public sealed record ConnectorCall(string Method, string Path, JsonObject? Body, string? Authorization)
{
    /// <summary>The activity id the connector answered (for a send), or the id updated (for a PUT).</summary>
    public string? ActivityId { get; set; }
}

/// <summary>
/// A Bot Connector on a loopback port that records what the bot sends and answers like Teams (201 {id}). Tests can
/// script failures (status + Teams error code) for the next calls.
/// </summary>
public sealed class FakeConnector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ConnectorCall> _calls = new();
    private readonly ConcurrentQueue<(int Status, string? Code, string? RetryAfter)> _scripted = new();
    private int _nextId;

    private FakeConnector(WebApplication app) => _app = app;

    public string ServiceUrl { get; private set; } = "";

    /// <summary>
    /// Whether the bot's app is installed for a user (by Entra object id). Teams refuses to open a 1:1 chat with a user
    /// who doesn't have the app: 403 BotNotInConversationRoster (spec/bot-protocol.md, "Proactive 1:1"). Null: everyone.
    /// </summary>
    public Func<string, bool>? AppInstalledFor { get; set; }

    /// <summary>The 1:1 chat id Teams gives a user (the same every time: creating it is idempotent).</summary>
    public Func<string, string> ChatIdFor { get; set; } = user => "a:created-" + user;

    public IReadOnlyList<ConnectorCall> Calls => [.. _calls];

    public static async Task<FakeConnector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var connector = new FakeConnector(app);
        app.Run(connector.HandleAsync);
        await app.StartAsync();
        connector.ServiceUrl = app.Urls.First() + "/_connector/";
        return connector;
    }

    /// <summary>The next call answers this status (and Teams error code) instead of success.</summary>
    public void FailNext(int status, string? code = null, string? retryAfter = null) => _scripted.Enqueue((status, code, retryAfter));

    public void Clear() => _calls.Clear();

    /// <summary>Waits until a call matches (the bot answers after acknowledging, so replies come a little later).</summary>
    public async Task<ConnectorCall> WaitForAsync(Func<ConnectorCall, bool> match, int timeoutMs = Waits.SafetyNetMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            var found = _calls.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException("The bot did not make the expected connector call. Calls: " +
            string.Join(" | ", _calls.Select(c => $"{c.Method} {c.Path}")));
    }

    /// <summary>Waits for an activity whose text contains <paramref name="text"/>.</summary>
    public Task<ConnectorCall> WaitForTextAsync(string text, int timeoutMs = Waits.SafetyNetMs) =>
        WaitForAsync(c => c.Body?["text"]?.GetValue<string>()?.Contains(text, StringComparison.OrdinalIgnoreCase) == true, timeoutMs);

    /// <summary>Waits for a card whose JSON contains <paramref name="text"/>.</summary>
    public Task<ConnectorCall> WaitForCardAsync(string text, int timeoutMs = Waits.SafetyNetMs) =>
        WaitForAsync(c => c.Body?["attachments"]?.ToJsonString().Contains(text, StringComparison.Ordinal) == true, timeoutMs);

    private async Task HandleAsync(HttpContext http)
    {
        JsonObject? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.ContentType.Count > 0)
        {
            using var reader = new StreamReader(http.Request.Body);
            var text = await reader.ReadToEndAsync();
            body = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
        }
        var rawTarget = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "";
        var call = new ConnectorCall(http.Request.Method, rawTarget, body,
            http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null);
        if (http.Request.Method == "PUT") call.ActivityId = Uri.UnescapeDataString(rawTarget.Split('/').Last());

        if (_scripted.TryDequeue(out var failure))
        {
            _calls.Enqueue(call);
            http.Response.StatusCode = failure.Status;
            if (failure.RetryAfter is not null) http.Response.Headers.RetryAfter = failure.RetryAfter;
            if (failure.Code is not null)
                await http.Response.WriteAsJsonAsync(new { error = new { code = failure.Code, message = failure.Code } });
            return;
        }
        var path = http.Request.Path.Value ?? "";
        if (http.Request.Method == "GET" && path.Contains("/members/", StringComparison.Ordinal))
        {
            _calls.Enqueue(call);
            await http.Response.WriteAsJsonAsync(new { id = path.Split('/').Last(), name = "Member", aadObjectId = Guid.NewGuid() });
            return;
        }
        if (http.Request.Method == "POST" && path.EndsWith("/v3/conversations", StringComparison.Ordinal))
        {
            _calls.Enqueue(call);
            // Members name the user by 29: id or by Entra object id in "id"; tenantId is required.
            var member = (body?["members"] as JsonArray)?.FirstOrDefault()?["id"]?.GetValue<string>();
            if (member is null || body?["tenantId"] is null || body?["isGroup"]?.GetValue<bool>() == true)
            {
                http.Response.StatusCode = 400;
                await http.Response.WriteAsJsonAsync(new { error = new { code = "BadSyntax", message = "Incorrect conversation creation parameters" } });
                return;
            }
            if (AppInstalledFor is { } installed && !installed(member))
            {
                http.Response.StatusCode = 403;
                await http.Response.WriteAsJsonAsync(new { error = new { code = "BotNotInConversationRoster", message = "The bot is not part of the conversation roster." } });
                return;
            }
            http.Response.StatusCode = 201;
            await http.Response.WriteAsJsonAsync(new { id = ChatIdFor(member) });
            return;
        }
        http.Response.StatusCode = http.Request.Method == "PUT" ? 200 : 201;
        call.ActivityId ??= "activity-" + Interlocked.Increment(ref _nextId);
        _calls.Enqueue(call);
        await http.Response.WriteAsJsonAsync(new { id = call.ActivityId });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

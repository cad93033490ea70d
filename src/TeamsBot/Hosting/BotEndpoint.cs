using System.Text.Json;
using Microsoft.Extensions.Options;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Authentication;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Host.Hosting;

/// <summary><c>POST /api/messages</c>: size limit, parse, authenticate, then the activity processor.</summary>
public static class BotEndpoint
{
    public static IEndpointRouteBuilder MapBotEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/messages", HandleAsync);
        // The Agents Playground probes reachability with HEAD on each page load.
        app.MapMethods("/api/messages", ["HEAD"], () => Results.Ok());
        return app;
    }

    private static async Task HandleAsync(HttpContext http, IOptions<BotOptions> options, InboundTokenValidator validator,
        ActivityProcessor processor, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var bot = options.Value;
        var body = await ReadBodyAsync(http.Request, bot.MaxActivityBytes, http.RequestAborted);
        if (body is null)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var activity = Parse(body);
        if (activity is null)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (bot.AuthenticationEnabled)
        {
            var outcome = await validator.ValidateAsync(http.Request.Headers.Authorization, activity.ChannelId, activity.ServiceUrl,
                http.RequestAborted);
            if (!outcome.Succeeded)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
        }

        // After the acknowledgement the client is gone; work continues until the app stops, not until the request aborts.
        var ct = activity.Type == ActivityTypes.Invoke ? http.RequestAborted : lifetime.ApplicationStopping;
        var acknowledged = false;
        var result = await processor.ProcessAsync(activity, async () =>
        {
            acknowledged = true;
            http.Response.StatusCode = StatusCodes.Status200OK;
            await http.Response.CompleteAsync();
        }, ct);

        if (acknowledged || http.Response.HasStarted) return;
        http.Response.StatusCode = result.StatusCode;
        if (result.InvokeBody is { } invoke)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(http.Response.Body, invoke, ProtocolJson.Default.AdaptiveCardInvokeResponse, http.RequestAborted);
        }
        _ = loggers;
    }

    /// <summary>The body, or null when it is larger than allowed.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>A JSON object with a type, or null for anything else (empty, malformed, an array, a string...).</summary>
    private static Activity? Parse(byte[] body)
    {
        var span = body.AsSpan().TrimStart(" \t\r\n"u8);
        if (span.Length == 0 || span[0] != (byte)'{') return null;
        try
        {
            var activity = JsonSerializer.Deserialize(body, ProtocolJson.Default.Activity);
            return activity?.Type is { Length: > 0 } ? activity : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // A JsonObject with a repeated key throws ArgumentException, not JsonException.
            return null;
        }
    }
}

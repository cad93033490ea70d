using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Authentication;
using TeamsBot.Protocol.Routing;
using TeamsBot.Work;

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
        ActivityProcessor processor, BackgroundWork work, IHostApplicationLifetime lifetime)
    {
        using var turn = work.Track();
        var bot = options.Value;
        Activity? activity;
        using (var body = await ReadBodyAsync(http.Request, bot.MaxActivityBytes, http.RequestAborted))
        {
            if (body is null)
            {
                http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }
            activity = Parse(body.Span);
        }
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
                // 401, or 403 for a key not endorsed for the activity's channel.
                http.Response.StatusCode = outcome.StatusCode;
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
    }

    /// <summary>
    /// The body in a buffer rented from the shared pool (returned on dispose), or null when it is larger than allowed.
    /// Parsing copies what it keeps, so the buffer goes back as soon as the activity is read.
    /// </summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        var body = new PooledBody(request.ContentLength is { } n and > 0 ? (int)n + 1 : 4096);
        try
        {
            while (true)
            {
                // Room for one byte past the limit: reading it is how an over-long body without a length shows.
                if (body.Length == body.Capacity && !body.Grow(limit + 1)) break;
                var read = await request.Body.ReadAsync(body.Free, ct);
                if (read == 0) return body;
                body.Length += read;
                if (body.Length > limit) break;
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
        body.Dispose();
        return null;
    }

    private sealed class PooledBody(int capacity) : IDisposable
    {
        private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(capacity);

        public int Length { get; set; }
        public int Capacity => Buffer.Length;
        public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
        public Memory<byte> Free => Buffer.AsMemory(Length);
        private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBody));

        /// <summary>Doubles the buffer, up to <paramref name="max"/> bytes; false when it is that large already.</summary>
        public bool Grow(int max)
        {
            if (Capacity >= max) return false;
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(max, Capacity * 2));
            Buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Buffer);
            _buffer = larger;
            return true;
        }

        public void Dispose()
        {
            if (_buffer is null) return;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>A JSON object with a type, or null for anything else (empty, malformed, an array, a string...).</summary>
    private static Activity? Parse(ReadOnlySpan<byte> body)
    {
        var span = body.TrimStart(" \t\r\n"u8);
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

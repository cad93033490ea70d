using TeamsBot.Tests.Infrastructure;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TeamsBot.Tests.Reliability.Crash;

/// <summary>
/// A loopback relay in front of a test server (the simulated tenant, the fake connector) that can hold requests:
/// before they reach the server (nothing happened there) or after (it happened, but the answer never comes back),
/// so a process can be killed at exactly that point.
/// </summary>
public sealed class HoldingRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentQueue<Hold> _holds = new();
    private readonly string _target;
    private readonly CancellationTokenSource _closing = new();
    private int _held;
    private int _undelivered;

    private sealed record Hold(Func<HttpRequest, bool> Match, bool AfterForwarding, int Skip)
    {
        public int Seen;
    }

    private HoldingRelay(WebApplication app, string target)
    {
        _app = app;
        _target = target.TrimEnd('/');
    }

    /// <summary>The relay's root, e.g. http://127.0.0.1:5123 (paths are passed on as they are).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Requests held so far.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Requests the server carried out whose answer was never given back.</summary>
    public int Undelivered => Volatile.Read(ref _undelivered);

    public static async Task<HoldingRelay> StartAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var relay = new HoldingRelay(app, target);
        app.Run(relay.HandleAsync);
        await app.StartAsync();
        relay.Url = app.Urls.First();
        return relay;
    }

    /// <summary>Holds matching requests (after letting <paramref name="skip"/> of them through) until the caller gives up.</summary>
    public void HoldBefore(Func<HttpRequest, bool> match, int skip = 0) => _holds.Enqueue(new Hold(match, AfterForwarding: false, skip));

    /// <summary>Passes matching requests on, then keeps the answer (after letting <paramref name="skip"/> through).</summary>
    public void HoldAfter(Func<HttpRequest, bool> match, int skip = 0) => _holds.Enqueue(new Hold(match, AfterForwarding: true, skip));

    /// <summary>Stops holding new requests (those held stay held until their caller goes away).</summary>
    public void Release() => _holds.Clear();

    public async Task UntilHeldAsync(int count, int timeoutMs = Waits.SafetyNetMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Held < count)
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"The relay to {_target} held {Held} of {count} requests.");
            await Task.Delay(10);
        }
    }

    private Hold? Matching(HttpRequest request)
    {
        foreach (var hold in _holds)
            if (hold.Match(request) && Interlocked.Increment(ref hold.Seen) > hold.Skip) return hold;
        return null;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var hold = Matching(http.Request);
        if (hold is { AfterForwarding: false })
        {
            Interlocked.Increment(ref _held);
            await WaitForeverAsync(http.RequestAborted, _closing.Token);
            return;
        }

        // The target as sent (escapes kept), so the server sees what it would have seen without the relay.
        var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? http.Request.Path + http.Request.QueryString;
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), new Uri(_target + target, UriKind.Absolute));
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        if (body.Length > 0 || http.Request.ContentLength is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
            foreach (var header in http.Request.Headers.Where(h => h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)))
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        }
        foreach (var header in http.Request.Headers.Where(h => !h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
            && !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)))
            request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());

        // A request whose answer is to be kept goes on even if the caller dies meanwhile (the server finishes it); any
        // other is dropped with its caller, as a proxy closing the upstream connection would.
        var upstream = hold is { AfterForwarding: true } ? CancellationToken.None : http.RequestAborted;
        HttpResponseMessage response;
        byte[] answer;
        try
        {
            response = await _forward.SendAsync(request, upstream);
            answer = await response.Content.ReadAsByteArrayAsync(upstream);
        }
        catch (OperationCanceledException) when (upstream.IsCancellationRequested)
        {
            return;
        }
        using var _ = response;
        if (hold is { AfterForwarding: true })
        {
            Interlocked.Increment(ref _held);
            Interlocked.Increment(ref _undelivered);
            await WaitForeverAsync(http.RequestAborted, _closing.Token);
            return;
        }

        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
            if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                http.Response.Headers[header.Key] = header.Value.ToArray();
        await http.Response.Body.WriteAsync(answer, http.RequestAborted);
    }

    private static async Task WaitForeverAsync(CancellationToken aborted, CancellationToken closing)
    {
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(aborted, closing);
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            // The caller is gone (killed, or it gave up): nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
        _closing.Dispose();
    }
}

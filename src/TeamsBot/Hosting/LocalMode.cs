using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using TeamsBot.Protocol;

namespace TeamsBot.Host.Hosting;

/// <summary>
/// Local mode (no token checks) is for a developer's machine only: Development environment and loopback addresses.
/// Anything else stops the bot before it serves a request.
/// </summary>
public static class LocalMode
{
    public static void EnsureLocalModeIsSafe(this WebApplication app)
    {
        var bot = app.Services.GetRequiredService<IOptions<BotOptions>>().Value; // validates the Bot section now
        if (!bot.AllowUnauthenticatedLocalRequests) return;

        var configured = ConfiguredUrls(app.Configuration);
        var exposed = configured.Where(u => !IsLoopback(u)).ToList();
        if (exposed.Count > 0)
            throw new InvalidOperationException(
                $"Bot:AllowUnauthenticatedLocalRequests=true requires loopback listening addresses only; these are not: {string.Join(", ", exposed)}.");

        // The server may add addresses of its own (e.g. a default): check what it really bound, before any request.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var bad = addresses.Where(a => !IsLoopback(a)).ToList();
            if (bad.Count == 0) return;
            app.Logger.LogCritical("Bot:AllowUnauthenticatedLocalRequests=true but listening on non-loopback {Addresses}; stopping", bad);
            Environment.ExitCode = 1;
            app.Lifetime.StopApplication();
        });
        app.Logger.LogWarning("Local mode: activities are accepted WITHOUT authentication (Bot:AllowUnauthenticatedLocalRequests=true)");
    }

    private static List<string> ConfiguredUrls(IConfiguration configuration)
    {
        var urls = new List<string>();
        foreach (var key in new[] { "urls", "ASPNETCORE_URLS", "http_ports", "https_ports" })
            if (configuration[key] is { Length: > 0 } value)
                urls.AddRange(key.EndsWith("ports", StringComparison.Ordinal)
                    ? value.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => $"http://*:{p}")
                    : value.Split(';', StringSplitOptions.RemoveEmptyEntries));
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) urls.Add(url);
        return urls;
    }

    internal static bool IsLoopback(string url)
    {
        var host = url.Contains("://", StringComparison.Ordinal) ? url.Split("://", 2)[1] : url;
        host = host.Split('/', 2)[0];
        if (host.StartsWith('['))
            host = host[1..host.IndexOf(']', StringComparison.Ordinal)];
        else if (host.Count(c => c == ':') == 1)
            host = host.Split(':')[0];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Connector;
using TeamsBot.Storage;

namespace TeamsBot.Host.Hosting;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: storage answers and, with an app id, a connector token comes.</summary>
public static class Health
{
    private const string Ready = "ready";

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<StorageCheck>("storage", tags: [Ready])
            .AddCheck<ConnectorTokenCheck>("connector-token", tags: [Ready]);
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new()
        {
            Predicate = c => c.Tags.Contains(Ready),
            ResponseWriter = async (http, report) =>
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsJsonAsync(new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
                });
            },
        });
        return app;
    }

    private sealed class StorageCheck(IDocumentStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                return await store.PingAsync(ct) ? HealthCheckResult.Healthy("storage answers") : HealthCheckResult.Unhealthy("storage does not answer");
            }
            catch (Exception ex)
            {
                return HealthCheckResult.Unhealthy($"storage failed: {ex.GetType().Name}");
            }
        }
    }

    private sealed class ConnectorTokenCheck(IConnectorTokenSource tokens, IOptions<BotOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            if (string.IsNullOrEmpty(options.Value.AppId)) return HealthCheckResult.Healthy("local mode: no connector token needed");
            try
            {
                return await tokens.GetTokenAsync(ct) is { Length: > 0 }
                    ? HealthCheckResult.Healthy("connector token acquired")
                    : HealthCheckResult.Unhealthy("no connector token");
            }
            catch (Exception ex)
            {
                // The exception type says enough (bad secret, no identity); its message could echo configuration.
                return HealthCheckResult.Unhealthy($"connector token failed: {ex.GetType().Name}");
            }
        }
    }
}

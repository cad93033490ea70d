using TeamsBot.DevTenant;
using TeamsBot.Directory;

namespace TeamsBot.Host.Hosting;

public static class DirectoryHosting
{
    /// <summary>
    /// Microsoft Graph behind the directory ports. In Simulated mode (local runs) with no Graph:BaseUrl, the simulated
    /// tenant starts in this process on loopback before anything else; Simulated mode is refused in Production.
    /// </summary>
    public static WebApplicationBuilder AddTenantDirectory(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<SimulatedTenantHost>();
        builder.Services.AddTenantDirectory(builder.Configuration);
        return builder;
    }

    /// <summary>Starts the simulated tenant when the configuration asks for it (read at start, after every source is in).</summary>
    private sealed class SimulatedTenantHost(IConfiguration configuration, IHostEnvironment environment, ILogger<SimulatedTenantHost> logger)
        : IHostedService, IAsyncDisposable
    {
        private SimulatedTenant? _tenant;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!string.Equals(configuration["Graph:Mode"], nameof(GraphMode.Simulated), StringComparison.OrdinalIgnoreCase)) return;
            if (environment.IsProduction())
                throw new InvalidOperationException("Graph:Mode=Simulated is for local runs and tests; it is refused in Production. Use Graph:Mode=Live.");
            if (!string.IsNullOrWhiteSpace(configuration["Graph:BaseUrl"]))
            {
                if (!Uri.TryCreate(configuration["Graph:BaseUrl"], UriKind.Absolute, out var url) || !url.IsLoopback)
                    throw new InvalidOperationException("Graph:Mode=Simulated needs a loopback Graph:BaseUrl (or none, to start the simulated tenant).");
                return;
            }
            _tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions
            {
                Port = int.TryParse(configuration["Graph:SimulatedPort"], out var port) ? port : 0,
                SeedPath = configuration["Graph:SimulatedSeedPath"] is { Length: > 0 } seed ? seed : null,
            }, cancellationToken);
            configuration["Graph:BaseUrl"] = _tenant.BaseUrl;
            logger.LogInformation("Simulated tenant at {BaseUrl} (developer API at {Root}/_dev)", _tenant.BaseUrl, _tenant.RootUrl);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            if (_tenant is not null) await _tenant.DisposeAsync();
        }
    }
}

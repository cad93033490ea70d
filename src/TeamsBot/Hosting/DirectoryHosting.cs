using TeamsBot.Directory;

namespace TeamsBot.Host.Hosting;

public static class DirectoryHosting
{
    /// <summary>
    /// Microsoft Graph behind the directory ports. Simulated mode (a simulated tenant on loopback, started by
    /// src/TeamsBot.Local or a test) is refused in Production and needs a loopback Graph:BaseUrl.
    /// </summary>
    public static WebApplicationBuilder AddTenantDirectory(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<SimulatedModeCheck>();
        builder.Services.AddTenantDirectory(builder.Configuration);
        return builder;
    }

    /// <summary>Checks the Graph mode when the bot starts (after every configuration source is in).</summary>
    private sealed class SimulatedModeCheck(IConfiguration configuration, IHostEnvironment environment) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!string.Equals(configuration["Graph:Mode"], nameof(GraphMode.Simulated), StringComparison.OrdinalIgnoreCase)) return Task.CompletedTask;
            if (environment.IsProduction())
                throw new InvalidOperationException("Graph:Mode=Simulated is for local runs and tests; it is refused in Production. Use Graph:Mode=Live.");
            if (!Uri.TryCreate(configuration["Graph:BaseUrl"], UriKind.Absolute, out var url) || !url.IsLoopback)
                throw new InvalidOperationException(
                    "Graph:Mode=Simulated needs the simulated tenant's loopback Graph:BaseUrl. Run the bot locally with 'dotnet run --project src/TeamsBot.Local', which starts it.");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

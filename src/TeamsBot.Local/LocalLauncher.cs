using Microsoft.Extensions.Configuration;
using TeamsBot.DevTenant;

namespace TeamsBot.Local;

/// <summary>
/// Runs the bot on a developer's machine: starts the simulated tenant on loopback (<c>Graph:SimulatedPort</c>, 0 for a
/// free port; <c>Graph:SimulatedSeedPath</c> for another seed), then the bot itself, in Development, pointed at it.
/// The production host (src/TeamsBot) does not contain the simulated tenant; this program adds it.
/// </summary>
public static class LocalLauncher
{
    public static async Task<int> Main(string[] args)
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? "Development";
        if (string.Equals(environment, "Production", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync("TeamsBot.Local runs the simulated tenant and is for local runs only; it refuses the Production environment.");
            return 1;
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", environment);

        // The bot's settings files are copied beside this program: they are the content root.
        var root = AppContext.BaseDirectory;
        var settings = new ConfigurationBuilder()
            .SetBasePath(root)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();

        await using var tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions
        {
            Port = int.TryParse(settings["Graph:SimulatedPort"], out var port) ? port : 0,
            SeedPath = settings["Graph:SimulatedSeedPath"] is { Length: > 0 } seed ? seed : null,
        });
        Console.WriteLine($"Simulated tenant at {tenant.BaseUrl} (developer API at {tenant.RootUrl}/_dev)");
        Environment.SetEnvironmentVariable("Graph__Mode", "Simulated");
        Environment.SetEnvironmentVariable("Graph__BaseUrl", tenant.BaseUrl);

        var bot = typeof(global::Program).Assembly.EntryPoint
            ?? throw new InvalidOperationException("The bot assembly has no entry point.");
        if (bot.Invoke(null, [(string[])["--contentRoot", root, .. args]]) is Task run) await run;
        return Environment.ExitCode;
    }
}

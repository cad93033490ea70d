using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TeamsBot.DevTenant.Dev;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant;

/// <summary>
/// A simulated Entra tenant answering a Graph v1.0 subset on a loopback port, seeded from a JSON file. Point the Graph
/// SDK at <see cref="BaseUrl"/>; any non-empty bearer token is accepted.
/// </summary>
public sealed class SimulatedTenant : IAsyncDisposable
{
    private readonly WebApplication app;

    private SimulatedTenant(WebApplication app, SimulatedGraph graph, Uri root)
    {
        this.app = app;
        Graph = graph;
        RootUrl = root.ToString().TrimEnd('/');
        Port = root.Port;
    }

    /// <summary>Starts the tenant on 127.0.0.1 (an ephemeral port unless <see cref="SimulatedTenantOptions.Port"/> is set).</summary>
    public static async Task<SimulatedTenant> StartAsync(SimulatedTenantOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatedTenantOptions();
        var graph = new SimulatedGraph(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SimulatedTenant).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        app.MapSimulatedGraph(graph);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The simulated tenant did not report its address.");
        return new SimulatedTenant(app, graph, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>The Graph service root, e.g. http://127.0.0.1:5123/v1.0.</summary>
    public string BaseUrl => RootUrl + "/v1.0";

    /// <summary>The server root, e.g. http://127.0.0.1:5123 (the developer API is under /_dev).</summary>
    public string RootUrl { get; }

    public int Port { get; }

    public SimulatedGraph Graph { get; }

    /// <summary>The in-memory directory, for direct changes.</summary>
    public TenantState State => Graph.State;

    public FaultInjector Faults => Graph.Faults;

    public RequestLog RequestLog => Graph.RequestLog;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}

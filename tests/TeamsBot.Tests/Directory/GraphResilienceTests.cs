using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>Throttling and outages: what the SDK's retry absorbs, and what reaches the bot as a readable DirectoryException.</summary>
public sealed class GraphResilienceTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly IPeopleDirectory people;

    public GraphResilienceTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        people = fx.Get<IPeopleDirectory>();
    }

    [Fact]
    public async Task A_429_storm_at_half_rate_is_absorbed_by_the_sdk_retry()
    {
        var rule = fx.Tenant.Faults.Throttle("/users", rate: 0.5, retryAfterSeconds: 0, method: "GET");
        const int Calls = 20;

        for (var i = 0; i < Calls; i++)
        {
            Assert.NotNull(await people.FindUserAsync(Seed.Diego));
        }

        var log = fx.Tenant.RequestLog.Entries;
        var throttled = log.Count(e => e.Status == 429);
        Assert.Equal(Calls, log.Count(e => e.Status == 200));
        Assert.Equal(Calls + throttled, fx.Tenant.RequestLog.RoundTrips);
        Assert.True(throttled > 0, "the storm never hit");
        Assert.Equal(throttled, fx.Tenant.Faults.Rules.Single(r => r.Id == rule.Id).Hits);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_a_readable_throttled_error()
    {
        fx.Tenant.Faults.Throttle("/users", retryAfterSeconds: 0);

        var error = await Assert.ThrowsAsync<DirectoryException>(() => people.FindUserAsync(Seed.Diego));

        Assert.Equal(DirectoryErrorKind.Throttled, error.Kind);
        Assert.Contains("Microsoft Graph is throttling requests; try again in a minute", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, fx.Tenant.RequestLog.RoundTrips); // the first try and three retries
    }

    [Fact]
    public async Task A_lasting_503_is_an_unavailable_error()
    {
        fx.Tenant.Faults.Unavailable("/identity/conditionalAccess", retryAfterSeconds: 0);

        var error = await Assert.ThrowsAsync<DirectoryException>(() => fx.Get<IConditionalAccess>().GetPolicyAsync(Guid.NewGuid().ToString()));

        Assert.Equal(DirectoryErrorKind.Unavailable, error.Kind);
        Assert.Equal(503, error.StatusCode);
    }

    [Fact]
    public async Task A_throttled_batch_call_is_retried_by_the_sdk()
    {
        fx.Tenant.Faults.Throttle("/$batch", retryAfterSeconds: 0, maxCount: 1);

        var candidate = await people.GetTapCandidateAsync(new TapCandidateQuery(Seed.Megan, Seed.Diego, Seed.TapRequesters, [Seed.TapApprovers]));

        Assert.Equal(Seed.Diego, candidate.Target!.Id);
        Assert.Equal(2, fx.Tenant.RequestLog.RoundTrips);
        Assert.Equal(9, fx.Tenant.RequestLog.BatchItems);
    }

    [Fact]
    public async Task Throttled_items_inside_a_batch_are_sent_again_alone()
    {
        fx.Tenant.Faults.Throttle("/users/*/manager", retryAfterSeconds: 0, maxCount: 1);

        var candidate = await people.GetTapCandidateAsync(new TapCandidateQuery(Seed.Megan, Seed.Diego, Seed.TapRequesters, [Seed.TapApprovers]));

        Assert.Equal(Seed.Megan, candidate.TargetManagerId);
        Assert.Equal(2, fx.Tenant.RequestLog.RoundTrips);
        Assert.Equal(10, fx.Tenant.RequestLog.BatchItems); // nine, then the manager again
    }

    [Fact]
    public async Task A_batch_item_throttled_past_its_retries_is_a_throttled_error()
    {
        fx.Tenant.Faults.Throttle("/users/*/manager", retryAfterSeconds: 0);

        var error = await Assert.ThrowsAsync<DirectoryException>(() =>
            people.GetTapCandidateAsync(new TapCandidateQuery(Seed.Megan, Seed.Diego, null, [Seed.TapApprovers])));

        Assert.Equal(DirectoryErrorKind.Throttled, error.Kind);
        Assert.Equal(4, fx.Tenant.RequestLog.RoundTrips); // the batch and three smaller ones
    }

    [Fact]
    public async Task An_unreachable_graph_is_an_unavailable_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        await using var services = Gateway($"http://127.0.0.1:{port}/v1.0");

        var error = await Assert.ThrowsAsync<DirectoryException>(() => services.GetRequiredService<IPeopleDirectory>().FindUserAsync(Seed.Diego));

        Assert.Equal(DirectoryErrorKind.Unavailable, error.Kind);
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_reads_the_base_url_when_it_first_calls_graph()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Graph:Mode"] = "Simulated" }).Build();
        await using var services = new ServiceCollection().AddTenantDirectory(configuration).BuildServiceProvider();
        var lateBound = services.GetRequiredService<IPeopleDirectory>();

        configuration["Graph:BaseUrl"] = fx.Tenant.BaseUrl;
        var user = await lateBound.FindUserAsync(Seed.Megan);

        Assert.Equal("Megan Bowen", user!.DisplayName);
    }

    [Fact]
    public async Task Simulated_mode_without_a_base_url_says_which_key_is_missing()
    {
        await using var services = Gateway(null);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<IPeopleDirectory>().FindUserAsync(Seed.Megan));

        Assert.Contains("Graph:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ClientSecret", "Bot:ClientCredential:ClientSecret")]
    [InlineData("Certificate", "Bot:ClientCredential:CertificatePath")]
    [InlineData("Password", "Bot:ClientCredential:SourceType")]
    public async Task Live_mode_names_the_missing_credential_key(string sourceType, string key)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Graph:Mode"] = "Live",
            ["Bot:AppId"] = "00000000-0000-0000-0000-00000000000a",
            ["Bot:TenantId"] = Seed.TenantId,
            ["Bot:ClientCredential:SourceType"] = sourceType,
        }).Build();
        await using var services = new ServiceCollection().AddTenantDirectory(configuration).BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<ITapPolicySource>().GetAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Gateway(string? baseUrl) =>
        new ServiceCollection().AddTenantDirectory(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Graph:Mode"] = "Simulated",
            ["Graph:BaseUrl"] = baseUrl,
        }).Build()).BuildServiceProvider();
}

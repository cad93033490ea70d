using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using TeamsBot.DevTenant;

namespace TeamsBot.Tests.DevTenant;

/// <summary>Starting the tenant with options, and its developer API.</summary>
public sealed class SimulatedTenantHostTests
{
    [Fact]
    public async Task Starts_on_an_ephemeral_loopback_port()
    {
        await using var one = await SimulatedTenant.StartAsync();
        await using var two = await SimulatedTenant.StartAsync();

        Assert.NotEqual(one.Port, two.Port);
        Assert.Equal($"http://127.0.0.1:{one.Port}/v1.0", one.BaseUrl);
        Assert.Equal(Seed.TenantId, one.State.TenantId);
    }

    [Fact]
    public async Task Conditional_access_throttling_can_be_switched_on()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions { TimeProvider = time, ThrottleConditionalAccess = true });
        using var http = Client(tenant);

        var first = await http.GetAsync(new Uri($"{tenant.BaseUrl}/identity/conditionalAccess/policies"));
        var second = await http.GetAsync(new Uri($"{tenant.BaseUrl}/identity/conditionalAccess/namedLocations"));
        var user = await http.GetAsync(new Uri($"{tenant.BaseUrl}/users/{Seed.Megan}"));
        time.Advance(TimeSpan.FromSeconds(1));
        var third = await http.GetAsync(new Uri($"{tenant.BaseUrl}/identity/conditionalAccess/policies"));

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(429, (int)second.StatusCode);
        Assert.False(second.Headers.Contains("Retry-After")); // CA throttling sends none
        Assert.Equal(200, (int)user.StatusCode);
        Assert.Equal(200, (int)third.StatusCode);
    }

    [Fact]
    public async Task Reset_over_http_brings_back_the_seed()
    {
        await using var tenant = await SimulatedTenant.StartAsync();
        using var http = Client(tenant);
        tenant.State.RemoveConditionalAccessPolicy(Seed.MfaForAdmins);

        var reset = await http.PostAsync(new Uri($"{tenant.RootUrl}/_dev/reset"), null);
        var people = JsonNode.Parse(await http.GetStringAsync(new Uri($"{tenant.RootUrl}/_dev/tenant")))!;

        Assert.Equal(204, (int)reset.StatusCode);
        Assert.Equal(2, tenant.State.ConditionalAccessPolicies.Count);
        Assert.Equal(35, people["users"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_pass_method_is_read_by_id_without_its_value_and_is_gone_after_delete()
    {
        await using var tenant = await SimulatedTenant.StartAsync();
        using var http = Client(tenant);
        var tapRoot = $"{tenant.BaseUrl}/users/{Seed.Diego}/authentication/temporaryAccessPassMethods";
        var created = await http.PostAsync(new Uri(tapRoot), new StringContent("{}", null, "application/json"));
        var id = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;

        var read = JsonNode.Parse(await http.GetStringAsync(new Uri($"{tapRoot}/{id}")))!;
        var deleted = await http.DeleteAsync(new Uri($"{tapRoot}/{id}"));
        var again = await http.DeleteAsync(new Uri($"{tapRoot}/{id}"));
        var gone = await http.GetAsync(new Uri($"{tapRoot}/{id}"));

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Null(read["temporaryAccessPass"]);
        Assert.Equal(60, (int)read["lifetimeInMinutes"]!); // the policy default
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (int)again.StatusCode);
        Assert.Equal(404, (int)gone.StatusCode);
    }

    [Fact]
    public async Task A_seed_file_can_be_given()
    {
        var path = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.json");
        var seed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Seed", "contoso.json")))!;
        seed["tenant"]!["displayName"] = "Fabrikam";
        await File.WriteAllTextAsync(path, seed.ToJsonString());
        try
        {
            await using var tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions { SeedPath = path });

            Assert.Equal("Fabrikam", tenant.State.TenantDisplayName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static HttpClient Client(SimulatedTenant tenant)
    {
        var http = new HttpClient { BaseAddress = new Uri(tenant.RootUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t");
        return http;
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TeamsBot.DevTenant;

namespace TeamsBot.Tests.DevTenant;

/// <summary>Proactive installation of the bot for a user through the Graph SDK, and the tenant state a local connector reads.</summary>
public sealed class TeamsAppInstallationTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public TeamsAppInstallationTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task The_catalog_id_is_found_from_the_manifest_id()
    {
        var page = await graph.AppCatalogs.TeamsApps.GetAsync(rc => rc.QueryParameters.Filter = $"externalId eq '{Seed.TeamsAppExternalId}'");

        var app = Assert.Single(page!.Value!);
        Assert.Equal(Seed.TeamsAppId, app.Id);
        Assert.Equal(TeamsAppDistributionMethod.Organization, app.DistributionMethod);
    }

    [Fact]
    public async Task Installing_for_a_user_makes_the_app_listed_and_gives_the_one_on_one_chat()
    {
        var before = await InstalledAsync(Seed.Diego, $"teamsApp/id eq '{Seed.TeamsAppId}'");

        await InstallAsync(Seed.Diego);
        var byId = await InstalledAsync(Seed.Diego, $"teamsApp/id eq '{Seed.TeamsAppId}'");
        var byManifest = await InstalledAsync(Seed.Diego, $"teamsApp/externalId eq '{Seed.TeamsAppExternalId}'", "teamsAppDefinition");
        var otherApp = await InstalledAsync(Seed.Diego, "teamsApp/externalId eq 'someone-elses-app'");
        var installation = Assert.Single(byId);
        var chat = await graph.Users[Seed.Diego].Teamwork.InstalledApps[installation.Id].Chat.GetAsync();

        Assert.Empty(before);
        Assert.Equal(Seed.TeamsAppExternalId, installation.TeamsApp!.ExternalId);
        Assert.Equal("TeamsBot", Assert.Single(byManifest).TeamsAppDefinition!.DisplayName);
        Assert.Null(Assert.Single(byManifest).TeamsApp); // not expanded
        Assert.Empty(otherApp);
        Assert.Equal($"19:{fx.Tenant.State.TeamsApp.AzureADAppId}_{Seed.Diego}@unq.gbl.spaces", chat!.Id);
        Assert.Equal(ChatType.OneOnOne, chat.ChatType);
        Assert.True(fx.Tenant.State.IsTeamsAppInstalled(Seed.Diego));
        Assert.True(fx.Tenant.State.IsTeamsAppInstalled("diego.siciliani@contoso.com"));
        Assert.False(fx.Tenant.State.IsTeamsAppInstalled(Seed.Lynne));
    }

    [Fact]
    public async Task Installing_twice_is_a_409_conflict()
    {
        await InstallAsync(Seed.Megan);

        var error = await Assert.ThrowsAsync<ODataError>(() => InstallAsync(Seed.Megan));

        Assert.Equal(409, error.ResponseStatusCode);
        Assert.Equal("Conflict", error.Error!.Code);
    }

    [Fact]
    public async Task Unknown_users_and_apps_are_404_and_a_blocked_user_is_403()
    {
        var noUser = await Assert.ThrowsAsync<ODataError>(() => InstallAsync("nobody@contoso.com"));
        var noApp = await Assert.ThrowsAsync<ODataError>(() => InstallAsync(Seed.Megan, "00000000-0000-0000-0000-00000000beef"));
        var blocked = await Assert.ThrowsAsync<ODataError>(() => InstallAsync(Seed.Layla));

        Assert.Equal(404, noUser.ResponseStatusCode);
        Assert.Equal(404, noApp.ResponseStatusCode);
        Assert.Equal(403, blocked.ResponseStatusCode);
        Assert.Equal("Forbidden", blocked.Error!.Code);
        Assert.Equal("The user does not have a Microsoft Teams license.", blocked.Error.Message);
        Assert.False(fx.Tenant.State.IsTeamsAppInstalled(Seed.Layla));
    }

    [Fact]
    public async Task A_body_without_the_app_binding_is_refused()
    {
        var (status, _, _) = await fx.SendAsync(HttpMethod.Post, $"users/{Seed.Megan}/teamwork/installedApps", new JsonObject { ["teamsApp"] = Seed.TeamsAppId });

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Uninstalling_through_graph_removes_the_installation()
    {
        await InstallAsync(Seed.Nestor);
        var installation = Assert.Single(await InstalledAsync(Seed.Nestor, null));

        await graph.Users[Seed.Nestor].Teamwork.InstalledApps[installation.Id].DeleteAsync();

        Assert.False(fx.Tenant.State.IsTeamsAppInstalled(Seed.Nestor));
    }

    [Fact]
    public async Task The_developer_api_reads_pre_installs_and_uninstalls()
    {
        var put = await fx.Http.PutAsync(new Uri("_dev/teamsApp/installations/adele.vance@contoso.com", UriKind.Relative), null);
        var one = await fx.Http.GetFromJsonAsync<JsonObject>(new Uri($"_dev/teamsApp/installations/{Seed.Adele}", UriKind.Relative));
        var all = await fx.Http.GetFromJsonAsync<JsonObject>(new Uri("_dev/teamsApp", UriKind.Relative));
        var listed = await InstalledAsync(Seed.Adele, null);
        var deleted = await fx.Http.DeleteAsync(new Uri($"_dev/teamsApp/installations/{Seed.Adele}", UriKind.Relative));
        var gone = await fx.Http.GetAsync(new Uri($"_dev/teamsApp/installations/{Seed.Adele}", UriKind.Relative));

        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal(Seed.Adele, (string?)one!["userId"]);
        Assert.StartsWith("19:", (string?)one["chatId"], StringComparison.Ordinal);
        Assert.Single(all!["installations"]!.AsArray());
        Assert.Equal(Seed.TeamsAppId, (string?)all["app"]!["id"]);
        Assert.Single(listed);
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (int)gone.StatusCode);
    }

    [Fact]
    public async Task A_seed_names_the_app_and_the_users_who_have_it_at_load()
    {
        var seed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Seed", "contoso.json")))!;
        seed["teamsApp"] = new JsonObject { ["id"] = "11111111-2222-4333-8444-555555555555", ["externalId"] = "manifest-id", ["installedFor"] = new JsonArray(Seed.Megan) };
        var path = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, seed.ToJsonString());
        try
        {
            await using var tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions { SeedPath = path, BotAppId = "00000000-0000-4000-8000-00000000b075" });

            Assert.True(tenant.State.IsTeamsAppInstalled(Seed.Megan));
            Assert.False(tenant.State.IsTeamsAppInstalled(Seed.Adele));
            Assert.Equal("11111111-2222-4333-8444-555555555555", tenant.State.TeamsApp.Id);
            Assert.Equal("00000000-0000-4000-8000-00000000b075", tenant.State.TeamsApp.AzureADAppId); // the bot, when the seed names no bot id
        }
        finally
        {
            File.Delete(path);
        }
    }

    private Task InstallAsync(string user, string appId = Seed.TeamsAppId) =>
        graph.Users[user].Teamwork.InstalledApps.PostAsync(new UserScopeTeamsAppInstallation
        {
            AdditionalData = new Dictionary<string, object> { ["teamsApp@odata.bind"] = $"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{appId}" },
        });

    private async Task<List<UserScopeTeamsAppInstallation>> InstalledAsync(string user, string? filter, string expand = "teamsApp")
    {
        var page = await graph.Users[user].Teamwork.InstalledApps.GetAsync(rc =>
        {
            rc.QueryParameters.Filter = filter;
            rc.QueryParameters.Expand = [expand];
        });
        return page!.Value!;
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using TeamsBot.DevTenant;

namespace TeamsBot.Tests.DevTenant;

/// <summary>The switch that makes the tenant drop conditionalAccessPolicy.description, which Graph v1.0 calls "Not used".</summary>
public sealed class ConditionalAccessDescriptionTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public ConditionalAccessDescriptionTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task The_description_is_kept_by_default()
    {
        var created = await graph.Identity.ConditionalAccess.Policies.PostAsync(Policy("Kept by default"));
        var read = await graph.Identity.ConditionalAccess.Policies[created!.Id].GetAsync();

        Assert.Equal("Kept by default", created.Description);
        Assert.Equal("Kept by default", read!.Description);
    }

    [Fact]
    public async Task With_the_switch_on_post_and_patch_accept_a_description_that_get_answers_as_null()
    {
        fx.Tenant.State.DropConditionalAccessDescription = true;

        var created = await graph.Identity.ConditionalAccess.Policies.PostAsync(Policy("Sent on create"));
        await graph.Identity.ConditionalAccess.Policies[created!.Id].PatchAsync(new ConditionalAccessPolicy { Description = "Sent on update" });
        var read = await graph.Identity.ConditionalAccess.Policies[created.Id].GetAsync();
        var listed = await graph.Identity.ConditionalAccess.Policies.GetAsync();

        Assert.Null(created.Description);
        Assert.Null(read!.Description);
        Assert.All(listed!.Value!, p => Assert.Null(p.Description));
        Assert.Null(fx.Tenant.State.GetConditionalAccessPolicy(created.Id!)!["description"]); // not kept, not just hidden
    }

    [Fact]
    public async Task The_switch_is_set_through_the_developer_api_and_reset_puts_it_back()
    {
        var turnedOn = await fx.Http.PostAsJsonAsync(new Uri("_dev/settings", UriKind.Relative), new { dropConditionalAccessDescription = true });
        var settings = await turnedOn.Content.ReadFromJsonAsync<JsonObject>();
        var created = await graph.Identity.ConditionalAccess.Policies.PostAsync(Policy("Dropped"));
        var unknown = await fx.Http.PostAsJsonAsync(new Uri("_dev/settings", UriKind.Relative), new { keepEverything = true });
        var notBoolean = await fx.Http.PostAsJsonAsync(new Uri("_dev/settings", UriKind.Relative), new { dropConditionalAccessDescription = "yes" });
        fx.Reset();
        var afterReset = await fx.Http.GetFromJsonAsync<JsonObject>(new Uri("_dev/settings", UriKind.Relative));

        Assert.Equal(200, (int)turnedOn.StatusCode);
        Assert.True((bool)settings!["dropConditionalAccessDescription"]!);
        Assert.True((bool)settings["signInLogsLicensed"]!);
        Assert.Null(created!.Description);
        Assert.Equal(400, (int)unknown.StatusCode);
        Assert.Equal(400, (int)notBoolean.StatusCode);
        Assert.False((bool)afterReset!["dropConditionalAccessDescription"]!);
    }

    [Fact]
    public async Task The_option_turns_the_switch_on_from_the_start_and_after_a_reset()
    {
        await using var tenant = await SimulatedTenant.StartAsync(new SimulatedTenantOptions { DropConditionalAccessDescription = true });
        tenant.State.Reset();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{tenant.BaseUrl}/identity/conditionalAccess/policies")
        {
            Content = JsonContent.Create(RegistrationPolicies.Members().AsObject().Also(p => p["description"] = "Dropped from the start")),
        };
        request.Headers.Authorization = new("Bearer", "token");

        var answer = await http.SendAsync(request);
        var body = await answer.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(201, (int)answer.StatusCode);
        Assert.True(body!.ContainsKey("description"));
        Assert.Null(body["description"]);
        Assert.True(tenant.State.DropConditionalAccessDescription);
    }

    internal static ConditionalAccessPolicy Policy(string description) => new()
    {
        DisplayName = "Registration from untrusted networks",
        Description = description,
        State = ConditionalAccessPolicyState.EnabledForReportingButNotEnforced,
        Conditions = new ConditionalAccessConditionSet
        {
            ClientAppTypes = [ConditionalAccessClientApp.All],
            Applications = new ConditionalAccessApplications { IncludeApplications = [], IncludeUserActions = ["urn:user:registersecurityinfo"] },
            Users = new ConditionalAccessUsers { IncludeUsers = ["All"], ExcludeUsers = [Seed.BreakGlass1, Seed.BreakGlass2] },
        },
        GrantControls = new ConditionalAccessGrantControls { Operator = "OR", BuiltInControls = [ConditionalAccessGrantControl.Mfa] },
    };
}

internal static class JsonObjectExtensions
{
    /// <summary>Changes the object and returns it, for inline test bodies.</summary>
    public static JsonObject Also(this JsonObject value, Action<JsonObject> change)
    {
        change(value);
        return value;
    }
}

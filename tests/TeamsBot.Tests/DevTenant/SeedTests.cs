using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using TeamsBot.DevTenant;

namespace TeamsBot.Tests.DevTenant;

/// <summary>The Contoso seed's onboarding batch, and seed files with and without the optional fields.</summary>
public sealed class SeedTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public SeedTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task Henrietta_has_twelve_future_hires_with_only_a_password_inside_the_tap_policy()
    {
        var reports = await graph.Users[Seed.Henrietta].DirectReports.GetAsync(rc =>
            rc.QueryParameters.Select = ["id", "displayName", "userType", "accountEnabled", "employeeHireDate"]);
        var hires = reports!.Value!.OfType<User>().ToList();
        var methods = await Task.WhenAll(hires.Select(h => graph.Users[h.Id].Authentication.Methods.GetAsync()));
        var pass = await graph.Users[Seed.FirstOnboardingHire].Authentication.TemporaryAccessPassMethods.PostAsync(new TemporaryAccessPassAuthenticationMethod());

        Assert.Equal(12, hires.Count);
        Assert.All(hires, h =>
        {
            Assert.Equal("Member", h.UserType);
            Assert.True(h.AccountEnabled);
            Assert.True(h.EmployeeHireDate > fx.Time.GetUtcNow());
        });
        Assert.All(methods, m => Assert.IsType<PasswordAuthenticationMethod>(Assert.Single(m!.Value!)));
        Assert.NotNull(pass!.TemporaryAccessPass);
    }

    [Fact]
    public async Task The_existing_personas_keep_their_reports()
    {
        var megan = await graph.Users[Seed.Megan].DirectReports.GetAsync();
        var nestor = await graph.Users[Seed.Nestor].DirectReports.GetAsync();

        Assert.Equal([Seed.Diego, Seed.Lynne, Seed.Johanna, Seed.Irvin, Seed.Joni], megan!.Value!.Select(u => u.Id!));
        Assert.Equal(4, nestor!.Value!.Count);
    }

    [Fact]
    public async Task A_seed_without_the_new_optional_fields_loads_as_before()
    {
        var seed = await ContosoAsync();
        foreach (var name in new[] { "administrativeUnits", "roleAssignments", "roleEligibilities", "teamsApp" })
        {
            seed.Remove(name);
        }
        foreach (var group in seed["groups"]!.AsArray())
        {
            group!.AsObject().Remove("isAssignableToRole");
        }
        foreach (var user in seed["users"]!.AsArray())
        {
            user!.AsObject().Remove("teamsAppInstallBlocked");
        }

        await using var tenant = await StartAsync(seed);

        Assert.Contains(tenant.State.RoleAssignments, a => a.PrincipalId == Seed.Isaiah && a.RoleDefinitionId == Seed.GlobalAdministrator && a.DirectoryScopeId == "/");
        Assert.Empty(tenant.State.RoleEligibilities);
        Assert.Empty(tenant.State.TeamsAppInstallations);
        Assert.Equal("7b3f0c4d-2e1a-4b5c-8d9e-0f1a2b3c4d5e", tenant.State.TeamsApp.Id);
        Assert.Equal(3, tenant.State.AuthenticationStrengths.Count);
        Assert.Empty(tenant.State.DirectoryAudits);
    }

    [Fact]
    public async Task A_seed_may_add_strengths_audit_entries_custom_roles_dated_eligibilities_and_typed_phones()
    {
        var seed = await ContosoAsync();
        seed["authenticationStrengthPolicies"] = JsonNode.Parse("""[ { "displayName": "Keys or a pass", "allowedCombinations": [ "fido2", "temporaryAccessPassOneTime" ] } ]""");
        seed["directoryAudits"] = JsonNode.Parse("""
            [ { "category": "Policy", "activityDisplayName": "Update conditional access policy", "activityDateTime": "-2d",
                "loggedByService": "Conditional Access", "operationType": "Update", "result": "success",
                "initiatedBy": { "user": { "id": "a0000000-0000-4000-8000-000000000006", "userPrincipalName": "lee.gu@contoso.com" }, "app": null },
                "targetResources": [ { "id": "d0000000-0000-4000-8000-000000000001", "type": "Policy", "modifiedProperties": [] } ] } ]
            """);
        seed["roleDefinitions"] = JsonNode.Parse("""[ { "id": "11111111-0000-4000-8000-00000000c057", "displayName": "Onboarding Operator" } ]""");
        seed["roleEligibilities"]!.AsArray().Add(JsonNode.Parse($$"""
            { "principalId": "{{Seed.Patti}}", "roleDefinitionId": "11111111-0000-4000-8000-00000000c057", "startDateTime": "-1d", "endDateTime": "+30d" }
            """));
        seed["users"]!.AsArray().Single(u => (string?)u!["id"] == Seed.Diego)!["methods"]!.AsArray()
            .Add(JsonNode.Parse("""{ "type": "phone", "phoneType": "office", "phoneNumber": "+1 4255550100" }"""));

        await using var tenant = await StartAsync(seed);

        var custom = Assert.Single(tenant.State.AuthenticationStrengths, s => s.PolicyType == "custom");
        Assert.Equal(["fido2", "temporaryAccessPassOneTime"], custom.AllowedCombinations);
        var audit = Assert.Single(tenant.State.DirectoryAudits);
        Assert.StartsWith(tenant.State.Now.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string?)audit["activityDateTime"], StringComparison.Ordinal);
        Assert.Contains(tenant.State.RoleDefinitions, d => d.DisplayName == "Onboarding Operator" && !d.IsBuiltIn);
        var eligibility = Assert.Single(tenant.State.RoleEligibilities, e => e.PrincipalId == Seed.Patti);
        Assert.True(eligibility.EndDateTime > tenant.State.Now.AddDays(29));
        var phone = Assert.Single(tenant.State.FindUser(Seed.Diego)!.Methods, m => m.Type == "phone");
        Assert.Equal("e37fc753-ff3b-4958-9484-eaa9425c82bc", phone.Id);
        Assert.Equal("office", phone.PhoneType);
    }

    private static async Task<JsonObject> ContosoAsync() =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Seed", "contoso.json")))!.AsObject();

    private static async Task<SimulatedTenant> StartAsync(JsonObject seed)
    {
        var path = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, seed.ToJsonString());
        try
        {
            return await SimulatedTenant.StartAsync(new SimulatedTenantOptions { SeedPath = path });
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using System.Text.Json.Nodes;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>IConditionalAccess through the Graph SDK: Graph-shaped JSON in and out.</summary>
public sealed class ConditionalAccessTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly IConditionalAccess ca;

    public ConditionalAccessTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        ca = fx.Get<IConditionalAccess>();
    }

    [Fact]
    public async Task Lists_the_seeded_policies_cleaned_of_annotations()
    {
        var policies = (await fx.Get<IPolicyEvidence>().GetContextAsync()).Policies;

        Assert.Equal(new[] { Seed.MfaForAdmins, Seed.BlockLegacyAuth }, policies.Select(p => p.Id));
        var mfa = policies[0];
        Assert.Equal(("Require MFA for administrators", "enabled"), (mfa.DisplayName, mfa.State));
        Assert.NotNull(mfa.CreatedDateTime);
        Assert.DoesNotContain("@odata", mfa.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(Seed.GlobalAdministrator, (string?)mfa.Body["conditions"]!["users"]!["includeRoles"]![0]);
    }

    [Fact]
    public async Task A_missing_policy_is_null()
    {
        Assert.Null(await ca.GetPolicyAsync(Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task Creates_both_registration_policies_and_reads_them_back()
    {
        var members = await ca.CreatePolicyAsync(RegistrationPolicies.Members());
        var guests = await ca.CreatePolicyAsync(RegistrationPolicies.Guests());

        var read = await ca.GetPolicyAsync(members.Id);

        Assert.True(Guid.TryParse(members.Id, out _));
        Assert.Equal("enabledForReportingButNotEnforced", members.State);
        Assert.Equal(fx.Time.GetUtcNow(), members.CreatedDateTime);
        Assert.Null(members.ModifiedDateTime);
        Assert.Equal("Combined Security Info Registration on Trusted Networks", guests.DisplayName);
        Assert.NotNull(read);
        Assert.Equal(["urn:user:registersecurityinfo"], read.Body["conditions"]!["applications"]!["includeUserActions"]!.AsArray().Select(a => (string?)a));
        // Graph needs the nested type; the cleaning keeps it.
        Assert.Equal("#microsoft.graph.conditionalAccessAllExternalTenants",
            (string?)read.Body["conditions"]!["users"]!["excludeGuestsOrExternalUsers"]!["externalTenants"]!["@odata.type"]);
        Assert.Equal(4, (await fx.Get<IPolicyEvidence>().GetContextAsync()).Policies.Count);
    }

    [Fact]
    public async Task An_authentication_strength_reads_back_as_its_id_only()
    {
        var body = RegistrationPolicies.Members();
        body["grantControls"] = new JsonObject
        {
            ["operator"] = "OR",
            ["builtInControls"] = new JsonArray(),
            ["authenticationStrength"] = new JsonObject { ["id"] = "00000000-0000-0000-0000-000000000002" },
        };

        var created = await ca.CreatePolicyAsync(body);
        var read = await ca.GetPolicyAsync(created.Id);

        var grant = read!.Body["grantControls"]!.AsObject();
        Assert.False(grant.ContainsKey("authenticationStrength@odata.context"));
        Assert.Equal("""{"id":"00000000-0000-0000-0000-000000000002"}""", grant["authenticationStrength"]!.ToJsonString());
    }

    [Fact]
    public async Task A_read_policy_can_be_posted_again_as_is()
    {
        var created = await ca.CreatePolicyAsync(RegistrationPolicies.Members());
        var read = await ca.GetPolicyAsync(created.Id);
        read!.Body["displayName"] = "Copy";

        var copy = await ca.CreatePolicyAsync(read.Body);

        Assert.NotEqual(created.Id, copy.Id);
        Assert.Equal("Copy", copy.DisplayName);
    }

    [Fact]
    public async Task A_malformed_body_is_a_bad_request_with_the_1007_text()
    {
        var body = RegistrationPolicies.Members();
        body["conditions"]!["users"]!["includeEveryone"] = true;

        var error = await Assert.ThrowsAsync<DirectoryException>(() => ca.CreatePolicyAsync(body));

        Assert.Equal(DirectoryErrorKind.BadRequest, error.Kind);
        Assert.Contains("1007: Incoming ConditionalAccessPolicy object is null or does not match the schema", error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.StatusCode);
        Assert.NotNull(error.RequestId);
    }

    [Fact]
    public async Task A_user_action_policy_with_applications_is_refused()
    {
        var body = RegistrationPolicies.Guests();
        body["conditions"]!["applications"]!["includeApplications"] = new JsonArray("All");

        var error = await Assert.ThrowsAsync<DirectoryException>(() => ca.CreatePolicyAsync(body));

        Assert.Equal(DirectoryErrorKind.BadRequest, error.Kind);
        Assert.Contains("includeApplications must be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promotes_a_policy_with_a_patch()
    {
        var created = await ca.CreatePolicyAsync(RegistrationPolicies.Members());
        fx.Time.Advance(TimeSpan.FromDays(7));

        await ca.UpdatePolicyAsync(created.Id, new JsonObject { ["state"] = "enabled" });
        var read = await ca.GetPolicyAsync(created.Id);

        Assert.Equal("enabled", read!.State);
        Assert.Equal(fx.Time.GetUtcNow(), read.ModifiedDateTime);
        Assert.Equal("mfa", (string?)read.Body["grantControls"]!["builtInControls"]![0]);
    }

    [Fact]
    public async Task Updating_a_missing_policy_is_not_found_and_a_bad_patch_is_a_bad_request()
    {
        var created = await ca.CreatePolicyAsync(RegistrationPolicies.Members());

        var missing = await Assert.ThrowsAsync<DirectoryException>(() => ca.UpdatePolicyAsync(Guid.NewGuid().ToString(), new JsonObject { ["state"] = "enabled" }));
        var bad = await Assert.ThrowsAsync<DirectoryException>(() => ca.UpdatePolicyAsync(created.Id, new JsonObject { ["state"] = "on" }));

        Assert.Equal(DirectoryErrorKind.NotFound, missing.Kind);
        Assert.Equal(DirectoryErrorKind.BadRequest, bad.Kind);
    }

    [Fact]
    public async Task Sees_a_change_made_outside_the_bot()
    {
        var created = await ca.CreatePolicyAsync(RegistrationPolicies.Members("enabled"));

        fx.Tenant.State.ChangeConditionalAccessPolicy(created.Id, p => p["conditions"]!["users"]!["excludeUsers"] = new JsonArray());
        var read = await ca.GetPolicyAsync(created.Id);

        Assert.Empty(read!.Body["conditions"]!["users"]!["excludeUsers"]!.AsArray());
        Assert.NotNull(read.ModifiedDateTime);
    }

    [Fact]
    public async Task Lists_named_locations_with_ranges_and_trust()
    {
        var locations = (await fx.Get<IPolicyEvidence>().GetContextAsync()).Locations;

        var hq = locations.Single(l => l.Id == Seed.ContosoHq);
        var wifi = locations.Single(l => l.Id == Seed.GuestWifi);
        Assert.Equal(("Contoso HQ", "ip", true), (hq.DisplayName, hq.Kind, hq.IsTrusted));
        Assert.Equal(["203.0.113.0/24"], hq.IpRanges);
        Assert.False(wifi.IsTrusted);
    }

    [Fact]
    public void Cleaning_removes_annotations_but_keeps_nested_types()
    {
        var graph = JsonNode.Parse("""
            { "@odata.context": "x", "@odata.type": "#microsoft.graph.conditionalAccessPolicy", "id": "1", "createdDateTime": "2026-01-01T00:00:00Z",
              "conditions": { "users": { "includeGuestsOrExternalUsers": { "guestOrExternalUserTypes": "internalGuest",
                "externalTenants": { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all" } } } },
              "grantControls": { "operator": "OR", "authenticationStrength@odata.context": "y",
                "authenticationStrength": { "id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA" } } }
            """)!.AsObject();

        var clean = CaPolicyJson.Clean(graph);
        var writable = CaPolicyJson.Writable(graph);

        Assert.Equal(
            """{"id":"1","createdDateTime":"2026-01-01T00:00:00Z","conditions":{"users":{"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"internalGuest","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessAllExternalTenants","membershipKind":"all"}}}},"grantControls":{"operator":"OR","authenticationStrength":{"id":"00000000-0000-0000-0000-000000000004"}}}""",
            clean.ToJsonString());
        Assert.False(writable.ContainsKey("id"));
        Assert.False(writable.ContainsKey("createdDateTime"));
        Assert.True(graph.ContainsKey("@odata.context")); // the input is left alone
    }
}

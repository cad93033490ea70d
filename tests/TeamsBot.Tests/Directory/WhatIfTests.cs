using System.Text.Json.Nodes;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>
/// The What-If matrix for the two registration policies (graph-entra.md §3.3-3.4): member, internal guest, external
/// guest and break-glass account, from a trusted and an untrusted address.
/// </summary>
public sealed class WhatIfTests : IClassFixture<SimulatedTenantFixture>
{
    private const string Mfa = "mfa";
    private const string Block = "block";
    private const string NotApplied = "-";

    private readonly SimulatedTenantFixture fx;
    private readonly IWhatIfEvaluator whatIf;
    private readonly IConditionalAccess ca;

    public WhatIfTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        whatIf = fx.Get<IWhatIfEvaluator>();
        ca = fx.Get<IConditionalAccess>();
    }

    /// <summary>One query, sent as the bot sends every What-If: inside a $batch.</summary>
    private async Task<IReadOnlyList<WhatIfResult>> EvaluateAsync(WhatIfQuery query) => (await whatIf.EvaluateAllAsync([query]))[0];

    public static TheoryData<string, string, string, string> Matrix => new()
    {
        // user, address, policy (i) members, policy (ii) guests
        { Seed.Megan, Seed.UntrustedIp, Mfa, NotApplied },
        { Seed.Megan, Seed.ElsewhereIp, Mfa, NotApplied },
        { Seed.Megan, Seed.TrustedIp, NotApplied, NotApplied },
        { Seed.Joni, Seed.UntrustedIp, NotApplied, Block },
        { Seed.Joni, Seed.TrustedIp, NotApplied, NotApplied },
        { Seed.Irvin, Seed.UntrustedIp, NotApplied, Block },
        { Seed.Irvin, Seed.TrustedIp, NotApplied, NotApplied },
        { Seed.BreakGlass1, Seed.UntrustedIp, NotApplied, NotApplied },
        { Seed.BreakGlass2, Seed.TrustedIp, NotApplied, NotApplied },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Registration_policies_apply_as_designed(string userId, string ip, string members, string guests)
    {
        var (membersId, guestsId) = await DeployAsync(RegistrationPolicies.Members(), RegistrationPolicies.Guests());

        var results = await EvaluateAsync(new WhatIfQuery(userId, ip));

        Assert.Equal(members, Outcome(results, membersId));
        Assert.Equal(guests, Outcome(results, guestsId));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task The_legacy_guest_syntax_gives_the_same_matrix(string userId, string ip, string members, string guests)
    {
        var (membersId, guestsId) = await DeployAsync(RegistrationPolicies.MembersLegacy(), RegistrationPolicies.GuestsLegacy());

        var results = await EvaluateAsync(new WhatIfQuery(userId, ip));

        Assert.Equal(members, Outcome(results, membersId));
        Assert.Equal(guests, Outcome(results, guestsId));
    }

    [Fact]
    public async Task Results_say_why_a_policy_does_not_apply()
    {
        var (membersId, guestsId) = await DeployAsync(RegistrationPolicies.Members(), RegistrationPolicies.Guests());

        var trusted = await EvaluateAsync(new WhatIfQuery(Seed.Megan, Seed.TrustedIp));
        var breakGlass = await EvaluateAsync(new WhatIfQuery(Seed.BreakGlass1, Seed.UntrustedIp));

        Assert.Equal("location", trusted.Single(r => r.PolicyId == membersId).AnalysisReasons);
        Assert.Equal("users,location", trusted.Single(r => r.PolicyId == guestsId).AnalysisReasons);
        Assert.Equal("users", breakGlass.Single(r => r.PolicyId == membersId).AnalysisReasons);
        var applied = (await EvaluateAsync(new WhatIfQuery(Seed.Megan, Seed.UntrustedIp))).Single(r => r.PolicyId == membersId);
        Assert.Equal(("notSet", "enabledForReportingButNotEnforced"), (applied.AnalysisReasons, applied.State));
        // The seeded policies target applications, not the registration user action.
        Assert.Equal("users,userActions", trusted.Single(r => r.PolicyId == Seed.MfaForAdmins).AnalysisReasons);
    }

    [Fact]
    public async Task A_group_exclusion_counts_transitively()
    {
        var policy = RegistrationPolicies.Members();
        policy["conditions"]!["users"]!["excludeUsers"] = new JsonArray();
        policy["conditions"]!["users"]!["excludeGroups"] = new JsonArray(Seed.TapApprovers);
        var created = await ca.CreatePolicyAsync(policy);

        var alex = await EvaluateAsync(new WhatIfQuery(Seed.Alex, Seed.UntrustedIp)); // member through Identity Team
        var megan = await EvaluateAsync(new WhatIfQuery(Seed.Megan, Seed.UntrustedIp));

        Assert.False(alex.Single(r => r.PolicyId == created.Id).PolicyApplies);
        Assert.True(megan.Single(r => r.PolicyId == created.Id).PolicyApplies);
    }

    [Fact]
    public async Task A_role_exclusion_follows_the_users_roles()
    {
        var policy = RegistrationPolicies.Members();
        policy["conditions"]!["users"]!["excludeUsers"] = new JsonArray();
        policy["conditions"]!["users"]!["excludeGroups"] = new JsonArray();
        policy["conditions"]!["users"]!["excludeRoles"] = new JsonArray(Seed.GlobalAdministrator);
        var created = await ca.CreatePolicyAsync(policy);

        var results = await EvaluateAsync(new WhatIfQuery(Seed.Isaiah, Seed.UntrustedIp));

        Assert.False(results.Single(r => r.PolicyId == created.Id).PolicyApplies);
    }

    [Fact]
    public async Task Enumerated_external_tenants_narrow_b2b_guests_only()
    {
        var policy = RegistrationPolicies.Guests();
        policy["conditions"]!["users"]!["includeGuestsOrExternalUsers"]!["externalTenants"] = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
            ["membershipKind"] = "enumerated",
            ["members"] = new JsonArray(Guid.NewGuid().ToString()),
        };
        var created = await ca.CreatePolicyAsync(policy);

        var joni = await EvaluateAsync(new WhatIfQuery(Seed.Joni, Seed.UntrustedIp));
        var irvin = await EvaluateAsync(new WhatIfQuery(Seed.Irvin, Seed.UntrustedIp));

        Assert.False(joni.Single(r => r.PolicyId == created.Id).PolicyApplies); // Fabrikam is not listed
        Assert.True(irvin.Single(r => r.PolicyId == created.Id).PolicyApplies);
    }

    [Fact]
    public async Task Disabled_policies_are_left_out()
    {
        var (membersId, _) = await DeployAsync(RegistrationPolicies.Members("disabled"), RegistrationPolicies.Guests());

        var results = await EvaluateAsync(new WhatIfQuery(Seed.Megan, Seed.UntrustedIp));

        Assert.DoesNotContain(results, r => r.PolicyId == membersId);
        Assert.Equal(3, results.Count);
    }

    [Fact]
    public async Task Named_location_ids_match_the_sign_in_address()
    {
        var policy = RegistrationPolicies.Members();
        policy["conditions"]!["locations"] = new JsonObject
        {
            ["includeLocations"] = new JsonArray(Seed.GuestWifi),
            ["excludeLocations"] = new JsonArray(),
        };
        var created = await ca.CreatePolicyAsync(policy);

        var wifi = await EvaluateAsync(new WhatIfQuery(Seed.Megan, "198.51.100.200"));
        var elsewhere = await EvaluateAsync(new WhatIfQuery(Seed.Megan, Seed.ElsewhereIp));

        Assert.True(wifi.Single(r => r.PolicyId == created.Id).PolicyApplies);
        Assert.Equal("location", elsewhere.Single(r => r.PolicyId == created.Id).AnalysisReasons);
    }

    [Fact]
    public async Task Evaluating_an_unknown_user_is_a_bad_request()
    {
        var error = await Assert.ThrowsAsync<DirectoryException>(() => EvaluateAsync(new WhatIfQuery(Guid.NewGuid().ToString(), Seed.TrustedIp)));

        Assert.Equal(DirectoryErrorKind.BadRequest, error.Kind);
    }

    [Fact]
    public async Task The_applied_policies_only_flag_is_honoured_by_the_tenant()
    {
        await DeployAsync(RegistrationPolicies.Members(), RegistrationPolicies.Guests());
        var body = JsonNode.Parse($$"""
            { "signInIdentity": { "@odata.type": "#microsoft.graph.userSignIn", "userId": "{{Seed.Megan}}" },
              "signInContext": { "@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerSecurityInformation" },
              "signInConditions": { "ipAddress": "{{Seed.UntrustedIp}}" }, "appliedPoliciesOnly": true }
            """)!;

        var (status, answer, _) = await fx.SendAsync(HttpMethod.Post, "identity/conditionalAccess/evaluate", body);

        Assert.Equal(200, status);
        var only = Assert.Single(answer!["value"]!.AsArray());
        Assert.Equal("Combined Security Info Registration with TAP", (string?)only!["displayName"]);
        Assert.True((bool)only["policyApplies"]!);
    }

    private async Task<(string Members, string Guests)> DeployAsync(JsonObject members, JsonObject guests) =>
        ((await ca.CreatePolicyAsync(members)).Id, (await ca.CreatePolicyAsync(guests)).Id);

    private static string Outcome(IReadOnlyList<WhatIfResult> results, string policyId)
    {
        var result = results.Single(r => r.PolicyId == policyId);
        return result.PolicyApplies ? string.Join('+', result.BuiltInControls) : NotApplied;
    }
}

using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Identity.ConditionalAccess.Evaluate;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Policies.AuthenticationStrengthPolicies.Item.UpdateAllowedCombinations;

namespace TeamsBot.Tests.DevTenant;

/// <summary>Built-in and custom authentication strengths, and Conditional Access policies that grant with one.</summary>
public sealed class AuthenticationStrengthTests : IClassFixture<SimulatedTenantFixture>
{
    private const string Mfa = "00000000-0000-0000-0000-000000000002";
    private const string Passwordless = "00000000-0000-0000-0000-000000000003";
    private const string PhishingResistant = "00000000-0000-0000-0000-000000000004";

    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public AuthenticationStrengthTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task The_three_built_in_strengths_have_their_ids_and_only_mfa_allows_a_temporary_access_pass()
    {
        var page = await graph.Policies.AuthenticationStrengthPolicies.GetAsync(rc => rc.QueryParameters.Filter = "policyType eq 'builtIn'");

        var byId = page!.Value!.ToDictionary(p => p.Id!);
        Assert.Equal([Mfa, Passwordless, PhishingResistant], byId.Keys.Order());
        Assert.All(byId.Values, p => Assert.Equal(AuthenticationStrengthPolicyType.BuiltIn, p.PolicyType));
        Assert.Contains(AuthenticationMethodModes.TemporaryAccessPassOneTime, byId[Mfa].AllowedCombinations!);
        Assert.Contains(AuthenticationMethodModes.TemporaryAccessPassMultiUse, byId[Mfa].AllowedCombinations!);
        Assert.Contains(AuthenticationMethodModes.Password | AuthenticationMethodModes.MicrosoftAuthenticatorPush, byId[Mfa].AllowedCombinations!);
        Assert.DoesNotContain(byId[Passwordless].AllowedCombinations!, c => c!.Value.HasFlag(AuthenticationMethodModes.TemporaryAccessPassOneTime));
        Assert.Equal([AuthenticationMethodModes.WindowsHelloForBusiness, AuthenticationMethodModes.Fido2, AuthenticationMethodModes.X509CertificateMultiFactor],
            byId[PhishingResistant].AllowedCombinations!.Select(c => c!.Value));
        Assert.All(byId.Values, p => Assert.Equal(AuthenticationStrengthRequirements.Mfa, p.RequirementsSatisfied));
    }

    [Fact]
    public async Task A_custom_strength_is_created_renamed_and_given_new_combinations()
    {
        var created = await CreateAsync("Onboarding with a pass", AuthenticationMethodModes.TemporaryAccessPassOneTime, AuthenticationMethodModes.Fido2);
        await graph.Policies.AuthenticationStrengthPolicies[created!.Id].PatchAsync(new AuthenticationStrengthPolicy { DisplayName = "Onboarding (TAP or key)" });
        var updated = await graph.Policies.AuthenticationStrengthPolicies[created.Id].UpdateAllowedCombinations.PostAsync(
            new UpdateAllowedCombinationsPostRequestBody { AllowedCombinations = [AuthenticationMethodModes.Fido2, AuthenticationMethodModes.Password] });
        var read = await graph.Policies.AuthenticationStrengthPolicies[created.Id].GetAsync();
        var custom = await graph.Policies.AuthenticationStrengthPolicies.GetAsync(rc => rc.QueryParameters.Filter = "policyType eq 'custom'");

        Assert.Equal(AuthenticationStrengthPolicyType.Custom, created.PolicyType);
        Assert.Equal(AuthenticationStrengthRequirements.Mfa, created.RequirementsSatisfied);
        Assert.Equal("Onboarding (TAP or key)", read!.DisplayName);
        Assert.Equal([AuthenticationMethodModes.Fido2, AuthenticationMethodModes.Password], updated!.CurrentCombinations!.Select(c => c!.Value));
        Assert.Equal([AuthenticationMethodModes.TemporaryAccessPassOneTime, AuthenticationMethodModes.Fido2], updated.PreviousCombinations!.Select(c => c!.Value));
        Assert.Equal(AuthenticationStrengthRequirements.None, read.RequirementsSatisfied); // a password alone is not MFA
        Assert.Equal(created.Id, Assert.Single(custom!.Value!).Id);
    }

    [Fact]
    public async Task Creation_is_validated_like_graph()
    {
        var spaced = await fx.SendAsync(HttpMethod.Post, "policies/authenticationStrengthPolicies",
            JsonNode.Parse("""{ "displayName": "Docs example", "allowedCombinations": [ "password, hardwareOath", "password, sms" ] }"""));
        var unsupported = await fx.SendAsync(HttpMethod.Post, "policies/authenticationStrengthPolicies",
            JsonNode.Parse("""{ "displayName": "Odd", "allowedCombinations": [ "password,fido2" ] }"""));
        var noName = await fx.SendAsync(HttpMethod.Post, "policies/authenticationStrengthPolicies",
            JsonNode.Parse("""{ "allowedCombinations": [ "fido2" ] }"""));
        var noCombinations = await fx.SendAsync(HttpMethod.Post, "policies/authenticationStrengthPolicies",
            JsonNode.Parse("""{ "displayName": "Empty", "allowedCombinations": [] }"""));
        var sameName = await fx.SendAsync(HttpMethod.Post, "policies/authenticationStrengthPolicies",
            JsonNode.Parse("""{ "displayName": "Phishing-resistant MFA", "allowedCombinations": [ "fido2" ] }"""));
        var readOnly = await fx.SendAsync(HttpMethod.Post, "policies/authenticationStrengthPolicies",
            JsonNode.Parse("""{ "displayName": "Typed", "policyType": "builtIn", "allowedCombinations": [ "fido2" ] }"""));

        Assert.Equal(201, spaced.Status);
        Assert.Equal(["password,hardwareOath", "password,sms"], spaced.Body!["allowedCombinations"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(400, unsupported.Status);
        Assert.Equal(400, noName.Status);
        Assert.Equal(400, noCombinations.Status);
        Assert.Equal(400, sameName.Status);
        Assert.Equal(400, readOnly.Status);
    }

    [Fact]
    public async Task At_most_fifteen_custom_strengths()
    {
        for (var i = 0; i < 15; i++)
        {
            await CreateAsync($"Strength {i}", AuthenticationMethodModes.Fido2);
        }

        var error = await Assert.ThrowsAsync<ODataError>(() => CreateAsync("Strength 16", AuthenticationMethodModes.Fido2));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Built_in_strengths_cannot_be_changed_or_deleted_and_patch_cannot_change_combinations()
    {
        var custom = await CreateAsync("Keys only", AuthenticationMethodModes.Fido2);

        var rename = await Assert.ThrowsAsync<ODataError>(() => graph.Policies.AuthenticationStrengthPolicies[Mfa].PatchAsync(new AuthenticationStrengthPolicy { DisplayName = "Mine" }));
        var delete = await Assert.ThrowsAsync<ODataError>(() => graph.Policies.AuthenticationStrengthPolicies[PhishingResistant].DeleteAsync());
        var combinations = await Assert.ThrowsAsync<ODataError>(() => graph.Policies.AuthenticationStrengthPolicies[Mfa].UpdateAllowedCombinations.PostAsync(
            new UpdateAllowedCombinationsPostRequestBody { AllowedCombinations = [AuthenticationMethodModes.Password] }));
        var patchCombinations = await fx.SendAsync(HttpMethod.Patch, $"policies/authenticationStrengthPolicies/{custom!.Id}",
            JsonNode.Parse("""{ "allowedCombinations": [ "password" ] }"""));
        var missing = await Assert.ThrowsAsync<ODataError>(() => graph.Policies.AuthenticationStrengthPolicies[Guid.NewGuid().ToString()].GetAsync());

        Assert.Equal(400, rename.ResponseStatusCode);
        Assert.Equal(400, delete.ResponseStatusCode);
        Assert.Equal(400, combinations.ResponseStatusCode);
        Assert.Equal(400, patchCombinations.Status);
        Assert.Equal(404, missing.ResponseStatusCode);
    }

    [Fact]
    public async Task A_policy_may_grant_with_a_custom_strength_which_get_expands_and_which_cannot_be_deleted_while_used()
    {
        var custom = await CreateAsync("Registration with a pass", AuthenticationMethodModes.TemporaryAccessPassOneTime, AuthenticationMethodModes.Fido2);
        var policy = await graph.Identity.ConditionalAccess.Policies.PostAsync(RegistrationPolicy(custom!.Id!));

        var read = await graph.Identity.ConditionalAccess.Policies[policy!.Id].GetAsync();
        var raw = await fx.GetAsync($"identity/conditionalAccess/policies/{policy.Id}");
        var inUse = await Assert.ThrowsAsync<ODataError>(() => graph.Policies.AuthenticationStrengthPolicies[custom.Id].DeleteAsync());
        var usage = await graph.Policies.AuthenticationStrengthPolicies[custom.Id].Usage.GetAsync();
        await graph.Identity.ConditionalAccess.Policies[policy.Id].DeleteAsync();
        await graph.Policies.AuthenticationStrengthPolicies[custom.Id].DeleteAsync();

        Assert.Equal("Registration with a pass", read!.GrantControls!.AuthenticationStrength!.DisplayName);
        Assert.Equal(AuthenticationStrengthPolicyType.Custom, read.GrantControls.AuthenticationStrength.PolicyType);
        Assert.NotNull(raw.Body!["grantControls"]!["authenticationStrength@odata.context"]);
        Assert.Equal(400, inUse.ResponseStatusCode);
        Assert.Equal(policy.Id, Assert.Single(usage!.Mfa!).Id);
        Assert.DoesNotContain(fx.Tenant.State.AuthenticationStrengths, s => s.PolicyType == "custom");
    }

    [Fact]
    public async Task A_policy_naming_an_unknown_strength_or_mixing_it_with_mfa_is_refused()
    {
        var unknown = await Assert.ThrowsAsync<ODataError>(() => graph.Identity.ConditionalAccess.Policies.PostAsync(RegistrationPolicy(Guid.NewGuid().ToString())));
        var withMfa = RegistrationPolicy(Mfa);
        withMfa.GrantControls!.BuiltInControls = [ConditionalAccessGrantControl.Mfa];
        var mixed = await Assert.ThrowsAsync<ODataError>(() => graph.Identity.ConditionalAccess.Policies.PostAsync(withMfa));

        Assert.Equal(400, unknown.ResponseStatusCode);
        Assert.Equal(400, mixed.ResponseStatusCode);
        Assert.Equal("1108: Authentication strengths cannot be used alongside the MFA built-in control.", mixed.Error!.Message);
    }

    [Fact]
    public async Task What_if_shows_a_strength_grant_expanded_so_it_reads_as_an_mfa_requirement()
    {
        var policy = await graph.Identity.ConditionalAccess.Policies.PostAsync(RegistrationPolicy(PhishingResistant));

        var answer = await graph.Identity.ConditionalAccess.Evaluate.PostAsEvaluatePostResponseAsync(new EvaluatePostRequestBody
        {
            SignInIdentity = new UserSignIn { UserId = Seed.Megan },
            SignInContext = new UserActionContext { UserAction = UserAction.RegisterSecurityInformation },
            SignInConditions = new SignInConditions { IpAddress = Seed.UntrustedIp, ClientAppType = ConditionalAccessClientApp.Browser },
            AppliedPoliciesOnly = true,
        });

        var result = Assert.Single(answer!.Value!, r => r.Id == policy!.Id);
        Assert.True(result.PolicyApplies);
        Assert.Equal(AuthenticationStrengthRequirements.Mfa, result.GrantControls!.AuthenticationStrength!.RequirementsSatisfied);
        Assert.Equal("Phishing-resistant MFA", result.GrantControls.AuthenticationStrength.DisplayName);
    }

    private Task<AuthenticationStrengthPolicy?> CreateAsync(string name, params AuthenticationMethodModes[] combinations) =>
        graph.Policies.AuthenticationStrengthPolicies.PostAsync(new AuthenticationStrengthPolicy
        {
            DisplayName = name,
            Description = "Made by a test",
            AllowedCombinations = combinations.Select(c => (AuthenticationMethodModes?)c).ToList(),
        });

    private static ConditionalAccessPolicy RegistrationPolicy(string strengthId) => new()
    {
        DisplayName = "Registration needs a strong method",
        State = ConditionalAccessPolicyState.EnabledForReportingButNotEnforced,
        Conditions = new ConditionalAccessConditionSet
        {
            ClientAppTypes = [ConditionalAccessClientApp.All],
            Applications = new ConditionalAccessApplications { IncludeApplications = [], IncludeUserActions = ["urn:user:registersecurityinfo"] },
            Users = new ConditionalAccessUsers { IncludeUsers = ["All"], ExcludeUsers = [Seed.BreakGlass1, Seed.BreakGlass2] },
        },
        GrantControls = new ConditionalAccessGrantControls { Operator = "OR", AuthenticationStrength = new AuthenticationStrengthPolicy { Id = strengthId } },
    };
}

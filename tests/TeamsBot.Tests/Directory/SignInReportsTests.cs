using System.Globalization;
using System.Text.Json.Nodes;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>Sign-in tallies as the status reads them: in its evidence $batch, through the Graph SDK.</summary>
public sealed class SignInReportsTests : IClassFixture<SimulatedTenantFixture>
{
    private const string PolicyId = "11111111-2222-4333-8444-555555555555";
    private readonly SimulatedTenantFixture fx;
    private readonly IPolicyEvidence evidence;

    public SignInReportsTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        evidence = fx.Get<IPolicyEvidence>();
    }

    private async Task<SignInTally> CountForPolicyAsync(string policyId, DateTimeOffset since) =>
        (await evidence.GetEvidenceAsync([], [policyId], since)).SignIns[policyId];

    private void AddSignIn(string result, TimeSpan ago, string policyId = PolicyId) => fx.Tenant.State.AddSignIn(new JsonObject
    {
        ["createdDateTime"] = fx.Time.GetUtcNow().Subtract(ago).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["userId"] = Seed.Megan,
        ["appliedConditionalAccessPolicies"] = new JsonArray(
            new JsonObject { ["id"] = Seed.BlockLegacyAuth, ["result"] = "notApplied" },
            new JsonObject { ["id"] = policyId, ["displayName"] = "Registration", ["result"] = result }),
    });

    [Fact]
    public async Task Counts_report_only_results_for_a_policy_since_a_time()
    {
        AddSignIn("reportOnlyFailure", TimeSpan.FromHours(1));
        AddSignIn("reportOnlyFailure", TimeSpan.FromHours(2));
        AddSignIn("reportOnlySuccess", TimeSpan.FromHours(3));
        AddSignIn("reportOnlyNotApplied", TimeSpan.FromHours(4));
        AddSignIn("reportOnlyFailure", TimeSpan.FromDays(3)); // before the window
        AddSignIn("failure", TimeSpan.FromHours(1), policyId: Guid.NewGuid().ToString()); // another policy

        var tally = await CountForPolicyAsync(PolicyId, fx.Time.GetUtcNow().AddDays(-1));

        Assert.True(tally.Available);
        Assert.Equal(4, tally.Total);
        Assert.Equal(2, tally.ByResult["reportOnlyFailure"]);
        Assert.Equal(1, tally.ByResult["reportOnlySuccess"]);
        Assert.Equal(1, tally.ByResult["reportOnlyNotApplied"]);
        Assert.False(tally.ByResult.ContainsKey("unknownFutureValue"));
    }

    [Fact]
    public async Task Counts_the_seeded_enforced_results()
    {
        var tally = await CountForPolicyAsync(Seed.MfaForAdmins, fx.Time.GetUtcNow().AddDays(-30));

        Assert.Equal(6, tally.Total);
        Assert.Equal(1, tally.ByResult["success"]);
        Assert.Equal(1, tally.ByResult["failure"]);
        Assert.Equal(4, tally.ByResult["notApplied"]);
    }

    [Fact]
    public async Task Follows_pages()
    {
        for (var i = 0; i < 1005; i++)
        {
            AddSignIn("reportOnlyInterrupted", TimeSpan.FromMinutes(i + 1));
        }
        fx.Tenant.RequestLog.Clear();

        var tally = await CountForPolicyAsync(PolicyId, fx.Time.GetUtcNow().AddDays(-2));

        Assert.Equal(1005, tally.Total);
        Assert.Equal(2, fx.Tenant.RequestLog.RoundTrips);
    }

    [Fact]
    public async Task A_tenant_without_premium_licences_gives_an_unavailable_tally()
    {
        fx.Tenant.State.SignInLogsLicensed = false;

        var tally = await CountForPolicyAsync(PolicyId, fx.Time.GetUtcNow().AddDays(-1));

        Assert.False(tally.Available);
        Assert.Contains("P1 or P2", tally.UnavailableReason, StringComparison.Ordinal);
    }
}

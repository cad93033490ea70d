using System.Text.Json.Nodes;
using TeamsBot.Policies;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Policies;

/// <summary>Policy A's grant from the settings, and the gate that keeps new hires able to register with a TAP.</summary>
public abstract partial class PolicyFlows
{
    private const string MultifactorStrength = "00000000-0000-0000-0000-000000000002";
    private const string PhishingResistantStrength = "00000000-0000-0000-0000-000000000004";

    private JsonObject OurA() => Ours().Single(p => p["displayName"]!.GetValue<string>() == RegistrationPolicies.DisplayName(PolicyKey.A));

    [Fact]
    public async Task A_strength_that_allows_a_TAP_deploys_and_promotes()
    {
        await _world.RestartAsync(s => s["Policies:A:GrantControls:0"] = "authenticationStrength:" + MultifactorStrength);

        var (_, plan) = await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy the registration policies");
        Assert.Contains("Policy A's grant outside trusted locations: authentication strength 'Multifactor authentication'", CardReader.AllText(plan),
            StringComparison.Ordinal);
        var (call, card) = await _world.WaitForCardAsync(Lee, "Approve plan");
        await _world.ClickAsync(Lee, TeamsBot.Approvals.ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();

        var grant = OurA()["grantControls"]!;
        Assert.Equal(MultifactorStrength, grant["authenticationStrength"]!["id"]!.GetValue<string>());
        Assert.Empty(grant["builtInControls"]!.AsArray());
        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        var text = CardReader.AllText(status);
        Assert.Contains("Grant: authentication strength 'Multifactor authentication'", text, StringComparison.Ordinal);
        Assert.Contains("✔ New hires can satisfy policy A with a Temporary Access Pass", text, StringComparison.Ordinal);
        Assert.DoesNotContain("conditions", text.Split('\n').First(l => l.StartsWith("Drift:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("You · Untrusted network: MFA required (report-only", text, StringComparison.Ordinal);

        _world.Clock.Advance(TimeSpan.FromDays(8));
        await PlanAndApproveAsync(_world, "policy promote A", "Plan: Promote A to On");
        Assert.Equal("enabled", OurA()["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_strength_that_excludes_a_TAP_is_refused_at_deploy_with_the_reason()
    {
        await _world.RestartAsync(s => s["Policies:A:GrantControls:0"] = "authenticationStrength:" + PhishingResistantStrength);

        var (_, refused) = await PlanAsync(_world, Patti, "policy deploy", "can't be deployed as configured");
        var text = CardReader.AllText(refused);
        Assert.Contains("'Phishing-resistant MFA'", text, StringComparison.Ordinal);
        Assert.Contains("a Temporary Access Pass cannot satisfy it", text, StringComparison.Ordinal);
        Assert.Empty(Ours());
        Assert.DoesNotContain(_world.CardsFor(Lee), c => CardReader.AllText(c.Card).Contains("Approve plan", StringComparison.Ordinal));

        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        Assert.Contains("✖ New hires can satisfy policy A with a Temporary Access Pass", CardReader.AllText(status), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AND")]
    [InlineData("OR")]
    public async Task The_grant_operator_reaches_Graph_as_grantControls_operator(string op)
    {
        await _world.RestartAsync(s =>
        {
            s["Policies:A:GrantControls:0"] = "mfa";
            s["Policies:A:GrantControls:1"] = "compliantDevice";
            s["Policies:A:GrantOperator"] = op.ToLowerInvariant();
        });

        var (_, plan) = await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy the registration policies");
        var planText = CardReader.AllText(plan);
        Assert.Contains(op == "AND" ? "all of: MFA, a compliant device" : "one of: MFA, a compliant device", planText, StringComparison.Ordinal);
        // With AND a TAP covers MFA but not the device: flagged for new hires on new devices.
        Assert.Equal(op == "AND", planText.Contains("new hires on a new device", StringComparison.Ordinal));
        var (call, card) = await _world.WaitForCardAsync(Lee, "Approve plan");
        await _world.ClickAsync(Lee, TeamsBot.Approvals.ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();

        var grant = OurA()["grantControls"]!;
        Assert.Equal(op, grant["operator"]!.GetValue<string>());
        Assert.Equal(["compliantDevice", "mfa"], grant["builtInControls"]!.AsArray().Select(c => c!.GetValue<string>()).Order(StringComparer.Ordinal));
    }
}

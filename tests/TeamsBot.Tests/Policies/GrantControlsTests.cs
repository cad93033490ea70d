using Microsoft.Extensions.Options;
using TeamsBot.Directory;
using TeamsBot.Policies;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Policies;

/// <summary>Policy A's grant settings and what they mean for new hires, without a host.</summary>
public sealed class GrantControlsTests
{
    private static readonly TapPolicy Tap = new(true, 60, 60, 480, 8, false, [new("group", "all_users")], []);

    private static readonly AuthenticationStrength Mfa = new("00000000-0000-0000-0000-000000000002", "Multifactor authentication", "builtIn",
        ["windowsHelloForBusiness", "fido2", "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "password,sms"]);

    private static readonly AuthenticationStrength PhishingResistant = new("00000000-0000-0000-0000-000000000004", "Phishing-resistant MFA", "builtIn",
        ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]);

    private static readonly AuthenticationStrength MultiUseOnly = new("5a1b0000-0000-4000-8000-000000000001", "Onboarding", "custom",
        ["temporaryAccessPassMultiUse", "fido2"]);

    [Theory]
    [InlineData(new string[0], null, null)]
    [InlineData(new[] { "MFA", "compliantdevice" }, "and", null)]
    [InlineData(new[] { "authenticationStrength:00000000-0000-0000-0000-000000000002" }, "OR", null)]
    [InlineData(new[] { "passwordChange" }, null, "Policies:A:GrantControls:0 'passwordChange' is not a grant control")]
    [InlineData(new[] { "mfa", "authenticationStrength:nope" }, null, "Policies:A:GrantControls:1 'authenticationStrength:nope' needs the id")]
    [InlineData(new[] { "mfa", "authenticationStrength:00000000-0000-0000-0000-000000000002" }, null, "1108: Authentication strengths cannot be used alongside the MFA built-in control")]
    [InlineData(new[] { "authenticationStrength:00000000-0000-0000-0000-000000000002", "authenticationStrength:00000000-0000-0000-0000-000000000003" }, null,
        "names 2 authentication strengths")]
    [InlineData(new[] { "mfa" }, "XOR", "Policies:A:GrantOperator 'XOR' is not valid")]
    public void Grant_settings_are_checked_at_start_naming_the_key(string[] controls, string? op, string? problem)
    {
        var options = new PolicyOptions { A = new PolicyAOptions { GrantControls = controls.Length == 0 ? null : [.. controls], GrantOperator = op } };
        var result = new PolicyOptionsValidator().Validate(null, options);
        if (problem is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
            return;
        }
        Assert.True(result.Failed);
        Assert.Contains(problem, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_are_written_as_Graph_spells_them_and_nothing_configured_is_MFA()
    {
        var grant = GrantControls.Parse(["MFA", "compliantdevice", "mfa"], "and").Grant!;
        Assert.Equal("AND", grant.Operator);
        Assert.Equal(["mfa", "compliantDevice"], grant.BuiltIn);
        Assert.Equal("""{"operator":"OR","builtInControls":["mfa"]}""", GrantControls.Parse(null, null).Grant!.ToJson().ToJsonString());
        Assert.Equal("""{"operator":"OR","builtInControls":[],"authenticationStrength":{"id":"00000000-0000-0000-0000-000000000002"}}""",
            GrantControls.Parse(["authenticationStrength:00000000-0000-0000-0000-000000000002"], null).Grant!.ToJson().ToJsonString());
    }

    [Fact]
    public void A_strength_that_excludes_a_TAP_is_refused_naming_it_and_a_device_control_alone_is_flagged()
    {
        AuthenticationStrength[] strengths = [Mfa, PhishingResistant, MultiUseOnly];
        Assert.Empty(GrantControls.Default.CheckForNewHires(strengths, Tap).Refusals);
        Assert.Empty(new GrantControls("OR", [], Mfa.Id).CheckForNewHires(strengths, Tap).Refusals);

        var refused = new GrantControls("OR", [], PhishingResistant.Id).CheckForNewHires(strengths, Tap);
        Assert.Contains("'Phishing-resistant MFA'", Assert.Single(refused.Refusals), StringComparison.Ordinal);
        Assert.Contains("a Temporary Access Pass cannot satisfy it", refused.Refusals[0], StringComparison.Ordinal);
        Assert.NotEmpty(new GrantControls("OR", [], "5a1b0000-0000-4000-8000-0000000000ff").CheckForNewHires(strengths, Tap).Refusals);

        // Multi-use passes only, and the tenant issues one-time passes only.
        Assert.Empty(new GrantControls("OR", [], MultiUseOnly.Id).CheckForNewHires(strengths, Tap).Refusals);
        Assert.Contains("multi-use passes only", Assert.Single(new GrantControls("OR", [], MultiUseOnly.Id)
            .CheckForNewHires(strengths, Tap with { IsUsableOnce = true }).Refusals), StringComparison.Ordinal);

        Assert.Contains("only a compliant device", Assert.Single(new GrantControls("OR", ["compliantDevice"], null).CheckForNewHires(strengths, Tap).Warnings),
            StringComparison.Ordinal);
        Assert.Single(new GrantControls("AND", ["mfa", "domainJoinedDevice"], null).CheckForNewHires(strengths, Tap).Warnings);
        Assert.Empty(new GrantControls("OR", ["mfa", "compliantDevice"], null).CheckForNewHires(strengths, Tap).Warnings);
    }

    [Fact]
    public async Task The_bot_does_not_start_with_a_bad_grant_setting()
    {
        using var temp = new TempDir();
        var settings = BotApp.Local(temp.File("bot.db"));
        settings["Graph:Mode"] = "Simulated";
        settings["Policies:A:GrantControls:0"] = "sms";
        await using var bot = new BotApp(settings, "Development");
        var failure = Record.Exception(() => bot.CreateClient().Dispose());
        Assert.NotNull(failure);
        Assert.Contains("Policies:A:GrantControls:0 'sms'", failure.ToString(), StringComparison.Ordinal);
    }
}

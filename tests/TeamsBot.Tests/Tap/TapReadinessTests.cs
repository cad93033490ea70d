using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>
/// "Will it work?" before a request reaches the approvers: the TAP policy's targets, the methods the hire has, and a
/// What-If of registering security information, through /api/messages against the simulated tenant.
/// </summary>
public sealed class TapReadinessTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Nestor, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>An admin adds a Conditional Access policy in the portal, for the registration user action, for one person.</summary>
    private async Task AddRegistrationPolicyAsync(string name, string userId, JsonObject grantControls)
    {
        var policy = new JsonObject
        {
            ["displayName"] = name,
            ["state"] = "enabled",
            ["conditions"] = new JsonObject
            {
                ["clientAppTypes"] = new JsonArray("all"),
                ["applications"] = new JsonObject { ["includeApplications"] = new JsonArray(), ["includeUserActions"] = new JsonArray("urn:user:registersecurityinfo") },
                ["users"] = new JsonObject { ["includeUsers"] = new JsonArray(userId) },
                ["locations"] = new JsonObject { ["includeLocations"] = new JsonArray("All") },
            },
            ["grantControls"] = grantControls,
        };
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync($"{_world.Tenant.RootUrl}/_dev/conditionalAccess/policies",
            new JsonObject { ["actorUpn"] = Lee.Upn, ["policy"] = policy });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static JsonObject Block() => new() { ["operator"] = "OR", ["builtInControls"] = new JsonArray("block") };

    private int ApprovalCardsTo(Persona who, string name) =>
        _world.CardsFor(who).Count(c => CardReader.AllText(c.Card).Contains($"TAP request for {name}", StringComparison.Ordinal));

    [Fact]
    public async Task A_hire_outside_the_TAP_policy_and_one_a_policy_blocks_from_registering_are_flagged_before_approval()
    {
        var (outside, _) = await TapFlowTests.RequestAsync(_world, Nestor, "enrico.cattaneo@contoso.com");
        Assert.Contains("doesn't cover Enrico Cattaneo", CardReader.AllText(CardReader.CardOf(outside)), StringComparison.Ordinal);

        await AddRegistrationPolicyAsync("Block Diego from registering", Personas.Diego, Block());
        var (blocked, _) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var text = CardReader.AllText(CardReader.CardOf(blocked));
        Assert.Contains("can't be used to register security information", text, StringComparison.Ordinal);
        Assert.Contains("From an untrusted network: 'Block Diego from registering' blocks registering security information.", text, StringComparison.Ordinal);
        Assert.Contains("From a trusted network (Contoso HQ): 'Block Diego from registering' blocks", text, StringComparison.Ordinal);
        Assert.Contains("File it anyway", text, StringComparison.Ordinal);

        await _world.IdleAsync();
        Assert.Empty(await _world.Service<ApprovalEngine>().RecentAsync(10, default));
        Assert.Equal(0, ApprovalCardsTo(Adele, "Diego Siciliani"));
        Assert.Equal(0, ApprovalCardsTo(Adele, "Enrico Cattaneo"));
    }

    [Fact]
    public async Task A_request_that_cannot_work_reaches_the_approvers_when_the_requester_files_it_anyway_and_they_see_why()
    {
        await AddRegistrationPolicyAsync("Block Diego from registering", Personas.Diego, Block());
        var (refused, formCall) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var form = CardReader.CardOf(refused);

        // The same form, confirmed: one request filed, and the approvers are told it cannot work and why.
        var data = CardReader.Data(form, "Submit request");
        data[TapFormData.Inputs.OtherUpn] = "diego.siciliani@contoso.com";
        data[TapFormData.Inputs.Lifetime] = "120";
        data[TapFormData.Inputs.Reason] = "First day on Monday";
        data[TapFormData.Inputs.FileAnyway] = "true";
        var filed = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Submit, data, formCall.ActivityId!));
        Assert.Contains("Waiting for approval", CardReader.AllText(filed), StringComparison.Ordinal);

        var (_, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var facts = CardReader.AllText(card);
        Assert.Contains("Will it work? No: the pass can't be used to register security information. Megan Bowen filed it anyway.", facts, StringComparison.Ordinal);
        Assert.Contains("'Block Diego from registering' blocks registering security information", facts, StringComparison.Ordinal);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(TapOutlookVerdict.Cannot, record.Tap().Outlook?.Verdict);
        Assert.True(record.Tap().Outlook?.FiledAnyway);
    }

    [Fact]
    public async Task A_strength_that_excludes_the_pass_means_it_cannot_work()
    {
        await AddRegistrationPolicyAsync("Phishing-resistant registration for Diego", Personas.Diego,
            new JsonObject { ["operator"] = "OR", ["builtInControls"] = new JsonArray(), ["authenticationStrength"] = new JsonObject { ["id"] = "00000000-0000-0000-0000-000000000004" } });
        var (refused, _) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        Assert.Contains("requires the authentication strength 'Phishing-resistant MFA', which doesn't allow a one-time Temporary Access Pass",
            CardReader.AllText(CardReader.CardOf(refused)), StringComparison.Ordinal);
        Assert.Empty(await _world.Service<ApprovalEngine>().RecentAsync(10, default));
    }

    [Fact]
    public async Task Approvers_read_that_the_pass_will_work_and_when_the_hire_may_not_need_one()
    {
        // The built-in Multifactor authentication strength allows a pass: fine.
        await AddRegistrationPolicyAsync("MFA strength to register", Personas.Diego,
            new JsonObject { ["operator"] = "OR", ["builtInControls"] = new JsonArray(), ["authenticationStrength"] = new JsonObject { ["id"] = "00000000-0000-0000-0000-000000000002" } });
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (_, diego) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var text = CardReader.AllText(diego);
        Assert.Contains("Will it work? Yes: Diego Siciliani can register their own methods with the pass.", text, StringComparison.Ordinal);
        Assert.Contains("'MFA strength to register' requires the authentication strength 'Multifactor authentication', which the pass satisfies", text, StringComparison.Ordinal);

        await TapFlowTests.RequestAsync(_world, Megan, "johanna.lorenz@contoso.com");
        var (_, johanna) = await _world.WaitForCardAsync(Adele, "TAP request for Johanna Lorenz");
        text = CardReader.AllText(johanna);
        Assert.Contains("Will it work? Probably, but note:", text, StringComparison.Ordinal);
        Assert.Contains("Johanna Lorenz already has Microsoft Authenticator and Passkey (FIDO2)", text, StringComparison.Ordinal);
    }
}

/// <summary>The "will it work?" verdict as a table: each row one situation of the tenant, and what it comes to. Pure.</summary>
public sealed class TapReadinessTable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly NamedLocation Office = new("l1", "Contoso HQ", "ip", true, ["203.0.113.0/24"], []);
    private static readonly AuthenticationStrength Mfa = new("s2", "Multifactor authentication", "builtIn", ["password,microsoftAuthenticatorPush", "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse"]);
    private static readonly AuthenticationStrength OneTimeOnly = new("s5", "Pass once", "custom", ["temporaryAccessPassOneTime", "fido2"]);
    private static readonly AuthenticationStrength Phishing = new("s4", "Phishing-resistant MFA", "builtIn", ["fido2", "windowsHelloForBusiness"]);
    private static readonly RegistrationContext Context = new([Office], [Mfa, OneTimeOnly, Phishing]);

    private static TapRequest Request(bool usableOnce = true, params string[] methods) =>
        new("hire", "diego@contoso.com", "Diego", null, null, null, methods, Now, 120, usableOnce, "r", "g", false);

    private static WhatIfResult Policy(string name, string state = "enabled", string op = "OR", string? strength = null, params string[] controls) =>
        new(name, name, state, true, controls, "notSet", op, strength);

    /// <summary>The verdict for the What-If answers from the untrusted network and the office.</summary>
    private static TapOutlook Judge(WhatIfResult[] untrusted, WhatIfResult[] office, TapRequest? request = null, RegistrationContext? context = null)
    {
        var places = TapReadiness.Places("hire", context ?? Context);
        return TapReadiness.Judge(request ?? Request(), context ?? Context, places, [untrusted, office]);
    }

    [Fact]
    public void Asks_from_an_untrusted_address_and_one_inside_the_trusted_location()
    {
        var places = TapReadiness.Places("hire", Context);
        Assert.Equal(["From an untrusted network", "From a trusted network (Contoso HQ)"], places.Select(p => p.Name));
        Assert.Equal("192.0.2.10", places[0].Query.IpAddress);
        Assert.Equal("203.0.113.1", places[1].Query.IpAddress);
        Assert.Single(TapReadiness.Places("hire", new RegistrationContext([], null)));
    }

    [Fact]
    public void Nothing_in_the_way_works()
    {
        var outlook = Judge([Policy("Needs MFA", controls: "mfa")], []);
        Assert.Equal(TapOutlookVerdict.Works, outlook.Verdict);
        Assert.Contains("From an untrusted network: 'Needs MFA' requires MFA, which the pass satisfies.", outlook.Findings);
        Assert.Contains("From a trusted network (Contoso HQ): no Conditional Access policy asks for more than the pass.", outlook.Findings);
    }

    [Fact]
    public void A_block_everywhere_cannot_work_and_a_block_outside_the_office_only_works_from_the_office()
    {
        Assert.Equal(TapOutlookVerdict.Cannot, Judge([Policy("Block", controls: "block")], [Policy("Block", controls: "block")]).Verdict);
        var office = Judge([Policy("Block outside", controls: "block")], []);
        Assert.Equal(TapOutlookVerdict.Caution, office.Verdict);
        Assert.Contains("So Diego can register with the pass only from a trusted network (Contoso HQ).", office.Findings);
        // Without a trusted location the untrusted network is all there is.
        Assert.Equal(TapOutlookVerdict.Cannot, TapReadiness.Judge(Request(), new RegistrationContext([], [Mfa]),
            TapReadiness.Places("hire", new RegistrationContext([], [Mfa])), [[Policy("Block outside", controls: "block")]]).Verdict);
    }

    [Theory]
    [InlineData("s2", true, TapOutlookVerdict.Works)]
    [InlineData("s4", true, TapOutlookVerdict.Cannot)]
    [InlineData("s5", true, TapOutlookVerdict.Works)]
    [InlineData("s5", false, TapOutlookVerdict.Cannot)]
    [InlineData("unknown", true, TapOutlookVerdict.Caution)]
    public void A_strength_works_when_its_combinations_allow_the_pass_s_mode(string strength, bool usableOnce, TapOutlookVerdict expected)
    {
        var policy = Policy("Strength", strength: strength);
        Assert.Equal(expected, Judge([policy], [policy], Request(usableOnce)).Verdict);
    }

    [Fact]
    public void Controls_a_pass_does_not_give_and_report_only_blocks_are_cautions()
    {
        Assert.Equal(TapOutlookVerdict.Caution, Judge([Policy("Device", op: "AND", controls: ["mfa", "compliantDevice"])], []).Verdict);
        Assert.Equal(TapOutlookVerdict.Works, Judge([Policy("Either", op: "OR", controls: ["mfa", "compliantDevice"])], []).Verdict);
        var reportOnly = Judge([Policy("Later", state: "enabledForReportingButNotEnforced", controls: "block")], []);
        Assert.Equal(TapOutlookVerdict.Caution, reportOnly.Verdict);
        Assert.Contains(reportOnly.Findings, f => f.Contains("'Later' is in report-only mode", StringComparison.Ordinal));
        // A policy that doesn't apply, or is off, doesn't count.
        Assert.Equal(TapOutlookVerdict.Works, Judge([Policy("Off", state: "disabled", controls: "block"), Policy("Block", controls: "block") with { PolicyApplies = false }], []).Verdict);
    }

    [Fact]
    public void Methods_of_their_own_and_a_What_If_that_could_not_run_are_said()
    {
        var known = Judge([], [], Request(true, "microsoftAuthenticator", "email", "temporaryAccessPass"));
        Assert.Equal(TapOutlookVerdict.Caution, known.Verdict);
        Assert.Contains(known.Findings, f => f.StartsWith("Diego already has Microsoft Authenticator:", StringComparison.Ordinal));
        var failed = TapReadiness.Judge(Request(), Context, TapReadiness.Places("hire", Context), null, "Microsoft Graph is unavailable.");
        Assert.Equal(TapOutlookVerdict.Caution, failed.Verdict);
        Assert.Contains(failed.Findings, f => f.Contains("could not be run (Microsoft Graph is unavailable)", StringComparison.Ordinal));
    }
}

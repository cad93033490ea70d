using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.DevTenant.Tenant;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>Each rule a TAP request and its decision must pass, one refusal at a time, through the endpoint.</summary>
public sealed class TapRulesTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Nestor, Adele, Alex, Christie, Isaiah);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task<string> RefusalAsync(Persona who, string upn, string lifetime = "120", string usableOnce = "true")
    {
        var (body, _) = await TapFlowTests.RequestAsync(_world, who, upn, lifetime, usableOnce: usableOnce);
        var card = CardReader.CardOf(body);
        var text = CardReader.AllText(card);
        Assert.Contains("Request a Temporary Access Pass", text, StringComparison.Ordinal);
        Assert.Empty(await _world.Service<ApprovalEngine>().RecentAsync(10, default));
        Assert.DoesNotContain(_world.Tenant.RequestLog.Entries, e => e.Method == "POST" && e.Path.Contains("temporaryAccessPass", StringComparison.Ordinal));
        return text;
    }

    [Theory]
    [InlineData("pradeep.gupta@contoso.com", "only for your own direct reports")]
    [InlineData("irvin.sayers@contoso.com", "is a guest")]
    [InlineData("joni.sherman_fabrikam.com#EXT#@contoso.com", "is a guest")]
    [InlineData("nobody.here@contoso.com", "can't find")]
    [InlineData("megan.bowen@contoso.com", "for yourself")]
    [InlineData("../../groups", "is not a sign-in name")]
    public async Task A_manager_is_refused_with_what_to_fix(string upn, string expected)
    {
        Assert.Contains(expected, await RefusalAsync(Megan, upn), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_account_is_refused()
    {
        Assert.Contains("account is disabled", await RefusalAsync(Nestor, "grady.archie@contoso.com"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_outside_the_TAP_policy_is_refused()
    {
        Assert.Contains("doesn't cover Enrico Cattaneo", await RefusalAsync(Nestor, "enrico.cattaneo@contoso.com"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_break_glass_account_is_refused_even_for_a_requester_who_may_ask_for_anyone()
    {
        Assert.Contains("break-glass", await RefusalAsync(Christie, "breakglass01@contoso.com"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("30")]
    public async Task A_lifetime_outside_the_policy_is_refused(string lifetime)
    {
        Assert.Contains("between 60 and 480 minutes", await RefusalAsync(Megan, "diego.siciliani@contoso.com", lifetime), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_TAP_policy_is_refused()
    {
        _world.Tenant.State.TapPolicy = _world.Tenant.State.TapPolicy with { State = "disabled" };
        Assert.Contains("turned off", await RefusalAsync(Megan, "diego.siciliani@contoso.com"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_use_pass_is_refused_when_the_policy_requires_one_time()
    {
        _world.Tenant.State.TapPolicy = _world.Tenant.State.TapPolicy with { IsUsableOnce = true };
        Assert.Contains("only one-time passes", await RefusalAsync(Megan, "diego.siciliani@contoso.com", usableOnce: "false"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_holder_needs_a_privileged_approver()
    {
        await TapFlowTests.RequestAsync(_world, Nestor, "miriam.graham@contoso.com");
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.True(record.Tap().Privileged);
        var (isaiahCall, card) = await _world.WaitForCardAsync(Isaiah, "TAP request for Miriam Graham");
        await _world.IdleAsync();
        Assert.DoesNotContain(_world.CardsFor(Adele), c => CardReader.AllText(c.Card).Contains("Miriam", StringComparison.Ordinal));

        var denied = await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"));
        Assert.Contains("privileged approvers", CardReader.MessageOf(denied), StringComparison.Ordinal);
        var approved = await _world.ClickAsync(Isaiah, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), isaiahCall.ActivityId!);
        Assert.Contains("Approved by Isaiah Langer", CardReader.AllText(CardReader.CardOf(approved)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_holder_is_refused_when_no_privileged_approvers_group_is_configured()
    {
        await _world.RestartAsync(s => s["Tap:PrivilegedApproversGroupId"] = "");
        Assert.Contains("need a privileged approvers group", await RefusalAsync(Nestor, "miriam.graham@contoso.com"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nobody_approves_their_own_request_and_only_approvers_decide()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (_, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var data = CardReader.Data(card, "Approve");

        Assert.Contains("your own request", CardReader.MessageOf(await _world.ClickAsync(Megan, ApprovalVerbs.Approve, data)), StringComparison.Ordinal);
        Assert.Contains("TAP approvers group", CardReader.MessageOf(await _world.ClickAsync(Patti, ApprovalVerbs.Approve, data)), StringComparison.Ordinal);
        Assert.Equal(ApprovalState.Pending, (await TapFlowTests.LatestRequestAsync(_world)).State);

        // An approver reached through a nested group may decide.
        var ok = await _world.ClickAsync(Alex, ApprovalVerbs.Approve, data);
        Assert.Contains("Approved by Alex Wilber", CardReader.AllText(CardReader.CardOf(ok)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approver_cannot_decide_on_a_request_for_themselves()
    {
        // Christie may request for anyone; the request is for Adele, an approver.
        await TapFlowTests.RequestAsync(_world, Christie, "adele.vance@contoso.com");
        var record = await TapFlowTests.LatestRequestAsync(_world);
        var data = new JsonObject { ["recordId"] = record.Id, ["version"] = record.Version };
        Assert.Contains("for yourself", CardReader.MessageOf(await _world.ClickAsync(Adele, ApprovalVerbs.Approve, data)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Card_data_altered_by_the_client_changes_nothing()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com", lifetime: "120");
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var data = CardReader.Data(card, "Approve");

        // Another request id: nothing to act on.
        var other = data.DeepClone().AsObject();
        other["recordId"] = "0000000000000000001-deadbeef";
        Assert.Contains("out of date", CardReader.MessageOf(await _world.ClickAsync(Adele, ApprovalVerbs.Approve, other)), StringComparison.Ordinal);

        // A replayed older version: shown the request as it stands, no decision.
        var old = data.DeepClone().AsObject();
        old["version"] = 0;
        var replay = CardReader.CardOf(await _world.ClickAsync(Adele, ApprovalVerbs.Approve, old));
        Assert.NotNull(CardReader.Action(replay, "Approve"));
        Assert.Equal(ApprovalState.Pending, (await TapFlowTests.LatestRequestAsync(_world)).State);

        // A lifetime or target smuggled into the approval is ignored: the stored request is what gets issued.
        var smuggled = data.DeepClone().AsObject();
        smuggled["lifetimeMinutes"] = 43200;
        smuggled["userUpn"] = "johanna.lorenz@contoso.com";
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, smuggled, call.ActivityId!);
        await _world.IdleAsync();
        var tap = _world.Tenant.State.GetTap(Personas.Diego);
        Assert.NotNull(tap);
        Assert.Equal(120, tap.LifetimeInMinutes);
        Assert.Null(_world.Tenant.State.GetTap(Personas.Johanna));
    }

    [Fact]
    public async Task Pending_requests_expire_and_a_late_approval_changes_nothing()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (_, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.IdleAsync(); // the fake clock also drives HTTP timeouts: jump only when nothing is in flight
        _world.Clock.Advance(TimeSpan.FromHours(25));
        await _world.Service<TapJobs>().RunOnceAsync(default);

        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(ApprovalState.Expired, record.State);
        await _world.WaitForCardAsync(Adele, "Expired");
        await _world.Connector.WaitForTextAsync("expired without a decision");
        var late = CardReader.CardOf(await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve")));
        Assert.Contains("Expired", CardReader.AllText(late), StringComparison.Ordinal);
        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
    }

    [Fact]
    public async Task Requests_per_hour_are_limited()
    {
        await _world.RestartAsync(s => s["Tap:MaxRequestsPerHour"] = "1");
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (body, _) = await TapFlowTests.RequestAsync(_world, Megan, "lynne.robbins@contoso.com");
        Assert.Contains("the most allowed", CardReader.AllText(CardReader.CardOf(body)), StringComparison.Ordinal);
        Assert.Single(await _world.Service<ApprovalEngine>().RecentAsync(10, default));
    }

    [Fact]
    public async Task A_second_request_for_someone_with_a_pending_one_is_refused()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (body, _) = await TapFlowTests.RequestAsync(_world, Christie, "diego.siciliani@contoso.com");
        Assert.Contains("already has a pending request", CardReader.AllText(CardReader.CardOf(body)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_restart_the_unseen_pass_is_replaced_at_reveal_and_only_one_is_valid()
    {
        var (_, formCall) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        await _world.IdleAsync();
        var first = _world.Tenant.State.GetTap(Personas.Diego)!;

        await _world.RestartAsync();
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        var revealed = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"), formCall.ActivityId!));
        Assert.Equal(8, TapFlowTests.PassIn(revealed).Length);
        var second = _world.Tenant.State.GetTap(Personas.Diego)!;
        Assert.NotEqual(first.Id, second.Id);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(second.Id, record.Tap().MethodId);
        Assert.Equal(2, record.Tap().PassesCreated);
    }

    [Fact]
    public async Task Approval_cards_stopped_by_a_crash_are_sent_after_the_restart_once()
    {
        // A filed request whose approval cards went out: the jobs leave it alone.
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.IdleAsync();
        var sent = await TapFlowTests.LatestRequestAsync(_world);
        Assert.True(sent.ApproversAsked);

        // The crash: a request for Lynne filed (the record is stored) but the process died before any card went out.
        var engine = _world.Service<ApprovalEngine>();
        var lynne = sent.Tap() with { TargetId = Personas.Lynne, TargetUpn = "lynne.robbins@contoso.com", TargetName = "Lynne Robbins" };
        var filed = await engine.CreateAsync(TapRequest.Kind, sent.Requester, lynne.ToJson(), TimeSpan.FromHours(24), default);
        await _world.RestartAsync();
        await _world.IdleAsync();
        int CardsAbout(Persona who, string name) =>
            _world.CardsFor(who).Count(c => c.Call.Method == "POST" && c.Card.ToJsonString().Contains($"TAP request for {name}", StringComparison.Ordinal));
        Assert.Equal(0, CardsAbout(Adele, "Lynne Robbins"));
        var diegoCards = CardsAbout(Adele, "Diego Siciliani") + CardsAbout(Alex, "Diego Siciliani");

        _world.Clock.Advance(TapJobs.StuckAfter + TimeSpan.FromSeconds(1));
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();
        await _world.WaitForCardAsync(Adele, "TAP request for Lynne Robbins");
        await _world.WaitForCardAsync(Alex, "TAP request for Lynne Robbins");
        Assert.True((await engine.GetAsync(filed.Id, default))!.ApproversAsked);

        // Later rounds send nothing again, for either request.
        _world.Clock.Advance(TimeSpan.FromMinutes(5));
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();
        Assert.Equal(1, CardsAbout(Adele, "Lynne Robbins"));
        Assert.Equal(1, CardsAbout(Alex, "Lynne Robbins"));
        Assert.Equal(diegoCards, CardsAbout(Adele, "Diego Siciliani") + CardsAbout(Alex, "Diego Siciliani"));
        Assert.Contains(await _world.Service<TeamsBot.Storage.IAuditLog>().ListAsync(20, default),
            e => e.Action == "tap.reconciled" && e.Details is { } d && d.Contains("approval cards", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_issuance_interrupted_by_a_crash_is_reconciled_without_an_unknown_pass()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var record = await TapFlowTests.LatestRequestAsync(_world);
        var engine = _world.Service<ApprovalEngine>();
        await engine.DecideAsync(record.Id, record.Version, new Person(Personas.Adele, "Adele Vance"), true, null, default);
        // The crash: the record says Executing and a pass exists in the tenant that nobody holds.
        await engine.TransitionAsync(record.Id, ApprovalState.Approved, ApprovalState.Executing, default);
        await _world.Service<TeamsBot.Directory.ITemporaryAccessPasses>().CreateAsync(Personas.Diego, new(null, 60, true));
        var orphan = _world.Tenant.State.GetTap(Personas.Diego)!;

        await _world.RestartAsync();
        await _world.IdleAsync();
        _world.Clock.Advance(TapJobs.StuckAfter + TimeSpan.FromSeconds(1));
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();

        var reloaded = await _world.Service<ApprovalEngine>().GetAsync(record.Id, default);
        Assert.Equal(ApprovalState.Completed, reloaded!.State);
        var now = _world.Tenant.State.GetTap(Personas.Diego)!;
        Assert.NotEqual(orphan.Id, now.Id);
        Assert.Equal(now.Id, reloaded.Tap().MethodId);
    }
}

public sealed class TapRevealRaceTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_double_click_on_reveal_shows_one_pass_that_stays_valid(bool afterRestart)
    {
        var (data, formCall) = await TapFlowTests.ApprovedForDiegoAsync(_world, afterRestart);

        var clicks = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _world.ClickAsync(Megan, TapVerbs.Reveal, data, formCall.ActivityId!)));
        var shown = clicks.Select(CardReader.CardOf).Where(c => CardReader.AllText(c).Contains("Temporary Access Pass for", StringComparison.Ordinal)).ToList();
        Assert.Single(shown);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(_world.Tenant.State.GetTap(Personas.Diego)!.Id, record.Tap().MethodId);
        Assert.Equal(afterRestart ? 2 : 1, record.Tap().PassesCreated);
    }
}

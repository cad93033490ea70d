using TeamsBot.Approvals;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// The jobs take over pass creation they believe interrupted. When it was only slow, or when two rounds of the jobs
/// overlap, there must still be one pass, the one the record names.
/// </summary>
public sealed class IssuanceRecoveryTests : IAsyncLifetime
{
    private const string TapPath = "/users/*/authentication/temporaryAccessPassMethods";
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private int Creates => _world.Tenant.RequestLog.Entries.Count(e => e is { Method: "POST", Status: 201 }
        && e.Path == $"/users/{Personas.Diego}/authentication/temporaryAccessPassMethods");

    private async Task<ApprovalRecord> ApprovedAsync()
    {
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.IdleAsync();
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        return await TapFlowTests.LatestRequestAsync(_world);
    }

    private async Task UntilHeldAsync(string ruleId, int hits)
    {
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (_world.Tenant.Faults.Rules.Single(r => r.Id == ruleId).Hits < hits)
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("The pass creation never reached the tenant.");
            await Task.Delay(10);
        }
    }

    private async Task AssertOnePassAsync(string requestId)
    {
        // The jobs' own timer (on the fake clock that just jumped) may still be finishing a round.
        var record = await new Patience(_world).UntilAsync(requestId, r => r.IsFinal);
        Assert.Equal(ApprovalState.Completed, record.State);
        Assert.Equal(1, Creates);
        Assert.Equal(1, record.Tap().PassesCreated);
        Assert.Equal(_world.Tenant.State.GetTap(Personas.Diego)?.Id, record.Tap().MethodId);
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        var revealed = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass")));
        Assert.Equal(8, TapFlowTests.PassIn(revealed).Length);
        Assert.Equal(1, Creates); // the pass came from memory, not from a second creation
    }

    [Fact]
    public async Task A_pass_creation_slower_than_the_stuck_threshold_is_not_doubled_when_the_jobs_take_over()
    {
        // Graph holds the creation (a long Retry-After would do the same); meanwhile the stuck threshold passes.
        var hold = _world.Tenant.Faults.Delay(TapPath, TimeSpan.FromSeconds(3), method: "POST");
        var record = await ApprovedAsync();
        await UntilHeldAsync(hold.Id!, 1);
        _world.Clock.Advance(TapJobs.StuckAfter + TimeSpan.FromSeconds(1));
        _world.Tenant.Faults.Remove(hold.Id!);

        await _world.Service<TapJobs>().RunOnceAsync(default);
        // The first attempt has ended once the bot is idle: its creation was called off (the clock passed its deadline)
        // before the tenant ran it, or it answered and was seen to.
        await _world.IdleAsync();

        await AssertOnePassAsync(record.Id);
    }

    [Fact]
    public async Task Two_overlapping_rounds_of_the_jobs_recover_an_interrupted_creation_once()
    {
        // The crash: approved, Executing since long ago, no pass yet.
        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        await _world.IdleAsync();
        var record = await TapFlowTests.LatestRequestAsync(_world);
        var engine = _world.Service<ApprovalEngine>();
        await engine.DecideAsync(record.Id, record.Version, new Person(Personas.Adele, "Adele Vance"), true, null, default);
        await engine.TransitionAsync(record.Id, ApprovalState.Approved, ApprovalState.Executing, default);
        _world.Clock.Advance(TapJobs.StuckAfter + TimeSpan.FromSeconds(1));

        // Two rounds at once (a round that outlived its lease, or the timer and a manual run): the creation is slow.
        var hold = _world.Tenant.Faults.Delay(TapPath, TimeSpan.FromSeconds(1), method: "POST");
        var workflow = _world.Service<ApprovalWorkflow>();
        var kind = _world.Service<TapRequestKind>();
        await Task.WhenAll(workflow.RecoverAsync(kind, default), workflow.RecoverAsync(kind, default));
        _world.Tenant.Faults.Remove(hold.Id!);
        await _world.IdleAsync();

        await AssertOnePassAsync(record.Id);
    }

    [Fact]
    public async Task After_a_restart_a_pass_at_the_policy_minimum_is_replaced_at_reveal()
    {
        // Johanna has no future hire date: her one-hour pass (the policy's minimum, and its default) starts at once.
        var (_, formCall) = await TapFlowTests.RequestAsync(_world, Megan, "johanna.lorenz@contoso.com", lifetime: "60");
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Johanna Lorenz");
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        await _world.IdleAsync();
        var first = _world.Tenant.State.GetTap(Personas.Johanna)!;

        // The process that held the pass is gone; a few minutes later Megan reveals.
        await _world.RestartAsync();
        _world.Clock.Advance(TimeSpan.FromMinutes(3));
        var (_, ready) = await _world.WaitForCardAsync(Megan, "Reveal pass");
        var answer = await _world.ClickAsync(Megan, TapVerbs.Reveal, CardReader.Data(ready, "Reveal pass"), formCall.ActivityId!);

        Assert.Equal("application/vnd.microsoft.card.adaptive", answer["type"]!.GetValue<string>());
        Assert.Equal(8, TapFlowTests.PassIn(CardReader.CardOf(answer)).Length);
        var second = _world.Tenant.State.GetTap(Personas.Johanna)!;
        Assert.NotEqual(first.Id, second.Id);
        Assert.InRange(second.LifetimeInMinutes, 60, 480);
        Assert.Equal(second.Id, (await TapFlowTests.LatestRequestAsync(_world)).Tap().MethodId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_double_click_on_reveal_shows_one_pass_the_one_in_the_tenant(bool afterRestart)
    {
        var (data, formCall) = await TapFlowTests.ApprovedForDiegoAsync(_world, afterRestart);
        _world.Tenant.Faults.Delay("/users/*/authentication", TimeSpan.FromMilliseconds(300)); // Graph at its usual pace

        var answers = await Task.WhenAll(
            _world.ClickAsync(Megan, TapVerbs.Reveal, data.DeepClone().AsObject(), formCall.ActivityId!),
            _world.ClickAsync(Megan, TapVerbs.Reveal, data.DeepClone().AsObject(), formCall.ActivityId!));

        var shown = answers.Select(a => CardReader.CardOf(a)).Where(c => CardReader.Action(c, "Hide now") is not null).Select(TapFlowTests.PassIn).ToList();
        Assert.Single(shown);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        var tap = _world.Tenant.State.GetTap(Personas.Diego);
        Assert.NotNull(tap);
        Assert.Equal(tap.Id, record.Tap().MethodId);
        Assert.Equal(afterRestart ? 2 : 1, Creates);
        Assert.Equal(Creates, record.Tap().PassesCreated);
    }
}

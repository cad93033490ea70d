using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Scale;

/// <summary>
/// A busy organisation files more requests than any fixed window of the newest records holds: a request still waiting
/// and a pass still under custody are found by the jobs and the pending list however many records were closed since.
/// </summary>
public sealed class ManyRecordsTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_waiting_request_and_a_watched_pass_are_found_after_twelve_hundred_newer_records()
    {
        // Megan's pass for Diego is issued; her request for Johanna waits.
        await TapFlowTests.ApprovedForDiegoAsync(_world, restart: false);
        await TapFlowTests.RequestAsync(_world, Megan, "johanna.lorenz@contoso.com");
        var waiting = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(ApprovalState.Pending, waiting.State);

        // Then 1,200 requests of others are filed and closed (as the store holds them: newer ids, cancelled).
        var store = _world.Service<IDocumentStore>();
        var now = _world.Clock.GetUtcNow();
        for (var i = 0; i < 1200; i++)
        {
            var closed = waiting with
            {
                Id = TimeOrderedKey.New(now.AddMilliseconds(i + 1)), State = ApprovalState.Cancelled, Requester = new Person($"other-{i}", "Someone"),
            };
            Assert.True(await store.TryInsertAsync("approvals", closed.Id, System.Text.Json.JsonSerializer.Serialize(closed, ApprovalJson.Default.ApprovalRecord)));
        }
        Assert.DoesNotContain(await _world.Service<ApprovalEngine>().RecentAsync(1000, default), r => r.Id == waiting.Id);

        // Adele's pending list still has Johanna's request.
        var pending = await _world.Service<TapRequests>().PendingAsync(Adele.AadObjectId, default);
        Assert.Contains(pending.Decidable, r => r.Id == waiting.Id);

        // Diego registers a phone: the custody watch still deletes his pass.
        Assert.NotNull(_world.Tenant.State.GetTap(Personas.Diego));
        await TapCustodyTests.RegisterPhoneAsync(_world, Personas.Diego);
        await _world.Service<TapCustodyJob>().RunOnceAsync(default);
        await _world.IdleAsync();
        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));

        // Johanna's request still expires when its time is up.
        _world.Clock.Advance(waiting.ExpiresAt - now + TimeSpan.FromMinutes(1));
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();
        Assert.Equal(ApprovalState.Expired, (await _world.Service<ApprovalEngine>().GetAsync(waiting.Id, default))!.State);
    }
}

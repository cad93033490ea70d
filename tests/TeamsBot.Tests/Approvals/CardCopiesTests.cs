using System.Diagnostics;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using Xunit.Abstractions;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Approvals;

/// <summary>
/// An invoke's answer replaces the card only in the clicking client: every posted copy of a record's card (the clicked
/// one too, seen by a channel's other members and the clicker's other devices) is updated after each change.
/// </summary>
public sealed class CardCopiesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex, Patti, Lee);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task<(string MeganCard, string AdeleCard, string AlexCard, JsonObject AdeleData)> FiledAsync()
    {
        var (_, formCall) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var (adeleCall, adeleCard) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        var (alexCall, _) = await _world.WaitForCardAsync(Alex, "TAP request for Diego Siciliani");
        await _world.IdleAsync();
        return (formCall.ActivityId!, adeleCall.ActivityId!, alexCall.ActivityId!, CardReader.Data(adeleCard, "Approve"));
    }

    private void AssertUpdated(string activityId, string saying)
    {
        var puts = _world.Connector.Calls.Where(c => c.Method == "PUT" && c.ActivityId == activityId).ToList();
        Assert.True(puts.Count > 0, $"No PUT for card {activityId}. Calls: " + string.Join(" | ", _world.Connector.Calls.Select(c => $"{c.Method} {c.Path}")));
        var last = CardReader.AllText(puts[^1].Body!["attachments"]![0]!["content"]);
        Assert.Contains(saying, last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_reject_every_copy_is_updated_the_clicked_one_included()
    {
        var (megan, adele, alex, data) = await FiledAsync();
        data[ApprovalAction.CommentInput] = "Not on the list";

        await _world.ClickAsync(Adele, ApprovalVerbs.Reject, data, adele);
        await _world.IdleAsync();

        foreach (var card in new[] { megan, adele, alex }) AssertUpdated(card, "Rejected by Adele Vance");
    }

    [Fact]
    public async Task After_a_cancel_every_copy_is_updated_the_clicked_one_included()
    {
        var (megan, adele, alex, _) = await FiledAsync();
        var record = await TapFlowTests.LatestRequestAsync(_world);

        await _world.ClickAsync(Megan, ApprovalVerbs.Cancel, ApprovalAction.For(record), megan);
        await _world.IdleAsync();

        foreach (var card in new[] { megan, adele, alex }) AssertUpdated(card, "Cancelled by Megan Bowen");
    }

    [Fact]
    public async Task After_a_revoke_every_copy_is_updated_the_clicked_one_included()
    {
        var (megan, adele, alex, data) = await FiledAsync();
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, data, adele);
        await _world.IdleAsync();
        var issued = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(ApprovalState.Completed, issued.State);
        _world.Connector.Clear();

        await _world.ClickAsync(Alex, TapVerbs.Revoke, ApprovalAction.For(issued), alex);
        await _world.IdleAsync();

        foreach (var card in new[] { megan, adele, alex }) AssertUpdated(card, "Pass revoked by Alex Wilber");
    }

    [Fact]
    public async Task After_a_plan_is_rejected_the_planner_and_every_admin_see_it()
    {
        await _world.SayAsync(Patti, "policy deploy");
        var (pattiCall, _) = await _world.WaitForCardAsync(Patti, "Cancel plan");
        var (leeCall, leeCard) = await _world.WaitForCardAsync(Lee, "Approve plan");
        await _world.IdleAsync();
        var data = CardReader.Data(leeCard, "Approve plan");
        data[ApprovalAction.CommentInput] = "Not this week";

        await _world.ClickAsync(Lee, ApprovalVerbs.Reject, data, leeCall.ActivityId!);
        await _world.IdleAsync();

        AssertUpdated(pattiCall.ActivityId!, "Rejected by Lee Gu");
        AssertUpdated(leeCall.ActivityId!, "Rejected by Lee Gu");
    }

    [Fact]
    public async Task A_status_refresh_on_a_slow_tenant_answers_at_once_and_updates_the_card_when_done()
    {
        // Every Graph call (the batches included) takes 5 s: the status needs two round trips.
        var slow = _world.Tenant.Faults.Delay("/", TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();
        var answer = CardReader.CardOf(await _world.ClickAsync(Patti, PolicyVerbs.Status, [], "status-card"));
        output.WriteLine($"answered in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Contains("this card shows the status in a moment", CardReader.AllText(answer), StringComparison.Ordinal);
        var updated = await _world.Connector.WaitForAsync(c => c.Method == "PUT" && c.ActivityId == "status-card");
        output.WriteLine($"card updated after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("Security-info registration policies", CardReader.AllText(updated.Body!["attachments"]![0]!["content"]), StringComparison.Ordinal);
        _world.Tenant.Faults.Remove(slow.Id!);
    }
}

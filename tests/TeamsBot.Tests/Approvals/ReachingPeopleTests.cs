using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Approvals;

/// <summary>
/// Approvers who never opened the bot: it installs itself for them through Graph, opens the 1:1 chat through the
/// connector and posts the card. Teams (the fake connector) refuses a chat with anyone who doesn't have the app.
/// </summary>
public sealed class ReachingPeopleTests : IAsyncLifetime
{
    private const string Blocked = "The app is blocked by your organization's app permission policy.";
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan); // only the requester ever opened the bot
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_approver_who_never_opened_the_bot_gets_the_card_and_one_whose_install_is_refused_is_named()
    {
        _world.Tenant.State.UpdateUser(Alex.AadObjectId, u => u with { TeamsAppInstallBlocked = Blocked });
        Assert.False(_world.Tenant.State.IsTeamsAppInstalled(Adele.AadObjectId));

        var (filed, _) = await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        Assert.Contains("Waiting for approval", CardReader.AllText(CardReader.CardOf(filed)), StringComparison.Ordinal);
        var (call, card) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        await _world.IdleAsync();

        // Installed through Graph, the chat opened by Entra object id in the bot's tenant, the card posted there.
        Assert.Contains(_world.Tenant.RequestLog.Entries, e => e is { Method: "POST", Status: 201 } && e.Path == $"/users/{Adele.AadObjectId}/teamwork/installedApps");
        Assert.True(_world.Tenant.State.IsTeamsAppInstalled(Adele.AadObjectId));
        var opened = Assert.Single(_world.Connector.Calls, c => c.Method == "POST" && c.Path.EndsWith("/v3/conversations", StringComparison.Ordinal)
            && c.Body?["members"]?[0]?["id"]?.GetValue<string>() == Adele.AadObjectId);
        Assert.Equal(BotApp.TenantId, opened.Body!["tenantId"]!.GetValue<string>());
        Assert.False(_world.Tenant.State.IsTeamsAppInstalled(Alex.AadObjectId));

        // Megan and the audit learn who was not reached, and why; the request goes on with Adele.
        var told = (await _world.Connector.WaitForTextAsync("Not every approver")).Body!["text"]!.GetValue<string>();
        Assert.Contains("Alex Wilber", told, StringComparison.Ordinal);
        Assert.Contains(Blocked, told, StringComparison.Ordinal);
        Assert.Contains(await _world.Service<IAuditLog>().ListAsync(20), e => e.Action == "tap.unreached" && e.Details!.Contains("Alex Wilber", StringComparison.Ordinal));

        var answer = await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        Assert.Contains("Approved by Adele Vance", CardReader.AllText(CardReader.CardOf(answer)), StringComparison.Ordinal);
        await _world.IdleAsync();
        Assert.Equal(ApprovalState.Completed, (await TapFlowTests.LatestRequestAsync(_world)).State);
    }

    [Fact]
    public async Task When_no_approver_can_be_reached_the_request_is_refused_at_once_with_the_reasons()
    {
        foreach (var approver in new[] { Adele, Alex })
            _world.Tenant.State.UpdateUser(approver.AadObjectId, u => u with { TeamsAppInstallBlocked = Blocked });

        await TapFlowTests.RequestAsync(_world, Megan, "diego.siciliani@contoso.com");
        var told = (await _world.Connector.WaitForTextAsync("None of the approvers")).Body!["text"]!.GetValue<string>();
        await _world.IdleAsync();

        Assert.Contains("Adele Vance", told, StringComparison.Ordinal);
        Assert.Contains("Alex Wilber", told, StringComparison.Ordinal);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(ApprovalState.Refused, record.State);
        // Megan's card says so too, with no button left to press.
        var (_, card) = await _world.WaitForCardAsync(Megan, "could be reached");
        Assert.Null(CardReader.Action(card, "Cancel request"));
    }
}

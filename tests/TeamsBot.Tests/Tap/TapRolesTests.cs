using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>
/// Role holders are decided by the privileged approvers, whatever kind of role they hold: PIM-eligible (one activation
/// away from it) and scoped to an administrative unit count as much as an active tenant-wide role.
/// </summary>
public sealed class TapRolesTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Christie, Adele, Alex, Isaiah);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Theory]
    [InlineData("allan.deyoung@contoso.com", "Allan Deyoung", "Global Administrator (eligible)")]
    [InlineData("lidia.holloway@contoso.com", "Lidia Holloway", "Helpdesk Administrator (in an administrative unit)")]
    public async Task A_role_holder_goes_to_the_privileged_approvers_only(string upn, string name, string role)
    {
        var (filed, _) = await TapFlowTests.RequestAsync(_world, Christie, upn);
        Assert.Contains("Waiting for approval", CardReader.AllText(CardReader.CardOf(filed)), StringComparison.Ordinal);

        var (_, card) = await _world.WaitForCardAsync(Isaiah, $"TAP request for {name}");
        await _world.IdleAsync();
        Assert.Contains(role, CardReader.AllText(card), StringComparison.Ordinal);
        Assert.Contains("only privileged approvers can decide", CardReader.AllText(card), StringComparison.Ordinal);
        Assert.DoesNotContain(_world.CardsFor(Adele), c => CardReader.AllText(c.Card).Contains($"TAP request for {name}", StringComparison.Ordinal));
        Assert.DoesNotContain(_world.CardsFor(Alex), c => CardReader.AllText(c.Card).Contains($"TAP request for {name}", StringComparison.Ordinal));
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.True(TeamsBot.Tap.TapRecordExtensions.Tap(record).Privileged);
    }
}

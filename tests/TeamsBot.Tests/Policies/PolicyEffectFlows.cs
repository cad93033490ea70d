using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Policies;

/// <summary>What a plan does to people: the What-If matrix before and after it, on the plan card.</summary>
public abstract partial class PolicyFlows
{
    private const string Member = "A member (a new hire with a TAP)";

    [Fact]
    public async Task The_plan_card_shows_the_cells_the_plan_changes()
    {
        var (_, deploy) = await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy the registration policies");
        var lines = CardReader.Texts(deploy);
        Assert.Contains("What it does to people registering security info", lines);
        Assert.Contains("2 of 6 cases change (highlighted).", lines);
        AssertRow(lines, $"{Member} · Untrusted network", "Not applied", "MFA required (report-only) (changed)");
        AssertRow(lines, "A guest · Untrusted network", "Not applied", "Blocked (report-only) (changed)");
        AssertRow(lines, $"{Member} · Trusted network", "Not applied", "Not applied");
        AssertRow(lines, "Break-glass · Untrusted network", "Not applied", "Not applied");
        var (call, card) = await _world.WaitForCardAsync(Lee, "Approve plan");
        Assert.Contains("MFA required (report-only) (changed)", CardReader.Texts(card));
        await _world.ClickAsync(Lee, TeamsBot.Approvals.ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();

        _world.Clock.Advance(TimeSpan.FromDays(8));
        var (_, promote) = await PlanAsync(_world, Patti, "policy promote A", "Plan: Promote A to On");
        lines = CardReader.Texts(promote);
        Assert.Contains("1 of 6 cases change (highlighted).", lines);
        AssertRow(lines, $"{Member} · Untrusted network", "MFA required (report-only)", "MFA required (changed)");
        AssertRow(lines, "A guest · Untrusted network", "Blocked (report-only)", "Blocked (report-only)");
    }

    /// <summary>A row of the matrix: who and where, then the cell now, then after the plan.</summary>
    private static void AssertRow(IReadOnlyList<string> lines, string who, string before, string after)
    {
        var at = lines.ToList().IndexOf(who);
        Assert.True(at >= 0, $"No row '{who}' in:\n{string.Join("\n", lines)}");
        Assert.Equal([before, after], lines.Skip(at + 1).Take(2));
    }
}

using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Policies;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Policies;

/// <summary>Every applied version of a policy is kept; restoring one is a plan like any other.</summary>
public abstract partial class PolicyFlows
{
    /// <summary>A policy without what the service sets on each write.</summary>
    private static JsonObject WithoutStamps(JsonObject policy)
    {
        var copy = policy.DeepClone().AsObject();
        copy.Remove("modifiedDateTime");
        return copy;
    }

    [Fact]
    public async Task History_lists_the_versions_and_restoring_one_round_trips_the_JSON()
    {
        await DeployAsync(_world);
        _world.Clock.Advance(TimeSpan.FromDays(8));
        await PlanAndApproveAsync(_world, "policy promote A", "Plan: Promote A to On");
        Assert.Equal("enabled", OurA()["state"]!.GetValue<string>());

        var (_, history) = await PlanAsync(_world, Patti, "policy history A", "Policy A · history");
        var lines = CardReader.Texts(history);
        Assert.Contains("**v2** · turned On · On", lines);
        Assert.Contains("**v1** · created · report-only", lines);
        Assert.Contains(lines, l => l.StartsWith("Patti Fernandez, approved by Lee Gu · ", StringComparison.Ordinal));
        Assert.True(lines.ToList().IndexOf("**v2** · turned On · On") < lines.ToList().IndexOf("**v1** · created · report-only"), "newest first");

        // Restore v1 from the history card; Lee approves the plan.
        var (historyCall, _) = _world.CardsFor(Patti)[^1];
        var planned = CardReader.CardOf(await _world.ClickAsync(Patti, PolicyVerbs.Restore, CardReader.Data(history, "Restore v1"), historyCall.ActivityId!));
        var planText = CardReader.AllText(planned);
        Assert.Contains("Plan: Restore policy A to v1", planText, StringComparison.Ordinal);
        Assert.Contains("MFA required (report-only) (changed)", planText, StringComparison.Ordinal);
        var (call, card) = await _world.WaitForCardAsync(Lee, "Plan: Restore policy A to v1");
        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();
        await _world.WaitForCardAsync(Patti, "is as it was in v1");

        var versions = _world.Service<PolicyHistory>();
        var v1 = (await versions.GetAsync(PolicyKey.A, 1, default))!;
        var v3 = (await versions.GetAsync(PolicyKey.A, 3, default))!;
        Assert.Equal("restored v1", v3.What);
        Assert.True(JsonNode.DeepEquals(WithoutStamps(v1.Policy), WithoutStamps(v3.Policy)), $"v1 {v1.Policy.ToJsonString()}\nv3 {v3.Policy.ToJsonString()}");
        var live = CaPolicyJson.Clean(OurA());
        Assert.True(JsonNode.DeepEquals(WithoutStamps(v1.Policy), WithoutStamps(live)), $"v1 {v1.Policy.ToJsonString()}\nlive {live.ToJsonString()}");
        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        Assert.Contains("State: Report-only since", CardReader.AllText(status), StringComparison.Ordinal);

        // Restoring the version the policy already is has nothing to do.
        var (_, again) = await PlanAsync(_world, Patti, "policy restore A v3", "Nothing to do");
        Assert.Contains("Policy A is as it was in v3.", CardReader.AllText(again), StringComparison.Ordinal);
        var (_, missing) = await PlanAsync(_world, Patti, "policy restore A v9", "No version v9 of policy A");
        _ = missing;
    }
}

using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Policies;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Reliability;

/// <summary>Policy operations when Graph fails at a chosen point: the admins always learn what was and wasn't done.</summary>
public sealed class PolicyFaultTests : IAsyncLifetime
{
    private const string AdminsGroup = "b0000000-0000-4000-8000-000000000003";
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Patti, Lee);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private IReadOnlyList<System.Text.Json.Nodes.JsonObject> Ours() => [.. _world.Tenant.State.ConditionalAccessPolicies
        .Where(p => (p["description"]?.GetValue<string>() ?? "").Contains("teamsbot:registration-policy", StringComparison.Ordinal))];

    private string IdOf(PolicyKey key) => Ours().Single(p => p["description"]!.GetValue<string>().Contains(RegistrationPolicies.Marker(key),
        StringComparison.Ordinal))["id"]!.GetValue<string>();

    private string StateOf(PolicyKey key) => _world.Tenant.State.GetConditionalAccessPolicy(IdOf(key))!["state"]!.GetValue<string>();

    [Fact]
    public async Task A_rollback_that_fails_for_one_policy_says_the_other_went_back()
    {
        await PolicyFlowTests.DeployAsync(_world);
        await PolicyFlowTests.PlanAndApproveAsync(_world, "policy promote all because drill", "Plan: Promote A and B to On");
        Assert.Equal(RegistrationPolicies.Enabled, StateOf(PolicyKey.B));

        // Graph refuses every change to policy B (after its retries); A goes back first.
        _world.Tenant.Faults.Unavailable($"/identity/conditionalAccess/policies/{IdOf(PolicyKey.B)}", method: "PATCH", retryAfterSeconds: 0);
        var (_, answer) = await PolicyFlowTests.PlanAsync(_world, Lee, "policy rollback all", "Rollback");

        Assert.Equal(RegistrationPolicies.ReportOnly, StateOf(PolicyKey.A));
        Assert.Equal(RegistrationPolicies.Enabled, StateOf(PolicyKey.B));
        var text = CardReader.AllText(answer);
        Assert.Contains("Policy A is back in report-only", text, StringComparison.Ordinal);
        Assert.Contains("Policy B could not be rolled back", text, StringComparison.Ordinal);
        Assert.Contains("unavailable", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_promotion_that_Graph_made_but_cannot_read_back_says_it_is_applied()
    {
        await PolicyFlowTests.DeployAsync(_world);
        await PolicyFlowTests.PlanAsync(_world, Patti, "policy promote A because drill", "Plan: Promote A to On");
        var (call, card) = await _world.WaitForCardAsync(Lee, "Plan: Promote A to On");

        // The PATCH goes through; reading policy A back afterwards (for its history) fails, after the SDK's retries.
        var id = IdOf(PolicyKey.A);
        _world.Tenant.Faults.Add(new TeamsBot.DevTenant.Dev.FaultRule
        {
            Path = $"/identity/conditionalAccess/policies/{id}", Method = "GET", Kind = TeamsBot.DevTenant.Dev.FaultKind.Unavailable,
            IncludeBatchItems = false,
        });
        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();

        // Policy A is On, and the record, the planner and the audit all say so: never "Nothing was changed".
        Assert.Equal(RegistrationPolicies.Enabled, StateOf(PolicyKey.A));
        var plan = (await _world.Service<ApprovalEngine>().RecentAsync(5, default)).First(r => r.Kind == PolicyPlan.Kind);
        Assert.Equal(ApprovalState.Completed, plan.State);
        Assert.Contains(plan.Plan().Steps, s => s.Key == PolicyKey.A && s.Done && s.Result == "turned On");
        await _world.Connector.WaitForTextAsync($"plan {plan.Reference}; it is applied");
        var audit = await _world.Service<TeamsBot.Storage.IAuditLog>().ListAsync(20);
        Assert.Contains(audit, a => a.Action == "policy.promote" && a.Target == "Policy A");
        Assert.Empty(WorldChecks.Errors(_world));
    }

    [Fact]
    public async Task A_plan_whose_admins_cannot_be_read_is_not_left_waiting_unseen()
    {
        // Reading the admins group fails (after the SDK's retries) just when the plan goes out to them.
        var rule = _world.Tenant.Faults.Unavailable($"/groups/{AdminsGroup}/transitiveMembers", retryAfterSeconds: 0);
        await _world.SayAsync(Patti, "policy deploy");
        await _world.WaitForCardAsync(Patti, "Plan: Deploy");
        await _world.IdleAsync();
        _world.Tenant.Faults.Remove(rule.Id!);

        // Nobody got the card, so the planner hears it, with what to do.
        Assert.DoesNotContain(_world.CardsFor(Lee), c => CardReader.AllText(c.Card).Contains("Plan: Deploy", StringComparison.Ordinal));
        var plan = (await _world.Service<ApprovalEngine>().RecentAsync(5, default)).Single(r => r.Kind == PolicyPlan.Kind);
        var told = await _world.Connector.WaitForTextAsync("nobody got plan " + plan.Reference);
        Assert.Contains("unavailable", told.Body!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(WorldChecks.Errors(_world));
    }

    [Fact]
    public async Task A_rollback_announcement_that_cannot_read_the_admins_is_no_failure()
    {
        await PolicyFlowTests.DeployAsync(_world);
        await PolicyFlowTests.PlanAndApproveAsync(_world, "policy promote A because drill", "Plan: Promote A to On");

        _world.Tenant.Faults.Unavailable($"/groups/{AdminsGroup}/transitiveMembers", retryAfterSeconds: 0);
        await PolicyFlowTests.PlanAsync(_world, Lee, "policy rollback A", "Policy A is back in report-only");
        await _world.IdleAsync();

        Assert.Equal(RegistrationPolicies.ReportOnly, StateOf(PolicyKey.A));
        Assert.Empty(WorldChecks.Errors(_world));
        var audit = await _world.Service<TeamsBot.Storage.IAuditLog>().ListAsync(20);
        Assert.Contains(audit, a => a.Action == "policy.rolled-back");
    }

    [Fact]
    public async Task A_drift_alert_that_could_not_be_sent_goes_out_at_the_next_watch()
    {
        await PolicyFlowTests.DeployAsync(_world);
        _world.Tenant.State.ChangeConditionalAccessPolicy(IdOf(PolicyKey.A), p => p["state"] = "enabled");
        var rule = _world.Tenant.Faults.Unavailable($"/groups/{AdminsGroup}/transitiveMembers", retryAfterSeconds: 0);

        await _world.Service<PolicyJobs>().RunOnceAsync(forceDriftWatch: true, default);
        await _world.IdleAsync();
        Assert.DoesNotContain(_world.CardsFor(Lee), c => CardReader.AllText(c.Card).Contains("changed outside", StringComparison.Ordinal));

        _world.Tenant.Faults.Remove(rule.Id!);
        await _world.Service<PolicyJobs>().RunOnceAsync(forceDriftWatch: true, default);
        await _world.WaitForCardAsync(Lee, "Registration policy changed outside the bot");
        await _world.WaitForCardAsync(Patti, "Registration policy changed outside the bot");
        var audit = await _world.Service<TeamsBot.Storage.IAuditLog>().ListAsync(50);
        Assert.Single(audit, a => a.Action == "policy.drift");
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Policies;

/// <summary>A change made outside the bot: who made it, and the choice between restoring and accepting it for a while.</summary>
public abstract partial class PolicyFlows
{
    private const string DriftAlertTitle = "Registration policy changed outside the bot";

    /// <summary>Changes a policy as a person in the Entra portal would: the directory audit log names them.</summary>
    private async Task ChangeInThePortalAsync(string policyId, string actorUpn, object patch)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_world.Tenant.BaseUrl[..^"v1.0".Length]) };
        var answer = await http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{policyId}/change", UriKind.Relative), new { actorUpn, patch });
        answer.EnsureSuccessStatusCode();
    }

    private int DriftAlerts(Persona who) =>
        _world.CardsFor(who).Count(c => c.Call.Method == "POST" && CardReader.AllText(c.Card).Contains(DriftAlertTitle, StringComparison.Ordinal));

    private async Task WatchDriftAsync()
    {
        await _world.Service<PolicyJobs>().RunOnceAsync(forceDriftWatch: true, default);
        await _world.IdleAsync();
    }

    [Fact]
    public async Task An_outside_change_is_reported_with_who_made_it_accepted_until_a_date_and_alerted_again_after_it()
    {
        await DeployAsync(_world);
        var a = OurA()["id"]!.GetValue<string>();
        await ChangeInThePortalAsync(a, "isaiah.langer@contoso.com", new { conditions = new { users = new { excludeGroups = Array.Empty<string>() } } });

        await WatchDriftAsync();
        var (alertCall, alert) = await _world.WaitForCardAsync(Patti, DriftAlertTitle);
        var text = CardReader.AllText(alert);
        Assert.Contains("Except members of", text, StringComparison.Ordinal);
        Assert.Contains("Changed by: Isaiah Langer (isaiah.langer@contoso.com)", text, StringComparison.Ordinal);
        Assert.Contains("Update conditional access policy", text, StringComparison.Ordinal);
        Assert.Equal(1, DriftAlerts(Lee));
        var audit = await _world.Service<IAuditLog>().ListAsync(20);
        Assert.Contains(audit, e => e.Action == "policy.drift" && e.Details!.Contains("changed by Isaiah Langer", StringComparison.Ordinal));

        // Patti accepts it from the alert, through a date five days away, with a reason; Lee approves.
        var through = DateOnly.FromDateTime(_world.Clock.GetUtcNow().UtcDateTime.AddDays(5));
        var data = CardReader.Data(alert, "Plan accepting it");
        data["until"] = through.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        data["reason"] = "Break-glass group moves to a new group next week";
        var planned = CardReader.CardOf(await _world.ClickAsync(Patti, PolicyVerbs.Accept, data, alertCall.ActivityId!));
        Assert.Contains($"Plan: Accept the change to policy A through {through:yyyy-MM-dd}", CardReader.AllText(planned), StringComparison.Ordinal);
        // The same click again is the same plan, not a second one.
        await _world.ClickAsync(Patti, PolicyVerbs.Accept, data, alertCall.ActivityId!);
        Assert.Single(await _world.Service<ApprovalEngine>().RecentAsync(10, default), r => r.Kind == PolicyPlan.Kind && r.Plan().Action == PolicyPlan.AcceptAction);
        var (call, card) = await _world.WaitForCardAsync(Lee, "Plan: Accept the change to policy A");
        Assert.Contains("Except members of", CardReader.AllText(card), StringComparison.Ordinal);
        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();
        await _world.WaitForCardAsync(Patti, "Accepted through");
        // Accepting changes nothing in the tenant.
        Assert.Empty(_world.Tenant.State.GetConditionalAccessPolicy(a)!["conditions"]!["users"]!["excludeGroups"]!.AsArray());

        // Accepted: the watch stays quiet, the status says so.
        await WatchDriftAsync();
        Assert.Equal(1, DriftAlerts(Lee));
        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        Assert.Contains("Change accepted: until", CardReader.AllText(status), StringComparison.Ordinal);

        // After the date it alerts again, saying the acceptance has passed.
        _world.Clock.Advance(TimeSpan.FromDays(6));
        await WatchDriftAsync();
        Assert.Equal(2, DriftAlerts(Lee));
        var (_, again) = await _world.WaitForCardAsync(Lee, "which has passed");
        Assert.Contains("Break-glass group moves", CardReader.AllText(again), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepting_needs_a_reason_a_date_within_the_limit_and_the_change_the_alert_showed()
    {
        await DeployAsync(_world);
        var a = OurA()["id"]!.GetValue<string>();
        var (_, nothing) = await PlanAsync(_world, Patti, "policy accept A through 2099-01-01 because fine", "can't be accepted");
        Assert.Contains("matches its template", CardReader.AllText(nothing), StringComparison.Ordinal);

        await ChangeInThePortalAsync(a, "isaiah.langer@contoso.com", new { state = "disabled" });
        await WatchDriftAsync();
        var (alertCall, alert) = await _world.WaitForCardAsync(Lee, DriftAlertTitle);
        var (_, far) = await PlanAsync(_world, Patti, "policy accept A through 2099-01-01 because fine", "can't be accepted");
        Assert.Contains("Policies:MaxDriftAcceptance", CardReader.AllText(far), StringComparison.Ordinal);
        var (_, noReason) = await PlanAsync(_world, Patti, "policy accept A through " + _world.Clock.GetUtcNow().ToString("yyyy-MM-dd"), "can't be accepted");
        Assert.Contains("Say why", CardReader.AllText(noReason), StringComparison.Ordinal);

        // The alert's button is for the change it showed: after another change it is refused.
        await ChangeInThePortalAsync(a, "isaiah.langer@contoso.com", new { state = "enabled" });
        var data = CardReader.Data(alert, "Plan accepting it");
        data["until"] = _world.Clock.GetUtcNow().ToString("yyyy-MM-dd");
        data["reason"] = "testing";
        var refused = CardReader.CardOf(await _world.ClickAsync(Lee, PolicyVerbs.Accept, data, alertCall.ActivityId!));
        Assert.Contains("changed again since that alert", CardReader.AllText(refused), StringComparison.Ordinal);
        Assert.DoesNotContain(await _world.Service<ApprovalEngine>().RecentAsync(10, default), r => r.Plan().Action == PolicyPlan.AcceptAction);
    }
}

using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Policies;

/// <summary>The policy flows with a tenant that keeps a policy's description.</summary>
public sealed class PolicyFlowTests : PolicyFlows
{
    protected override bool TenantDropsDescription => false;
}

/// <summary>
/// The same flows with a tenant that drops it: Graph's v1.0 docs call <c>description</c> "Not used" for Conditional
/// Access policies, so nothing may depend on it.
/// </summary>
public sealed class PolicyFlowsWithoutDescriptionTests : PolicyFlows
{
    protected override bool TenantDropsDescription => true;
}

/// <summary>The registration policies through /api/messages and the simulated tenant, two admins at work.</summary>
public abstract partial class PolicyFlows : IAsyncLifetime
{
    private BotWorld _world = null!;

    protected abstract bool TenantDropsDescription { get; }

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        _world.Tenant.State.DropConditionalAccessDescription = TenantDropsDescription;
        await _world.InstallAsync(Patti, Lee, Megan);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>Policy A of graph-entra.md §3.3 with the seed's break-glass accounts and group.</summary>
    private static readonly JsonObject ExpectedA = JsonNode.Parse("""
        {
          "displayName": "Combined Security Info Registration with TAP",
          "state": "enabledForReportingButNotEnforced",
          "conditions": {
            "clientAppTypes": ["all"],
            "applications": { "includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"] },
            "users": {
              "includeUsers": ["All"],
              "excludeUsers": ["a0000000-0000-4000-8000-000000000008", "a0000000-0000-4000-8000-000000000009"],
              "excludeGroups": ["b0000000-0000-4000-8000-000000000004"],
              "excludeGuestsOrExternalUsers": {
                "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
                "externalTenants": { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all" }
              }
            },
            "locations": { "includeLocations": ["All"], "excludeLocations": ["AllTrusted"] }
          },
          "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
        }
        """)!.AsObject();

    /// <summary>Policy B of graph-entra.md §3.4.</summary>
    private static readonly JsonObject ExpectedB = JsonNode.Parse("""
        {
          "displayName": "Combined Security Info Registration on Trusted Networks",
          "state": "enabledForReportingButNotEnforced",
          "conditions": {
            "clientAppTypes": ["all"],
            "applications": { "includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"] },
            "users": {
              "includeGuestsOrExternalUsers": {
                "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
                "externalTenants": { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all" }
              }
            },
            "locations": { "includeLocations": ["All"], "excludeLocations": ["AllTrusted"] }
          },
          "grantControls": { "operator": "OR", "builtInControls": ["block"] }
        }
        """)!.AsObject();

    internal static async Task<(ConnectorCall Call, JsonObject Card)> PlanAsync(BotWorld world, Persona who, string command, string expectTitle)
    {
        var before = world.CardsFor(who).Count;
        await world.SayAsync(who, command);
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (world.CardsFor(who).Count == before && Environment.TickCount64 < deadline) await Task.Delay(20);
        var last = world.CardsFor(who)[^1];
        Assert.Contains(expectTitle, CardReader.AllText(last.Card), StringComparison.Ordinal);
        return last;
    }

    /// <summary>Patti plans with <paramref name="command"/>, Lee approves the plan card titled <paramref name="planTitle"/>,
    /// and the apply runs.</summary>
    internal static async Task PlanAndApproveAsync(BotWorld world, string command, string planTitle)
    {
        await PlanAsync(world, Patti, command, planTitle);
        var (call, card) = await world.WaitForCardAsync(Lee, planTitle);
        await world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await world.IdleAsync();
    }

    internal static async Task DeployAsync(BotWorld world)
    {
        await PlanAsync(world, Patti, "policy deploy", "Plan: Deploy the registration policies");
        var (call, card) = await world.WaitForCardAsync(Lee, "Approve plan");
        var approved = await world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        Assert.Contains("Approved by Lee Gu", CardReader.AllText(CardReader.CardOf(approved)), StringComparison.Ordinal);
        await world.IdleAsync();
    }

    /// <summary>The registration policies in the tenant, by their names (the description may not be kept).</summary>
    private IReadOnlyList<JsonObject> Ours() => [.. _world.Tenant.State.ConditionalAccessPolicies
        .Where(p => RegistrationPolicies.All.Any(k => p["displayName"]?.GetValue<string>() == RegistrationPolicies.DisplayName(k)))];

    [Fact]
    public async Task A_plan_whose_cards_a_crash_stopped_reaches_the_other_admins_after_the_restart_once()
    {
        await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy the registration policies");
        await _world.WaitForCardAsync(Lee, "Approve plan");
        await _world.IdleAsync();
        var engine = _world.Service<ApprovalEngine>();
        var sent = (await engine.RecentAsync(1, default))[0];
        Assert.True(sent.ApproversAsked);

        // The crash: a second plan stored, its cards never sent.
        var filed = await engine.CreateAsync(PolicyPlan.Kind, sent.Requester, sent.Plan().ToJson(),
            TimeSpan.FromHours(24), default);
        await _world.RestartAsync();
        await _world.IdleAsync();
        int CardsAbout(ApprovalRecord record) => _world.CardsFor(Lee).Count(c => c.Call.Method == "POST"
            && c.Card.ToJsonString().Contains(record.Reference, StringComparison.Ordinal));
        Assert.Equal(0, CardsAbout(filed));
        var firstPlanCards = CardsAbout(sent);

        _world.Clock.Advance(TimeSpan.FromMinutes(3));
        await _world.Service<PolicyJobs>().RunOnceAsync(default);
        await _world.IdleAsync();
        Assert.Equal(1, CardsAbout(filed));
        Assert.True((await engine.GetAsync(filed.Id, default))!.ApproversAsked);

        _world.Clock.Advance(TimeSpan.FromMinutes(3));
        await _world.Service<PolicyJobs>().RunOnceAsync(default);
        await _world.IdleAsync();
        Assert.Equal(1, CardsAbout(filed));
        Assert.Equal(firstPlanCards, CardsAbout(sent));
        // The planner is not told that nobody got it: Lee did.
        Assert.DoesNotContain(_world.Connector.Calls, c => c.Body?.ToJsonString().Contains("nobody got plan " + filed.Reference, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task On_an_empty_tenant_the_plan_creates_exactly_the_two_policies_and_a_second_deploy_is_a_no_op()
    {
        var before = _world.Tenant.State.ConditionalAccessPolicies.Count;
        var (_, plan) = await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy the registration policies");
        Assert.Contains("Waiting for a second policy admin", CardReader.AllText(plan), StringComparison.Ordinal);
        Assert.Null(CardReader.Action(plan, "Approve plan"));
        Assert.Equal(before, _world.Tenant.State.ConditionalAccessPolicies.Count);

        await DeployAsync2();
        Assert.Equal(before + 2, _world.Tenant.State.ConditionalAccessPolicies.Count);
        var ours = Ours();
        Assert.Equal(2, ours.Count);
        AssertPolicy(ExpectedA, ours.Single(p => p["displayName"]!.GetValue<string>() == ExpectedA["displayName"]!.GetValue<string>()));
        AssertPolicy(ExpectedB, ours.Single(p => p["displayName"]!.GetValue<string>() == ExpectedB["displayName"]!.GetValue<string>()));
        await _world.WaitForCardAsync(Patti, "Applied. Approved by Lee Gu");
        await _world.Connector.WaitForTextAsync("Lee Gu approved plan");

        var (_, second) = await PlanAsync(_world, Patti, "policy deploy", "Nothing to do");
        Assert.Equal(before + 2, _world.Tenant.State.ConditionalAccessPolicies.Count);
        _ = second;

        async Task DeployAsync2()
        {
            var (call, card) = await _world.WaitForCardAsync(Lee, "Approve plan");
            Assert.Contains("Planned by: Patti Fernandez", CardReader.AllText(card), StringComparison.Ordinal);
            await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
            await _world.IdleAsync();
        }
    }

    private void AssertPolicy(JsonObject expected, JsonObject actual)
    {
        // The one addition to Microsoft's policy: the marker by which the bot knows its own, where the tenant keeps it.
        if (TenantDropsDescription) Assert.Null(actual["description"]?.GetValue<string>());
        else Assert.Contains("teamsbot:registration-policy:", actual["description"]!.GetValue<string>(), StringComparison.Ordinal);
        actual = actual.DeepClone().AsObject();
        actual.Remove("description");
        var changes = PolicyDiff.Compare(expected, actual);
        Assert.True(changes.Count == 0, string.Join("\n", changes));
        Assert.Equal(expected["state"]!.GetValue<string>(), actual["state"]!.GetValue<string>());
        // Field by field the other way round too: nothing in the tenant that the expected policy lacks (ids compare as sets).
        static string[] Ids(JsonObject p) => [.. (p["conditions"]!["users"]!["excludeUsers"] as JsonArray ?? []).Select(x => x!.GetValue<string>()).Order()];
        Assert.Equal(Ids(expected), Ids(actual));
    }

    [Fact]
    public async Task The_planner_cannot_approve_their_own_plan_and_non_admins_are_refused_everywhere()
    {
        var (_, plan) = await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy");
        var (_, leeCard) = await _world.WaitForCardAsync(Lee, "Approve plan");
        var data = CardReader.Data(leeCard, "Approve plan");
        Assert.Contains("second policy admin", CardReader.MessageOf(await _world.ClickAsync(Patti, ApprovalVerbs.Approve, data)), StringComparison.Ordinal);
        Assert.Contains("Only policy admins", CardReader.MessageOf(await _world.ClickAsync(Megan, ApprovalVerbs.Approve, data)), StringComparison.Ordinal);
        Assert.Contains("Only policy admins", CardReader.MessageOf(await _world.ClickAsync(Megan, PolicyVerbs.Status, new JsonObject())), StringComparison.Ordinal);
        Assert.Contains("Only policy admins", CardReader.MessageOf(await _world.ClickAsync(Megan, PolicyVerbs.Deploy, new JsonObject())), StringComparison.Ordinal);
        var reject = data.DeepClone().AsObject();
        reject["comment"] = "no";
        Assert.Contains("Only policy admins", CardReader.MessageOf(await _world.ClickAsync(Megan, ApprovalVerbs.Reject, reject)), StringComparison.Ordinal);
        foreach (var command in new[] { "policy status", "policy deploy", "policy promote A", "policy rollback all", "audit" })
        {
            _world.Connector.Clear();
            await _world.SayAsync(Megan, command);
            await _world.Connector.WaitForTextAsync("Only policy admins");
        }
        var record = (await _world.Service<ApprovalEngine>().RecentAsync(5, default)).Single(r => r.Kind == PolicyPlan.Kind);
        Assert.Equal(ApprovalState.Pending, record.State);
        Assert.Empty(Ours());
        _ = plan;
    }

    [Fact]
    public async Task Status_shows_state_drift_preconditions_and_the_what_if_matrix()
    {
        await DeployAsync(_world);
        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        var text = CardReader.AllText(status);
        Assert.Contains("State: Report-only since", text, StringComparison.Ordinal);
        Assert.Contains("Drift: None: matches the template", text, StringComparison.Ordinal);
        Assert.Contains("✔ A trusted named location exists: Contoso HQ", text, StringComparison.Ordinal);
        Assert.Contains("✔ Break-glass accounts are excluded from policy A", text, StringComparison.Ordinal);
        Assert.Contains("✔ You are not locked out", text, StringComparison.Ordinal);
        Assert.Contains("You · Untrusted network: MFA required (report-only", text, StringComparison.Ordinal);
        Assert.Contains("You · Trusted network: Not applied", text, StringComparison.Ordinal);
        Assert.Contains("A guest · Untrusted network: Blocked (report-only", text, StringComparison.Ordinal);
        Assert.Contains("Break-glass · Untrusted network: Not applied", text, StringComparison.Ordinal);
        Assert.DoesNotContain("✖", text, StringComparison.Ordinal);
        Assert.Contains("does not cover user actions", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_costs_three_Graph_round_trips_and_deploy_five()
    {
        await _world.IdleAsync();
        var log = _world.Tenant.RequestLog;
        log.Clear();
        await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy");
        var planTrips = log.RoundTrips;
        var (call, card) = await _world.WaitForCardAsync(Lee, "Approve plan");
        await _world.IdleAsync();
        log.Clear();
        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();
        var applyTrips = log.RoundTrips;
        log.Clear();
        await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        var statusTrips = log.RoundTrips;
        Console.WriteLine($"Policy Graph round trips: deploy plan {planTrips} (incl. admins lookup), approve+apply {applyTrips}, status {statusTrips}");
        Assert.True(statusTrips <= 3, $"{statusTrips}: {string.Join(", ", log.Entries.Where(e => !e.InBatch).Select(e => e.Method + " " + e.Path))}"); // admin check, snapshot batch, evidence batch
        Assert.True(applyTrips <= 5, $"{applyTrips}: {string.Join(", ", log.Entries.Where(e => !e.InBatch).Select(e => e.Method + " " + e.Path))}");
    }

    [Fact]
    public async Task A_change_made_outside_the_bot_shows_as_drift_in_status_and_in_the_drift_watch()
    {
        await DeployAsync(_world);
        var a = Ours().Single(p => p["grantControls"]!["builtInControls"]![0]!.GetValue<string>() == "mfa");
        _world.Tenant.State.ChangeConditionalAccessPolicy(a["id"]!.GetValue<string>(), p =>
        {
            p["conditions"]!["users"]!["excludeUsers"] = new JsonArray();
            p["conditions"]!["users"]!["excludeGroups"] = new JsonArray();
            p["state"] = "enabled";
        });

        var (_, status) = await PlanAsync(_world, Patti, "policy status", "Security-info registration policies");
        var text = CardReader.AllText(status);
        Assert.Contains("Except users", text, StringComparison.Ordinal);
        Assert.Contains("state (on (enforced), the bot set report-only)", text, StringComparison.Ordinal);
        Assert.Contains("✖ Break-glass accounts are excluded from policy A", text, StringComparison.Ordinal);
        Assert.Contains("✖ expected: Not applied", text, StringComparison.Ordinal); // break-glass now gets MFA

        await _world.Service<PolicyJobs>().RunOnceAsync(forceDriftWatch: true, default);
        await _world.WaitForCardAsync(Patti, "Registration policy changed outside the bot");
        var (_, alert) = await _world.WaitForCardAsync(Lee, "Registration policy changed outside the bot");
        Assert.Contains("Except users", CardReader.AllText(alert), StringComparison.Ordinal);
        // Once per change: the next watch stays quiet.
        var alerts = _world.CardsFor(Lee).Count(c => CardReader.AllText(c.Card).Contains("changed outside", StringComparison.Ordinal));
        await _world.Service<PolicyJobs>().RunOnceAsync(forceDriftWatch: true, default);
        await _world.IdleAsync();
        Assert.Equal(alerts, _world.CardsFor(Lee).Count(c => CardReader.AllText(c.Card).Contains("changed outside", StringComparison.Ordinal)));

        // Deploy restores the template and the recorded state.
        var (_, plan) = await PlanAsync(_world, Patti, "policy deploy", "restore the fields");
        Assert.Contains("Except users", CardReader.AllText(plan), StringComparison.Ordinal);
        var (call, card) = await _world.WaitForCardAsync(Lee, "restore the fields");
        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();
        var restored = _world.Tenant.State.GetConditionalAccessPolicy(a["id"]!.GetValue<string>())!;
        Assert.Equal(2, restored["conditions"]!["users"]!["excludeUsers"]!.AsArray().Count);
        Assert.Equal("enabledForReportingButNotEnforced", restored["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Promote_is_refused_with_drift_without_a_trusted_location_and_before_the_report_only_time()
    {
        await DeployAsync(_world);

        var (_, early) = await PlanAsync(_world, Patti, "policy promote A", "can't be promoted yet");
        // The override spelled out with its placeholder visible (an angle-bracketed one vanishes in Teams).
        Assert.Contains("policy promote A because ‹reason›", CardReader.AllText(early), StringComparison.Ordinal);
        Assert.DoesNotContain("<", CardReader.AllText(early), StringComparison.Ordinal);

        _world.Tenant.State.ChangeNamedLocation("c0000000-0000-4000-8000-000000000001", l => l["isTrusted"] = false);
        var (_, untrusted) = await PlanAsync(_world, Patti, "policy promote A because pilot done", "can't be promoted yet");
        Assert.Contains("A trusted named location exists: no", CardReader.AllText(untrusted), StringComparison.Ordinal);
        _world.Tenant.State.ChangeNamedLocation("c0000000-0000-4000-8000-000000000001", l => l["isTrusted"] = true);

        var b = Ours().Single(p => p["grantControls"]!["builtInControls"]![0]!.GetValue<string>() == "block");
        _world.Tenant.State.ChangeConditionalAccessPolicy(b["id"]!.GetValue<string>(), p => p["grantControls"]!["builtInControls"] = new JsonArray("mfa"));
        var (_, drifted) = await PlanAsync(_world, Patti, "policy promote B because pilot done", "can't be promoted yet");
        Assert.Contains("differs from its template", CardReader.AllText(drifted), StringComparison.Ordinal);

        Assert.DoesNotContain(_world.Tenant.State.ConditionalAccessPolicies, p => p["state"]!.GetValue<string>() == "enabled"
            && p["displayName"]?.GetValue<string>() == RegistrationPolicies.DisplayName(PolicyKey.B));
    }

    [Fact]
    public async Task Promote_with_a_second_admin_then_roll_back()
    {
        await DeployAsync(_world);
        _world.Clock.Advance(TimeSpan.FromDays(8));

        await PlanAndApproveAsync(_world, "policy promote all", "Plan: Promote A and B to On");
        Assert.All(Ours(), p => Assert.Equal("enabled", p["state"]!.GetValue<string>()));
        var (_, on) = await PlanAsync(_world, Lee, "policy status", "Security-info registration policies");
        Assert.Contains("State: On since", CardReader.AllText(on), StringComparison.Ordinal);
        Assert.Contains("You · Untrusted network: MFA required", CardReader.AllText(on), StringComparison.Ordinal);

        var (_, rolled) = await PlanAsync(_world, Lee, "policy rollback A", "Rollback");
        Assert.Contains("Policy A is back in report-only", CardReader.AllText(rolled), StringComparison.Ordinal);
        await _world.Connector.WaitForTextAsync("Lee Gu rolled policy A back to report-only");
        Assert.Single(Ours(), p => p["state"]!.GetValue<string>() == "enabledForReportingButNotEnforced");
        var audit = await _world.Service<IAuditLog>().ListAsync(50);
        Assert.Contains(audit, e => e.Action == "policy.promote" && e.Outcome == "applied");
        Assert.Contains(audit, e => e.Action == "policy.rolled-back" && e.ActorName == "Lee Gu");
        // The rollback is a version in the history, as Graph has the policy after it.
        var latest = (await _world.Service<PolicyHistory>().NewestAsync(PolicyKey.A, 1, default))[0];
        Assert.Equal(("rolled back to report-only", "Lee Gu", "enabledForReportingButNotEnforced"), (latest.What, latest.AppliedBy, latest.State));
    }

    [Fact]
    public async Task An_override_reason_lets_a_promotion_skip_the_minimum_time_and_is_audited()
    {
        await DeployAsync(_world);
        await PlanAsync(_world, Patti, "policy promote B because pilot group confirmed registration works", "Plan: Promote B to On");
        var (call, card) = await _world.WaitForCardAsync(Lee, "Plan: Promote B to On");
        Assert.Contains("Override: pilot group confirmed", CardReader.AllText(card), StringComparison.Ordinal);
        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();
        Assert.Single(Ours(), p => p["state"]!.GetValue<string>() == "enabled");
        var audit = await _world.Service<IAuditLog>().ListAsync(50);
        Assert.Contains(audit, e => e.Action == "policy.promote-planned" && e.Details!.Contains("override: pilot group", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plan_is_not_applied_when_the_tenant_changed_after_it_was_made()
    {
        await PlanAsync(_world, Patti, "policy deploy", "Plan: Deploy");
        var (call, card) = await _world.WaitForCardAsync(Lee, "Approve plan");
        // Someone creates policy B by hand (with the bot's marker) in the meantime.
        var b = PolicyDiffTests.Render(PolicyKey.B);
        _world.Tenant.State.AddConditionalAccessPolicy(b);
        b["grantControls"]!["builtInControls"] = new JsonArray("mfa");
        var stale = _world.Tenant.State.ConditionalAccessPolicies.Last();
        _world.Tenant.State.ChangeConditionalAccessPolicy(stale["id"]!.GetValue<string>(), p => p["grantControls"]!["builtInControls"] = new JsonArray("mfa"));

        await _world.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(card, "Approve plan"), call.ActivityId!);
        await _world.IdleAsync();
        var record = (await _world.Service<ApprovalEngine>().RecentAsync(5, default)).Single(r => r.Kind == PolicyPlan.Kind);
        Assert.Equal(ApprovalState.Failed, record.State);
        Assert.Contains("Nothing was changed", record.Outcome, StringComparison.Ordinal);
        await _world.WaitForCardAsync(Patti, "Nothing was changed");
        Assert.Single(Ours());
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TeamsBot.DevTenant;

namespace TeamsBot.Tests.DevTenant;

/// <summary>The directory audit log: who changed a Conditional Access policy, the bot through Graph or a person in the portal.</summary>
public sealed class DirectoryAuditTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public DirectoryAuditTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task Creating_updating_and_deleting_a_policy_through_graph_leaves_entries_initiated_by_the_app()
    {
        var policy = await graph.Identity.ConditionalAccess.Policies.PostAsync(ConditionalAccessDescriptionTests.Policy("Audited"));
        fx.Time.Advance(TimeSpan.FromMinutes(1));
        await graph.Identity.ConditionalAccess.Policies[policy!.Id].PatchAsync(new ConditionalAccessPolicy { State = ConditionalAccessPolicyState.Enabled });
        fx.Time.Advance(TimeSpan.FromMinutes(1));
        await graph.Identity.ConditionalAccess.Policies[policy.Id].DeleteAsync();

        var page = await graph.AuditLogs.DirectoryAudits.GetAsync(rc =>
            rc.QueryParameters.Filter = $"category eq 'Policy' and loggedByService eq 'Conditional Access' and targetResources/any(t:t/id eq '{policy.Id}')");

        var entries = page!.Value!;
        Assert.Equal(["Delete conditional access policy", "Update conditional access policy", "Add conditional access policy"],
            entries.Select(e => e.ActivityDisplayName)); // newest first
        Assert.Equal(["Delete", "Update", "Add"], entries.Select(e => e.OperationType));
        Assert.All(entries, e =>
        {
            Assert.Equal(OperationResult.Success, e.Result);
            Assert.Equal(SimulatedTenantOptions.DefaultBotAppId, e.InitiatedBy!.App!.AppId);
            Assert.Equal("TeamsBot", e.InitiatedBy.App.DisplayName);
            Assert.Null(e.InitiatedBy.User);
            var target = Assert.Single(e.TargetResources!);
            Assert.Equal("Policy", target.Type);
            Assert.Equal("Registration from untrusted networks", target.DisplayName);
        });
        var update = entries[1].TargetResources![0].ModifiedProperties!.Single();
        Assert.Equal("ConditionalAccessPolicy", update.DisplayName);
        Assert.Equal("enabledForReportingButNotEnforced", (string?)JsonNode.Parse(update.OldValue!)!["state"]);
        Assert.Equal("enabled", (string?)JsonNode.Parse(update.NewValue!)!["state"]);
        Assert.Null(entries[0].TargetResources![0].ModifiedProperties![0].NewValue);
        Assert.Null(entries[2].TargetResources![0].ModifiedProperties![0].OldValue);
    }

    [Fact]
    public async Task A_change_made_as_a_person_in_the_portal_is_applied_and_audited_as_that_user()
    {
        var changed = await fx.Http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{Seed.MfaForAdmins}/change", UriKind.Relative),
            new { actorUpn = "lee.gu@contoso.com", ipAddress = "203.0.113.7", patch = new { state = "disabled" } });
        var policy = await graph.Identity.ConditionalAccess.Policies[Seed.MfaForAdmins].GetAsync();
        var page = await graph.AuditLogs.DirectoryAudits.GetAsync(rc =>
            rc.QueryParameters.Filter = "initiatedBy/user/userPrincipalName eq 'lee.gu@contoso.com'");

        Assert.Equal(200, (int)changed.StatusCode);
        Assert.Equal(ConditionalAccessPolicyState.Disabled, policy!.State);
        var entry = Assert.Single(page!.Value!);
        Assert.Equal("Update conditional access policy", entry.ActivityDisplayName);
        Assert.Equal("a0000000-0000-4000-8000-000000000006", entry.InitiatedBy!.User!.Id);
        Assert.Equal("Lee Gu", entry.InitiatedBy.User.DisplayName);
        Assert.Equal("203.0.113.7", entry.InitiatedBy.User.IpAddress);
        Assert.Null(entry.InitiatedBy.App);
        Assert.Equal(Seed.MfaForAdmins, entry.TargetResources![0].Id);
    }

    [Fact]
    public async Task People_in_the_portal_create_and_delete_too_and_get_the_same_validation()
    {
        var created = await fx.Http.PostAsJsonAsync(new Uri("_dev/conditionalAccess/policies", UriKind.Relative),
            new { actorUpn = "patti.fernandez@contoso.com", policy = RegistrationPolicies.Members() });
        var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var invalid = await fx.Http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{id}/change", UriKind.Relative),
            new { actorUpn = "patti.fernandez@contoso.com", patch = new { state = "on" } });
        var stranger = await fx.Http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{id}/change", UriKind.Relative),
            new { actorUpn = "nobody@contoso.com", patch = new { state = "enabled" } });
        var deleted = await fx.Http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{id}/delete", UriKind.Relative),
            new { actorUpn = "lee.gu@contoso.com" });
        var missing = await fx.Http.PostAsJsonAsync(new Uri($"_dev/conditionalAccess/policies/{id}/delete", UriKind.Relative),
            new { actorUpn = "lee.gu@contoso.com" });
        var page = await graph.AuditLogs.DirectoryAudits.GetAsync(rc => rc.QueryParameters.Filter = $"targetResources/any(t:t/id eq '{id}')");

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal(400, (int)invalid.StatusCode);
        Assert.Equal(400, (int)stranger.StatusCode);
        Assert.Equal(204, (int)deleted.StatusCode);
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal([("Delete", "lee.gu@contoso.com"), ("Add", "patti.fernandez@contoso.com")],
            page!.Value!.Select(e => (e.OperationType, e.InitiatedBy!.User!.UserPrincipalName)));
    }

    [Fact]
    public async Task Entries_filter_on_activity_time_and_page_with_top()
    {
        var start = fx.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await graph.Identity.ConditionalAccess.Policies[Seed.BlockLegacyAuth].PatchAsync(new ConditionalAccessPolicy { DisplayName = $"Block legacy authentication {i}" });
            fx.Time.Advance(TimeSpan.FromHours(1));
        }
        var from = start.AddMinutes(30).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var later = await graph.AuditLogs.DirectoryAudits.GetAsync(rc => rc.QueryParameters.Filter = $"activityDateTime ge {from}");
        var first = await graph.AuditLogs.DirectoryAudits.GetAsync(rc => rc.QueryParameters.Top = 2);
        var second = await graph.AuditLogs.DirectoryAudits.WithUrl(first!.OdataNextLink!).GetAsync();
        var byId = await graph.AuditLogs.DirectoryAudits[first.Value![0].Id].GetAsync();

        Assert.Equal(2, later!.Value!.Count);
        Assert.Equal(2, first.Value.Count);
        Assert.Single(second!.Value!);
        Assert.Null(second.OdataNextLink);
        Assert.Equal("Block legacy authentication 2", first.Value[0].TargetResources![0].DisplayName);
        Assert.Equal(first.Value[0].ActivityDateTime, byId!.ActivityDateTime);
    }

    [Fact]
    public async Task Unsupported_filters_and_orders_are_refused()
    {
        var filter = await Assert.ThrowsAsync<ODataError>(() => graph.AuditLogs.DirectoryAudits.GetAsync(rc => rc.QueryParameters.Filter = "result eq 'success'"));
        var order = await Assert.ThrowsAsync<ODataError>(() => graph.AuditLogs.DirectoryAudits.GetAsync(rc => rc.QueryParameters.Orderby = ["category"]));
        var ascending = await graph.AuditLogs.DirectoryAudits.GetAsync(rc => rc.QueryParameters.Orderby = ["activityDateTime asc"]);

        Assert.Equal(400, filter.ResponseStatusCode);
        Assert.Equal(400, order.ResponseStatusCode);
        Assert.Empty(ascending!.Value!);
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Tests.DevTenant;

/// <summary>Directory role assignments, active (tenant-wide, scoped, through a group) and PIM-eligible, through the Graph SDK.</summary>
public sealed class RoleManagementTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly GraphServiceClient graph;

    public RoleManagementTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        graph = fx.Get<GraphServiceClient>();
    }

    [Fact]
    public async Task Active_role_holders_are_tenant_wide_assignments_with_graphs_ids()
    {
        var page = await graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc =>
        {
            rc.QueryParameters.Filter = $"principalId eq '{Seed.Isaiah}'";
            rc.QueryParameters.Expand = ["roleDefinition"];
        });

        var assignment = Assert.Single(page!.Value!);
        Assert.Equal(Seed.GlobalAdministrator, assignment.RoleDefinitionId);
        Assert.Equal("/", assignment.DirectoryScopeId);
        Assert.Equal("Global Administrator", assignment.RoleDefinition!.DisplayName);
        Assert.Equal(Seed.GlobalAdministrator, assignment.RoleDefinition.TemplateId);
        // The role definition id and the principal id, base64url-encoded together, then "-1".
        Assert.Equal("lAPpYvVpN0KRkAEhdxReEAAAAKAAAABAgAAAAAAAAAc-1", assignment.Id);
        var byId = await graph.RoleManagement.Directory.RoleAssignments[assignment.Id].GetAsync();
        Assert.Equal(Seed.Isaiah, byId!.PrincipalId);
    }

    [Fact]
    public async Task A_scoped_role_names_its_administrative_unit_and_is_no_directory_role_membership()
    {
        var page = await graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc =>
            rc.QueryParameters.Filter = $"principalId eq '{Seed.Lidia}' and directoryScopeId eq '/administrativeUnits/{Seed.SalesUnit}'");
        var memberOf = await graph.Users[Seed.Lidia].TransitiveMemberOf.GetAsync();

        var assignment = Assert.Single(page!.Value!);
        Assert.Equal(Seed.HelpdeskAdministrator, assignment.RoleDefinitionId);
        Assert.DoesNotContain(memberOf!.Value!, o => o is DirectoryRole);
    }

    [Fact]
    public async Task A_pim_eligible_global_administrator_has_an_eligibility_instance_but_no_active_role()
    {
        var eligible = await graph.RoleManagement.Directory.RoleEligibilityScheduleInstances.GetAsync(rc =>
        {
            rc.QueryParameters.Filter = $"principalId eq '{Seed.Allan}'";
            rc.QueryParameters.Expand = ["roleDefinition"];
        });
        var active = await graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc => rc.QueryParameters.Filter = $"principalId eq '{Seed.Allan}'");
        var memberOf = await graph.Users[Seed.Allan].TransitiveMemberOf.GetAsync();

        var instance = Assert.Single(eligible!.Value!);
        Assert.Equal(Seed.GlobalAdministrator, instance.RoleDefinitionId);
        Assert.Equal("Global Administrator", instance.RoleDefinition!.DisplayName);
        Assert.Equal("Direct", instance.MemberType);
        Assert.Null(instance.EndDateTime); // permanent eligibility
        Assert.EndsWith("-1-e", instance.Id, StringComparison.Ordinal);
        Assert.Empty(active!.Value!);
        Assert.DoesNotContain(memberOf!.Value!, o => o is DirectoryRole);
    }

    [Fact]
    public async Task A_role_held_through_a_role_assignable_group_shows_in_transitive_member_of_only()
    {
        var transitive = await graph.Users[Seed.Debra].TransitiveMemberOf.GetAsync();
        var direct = await graph.Users[Seed.Debra].MemberOf.GetAsync();
        var ownAssignments = await graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc => rc.QueryParameters.Filter = $"principalId eq '{Seed.Debra}'");
        var groupAssignments = await graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc =>
            rc.QueryParameters.Filter = $"principalId eq '{Seed.HelpdeskOperators}'");

        Assert.Contains(transitive!.Value!, o => o is DirectoryRole { RoleTemplateId: Seed.HelpdeskAdministrator });
        Assert.Contains(direct!.Value!, o => o is Group { Id: Seed.HelpdeskOperators, IsAssignableToRole: true });
        Assert.DoesNotContain(direct.Value!, o => o is DirectoryRole);
        Assert.Empty(ownAssignments!.Value!);
        Assert.Equal(Seed.HelpdeskAdministrator, Assert.Single(groupAssignments!.Value!).RoleDefinitionId);
    }

    [Fact]
    public async Task Role_definitions_list_the_built_in_roles_with_their_template_ids()
    {
        var all = await graph.RoleManagement.Directory.RoleDefinitions.GetAsync();
        var filtered = await graph.RoleManagement.Directory.RoleDefinitions.GetAsync(rc => rc.QueryParameters.Filter = "displayName eq 'User Administrator'");
        var byId = await graph.RoleManagement.Directory.RoleDefinitions[Seed.GlobalAdministrator].GetAsync();

        Assert.Contains(all!.Value!, d => d.TemplateId == Seed.HelpdeskAdministrator && d.IsBuiltIn == true);
        Assert.Equal(Seed.UserAdministrator, Assert.Single(filtered!.Value!).TemplateId);
        Assert.Equal("Global Administrator", byId!.DisplayName);
    }

    [Fact]
    public async Task Admin_assign_creates_an_eligibility_once_and_admin_remove_revokes_it()
    {
        var request = EligibilityRequest(UnifiedRoleScheduleRequestActions.AdminAssign, Seed.Patti, Seed.GlobalAdministrator);

        var created = await graph.RoleManagement.Directory.RoleEligibilityScheduleRequests.PostAsync(request);
        var instances = await graph.RoleManagement.Directory.RoleEligibilityScheduleInstances.GetAsync(rc => rc.QueryParameters.Filter = $"principalId eq '{Seed.Patti}'");
        // A new object: the SDK's backing store sends only changed values when an object is posted twice.
        var again = await Assert.ThrowsAsync<ODataError>(() => graph.RoleManagement.Directory.RoleEligibilityScheduleRequests.PostAsync(
            EligibilityRequest(UnifiedRoleScheduleRequestActions.AdminAssign, Seed.Patti, Seed.GlobalAdministrator)));
        var removed = await graph.RoleManagement.Directory.RoleEligibilityScheduleRequests.PostAsync(new UnifiedRoleEligibilityScheduleRequest
        {
            Action = UnifiedRoleScheduleRequestActions.AdminRemove,
            PrincipalId = Seed.Patti,
            RoleDefinitionId = Seed.GlobalAdministrator,
            DirectoryScopeId = "/",
        });
        var after = await graph.RoleManagement.Directory.RoleEligibilityScheduleInstances.GetAsync(rc => rc.QueryParameters.Filter = $"principalId eq '{Seed.Patti}'");

        Assert.Equal("Provisioned", created!.Status);
        Assert.Equal(UnifiedRoleScheduleRequestActions.AdminAssign, created.Action);
        Assert.Equal(Seed.Patti, created.PrincipalId);
        Assert.Equal(ExpirationPatternType.AfterDateTime, created.ScheduleInfo!.Expiration!.Type);
        Assert.Equal(fx.Tenant.State.Options.BotAppId, created.CreatedBy!.Application!.Id);
        var instance = Assert.Single(instances!.Value!);
        Assert.Equal(created.TargetScheduleId, instance.RoleEligibilityScheduleId);
        Assert.Equal(new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero), instance.EndDateTime);
        Assert.Equal(400, again.ResponseStatusCode);
        Assert.Equal("RoleAssignmentExists", again.Error!.Code);
        Assert.Equal("Revoked", removed!.Status);
        Assert.Empty(after!.Value!);
    }

    [Theory]
    [InlineData("a0000000-0000-4000-8000-0000000009ff", Seed.GlobalAdministrator, "/")]                   // no such principal
    [InlineData(Seed.TapApprovers, Seed.GlobalAdministrator, "/")]                                          // not role-assignable
    [InlineData(Seed.Patti, "00000000-1111-2222-3333-444444444444", "/")]                                  // no such role
    [InlineData(Seed.Patti, Seed.HelpdeskAdministrator, "/administrativeUnits/00000000-0000-0000-0000-000000000000")] // no such unit
    public async Task Eligibility_requests_for_unknown_principals_roles_or_scopes_are_refused(string principal, string role, string scope)
    {
        var error = await Assert.ThrowsAsync<ODataError>(() => graph.RoleManagement.Directory.RoleEligibilityScheduleRequests.PostAsync(
            EligibilityRequest(UnifiedRoleScheduleRequestActions.AdminAssign, principal, role, scope)));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.DoesNotContain(fx.Tenant.State.RoleEligibilities, e => e.PrincipalId == principal);
    }

    [Fact]
    public async Task Admin_assign_without_a_schedule_is_refused()
    {
        var request = EligibilityRequest(UnifiedRoleScheduleRequestActions.AdminAssign, Seed.Patti, Seed.GlobalAdministrator);
        request.ScheduleInfo = null;

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.RoleManagement.Directory.RoleEligibilityScheduleRequests.PostAsync(request));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task A_filter_on_an_unsupported_property_is_refused()
    {
        var error = await Assert.ThrowsAsync<ODataError>(() => graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc =>
            rc.QueryParameters.Filter = "condition eq 'x'"));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Transitive_role_assignments_are_beta_only_and_include_the_groups_assignments()
    {
        var url = $"beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=principalId eq '{Seed.Debra}'";

        var answer = await Send(url, eventual: true);
        var withoutHeader = await Send(url, eventual: false);
        var withoutCount = await Send(url.Replace("$count=true&", "", StringComparison.Ordinal), eventual: true);
        var withoutPrincipal = await Send("beta/roleManagement/directory/transitiveRoleAssignments?$count=true", eventual: true);
        var onV1 = await Send(url.Replace("beta/", "v1.0/", StringComparison.Ordinal), eventual: true);

        Assert.Equal(200, answer.Status);
        Assert.Equal(1, (int)answer.Body!["@odata.count"]!);
        var item = answer.Body["value"]!.AsArray().Single()!;
        Assert.Equal(Seed.HelpdeskOperators, (string?)item["principalId"]); // the group's assignment, as Graph lists it
        Assert.Equal(Seed.HelpdeskAdministrator, (string?)item["roleDefinitionId"]);
        Assert.Equal(404, withoutHeader.Status);
        Assert.Equal(400, withoutCount.Status);
        Assert.Equal(400, withoutPrincipal.Status);
        Assert.Equal(400, onV1.Status);
        Assert.Contains(fx.Tenant.RequestLog.Entries, e => e.Path == "/beta/roleManagement/directory/transitiveRoleAssignments" && e.Status == 200);
    }

    [Fact]
    public async Task Role_calls_work_inside_batches_on_both_versions()
    {
        var v1 = await fx.SendAsync(HttpMethod.Post, "$batch", JsonNode.Parse($$"""
            { "requests": [
              { "id": "1", "method": "GET", "url": "/roleManagement/directory/roleAssignments?$filter=principalId eq '{{Seed.Miriam}}'&$expand=roleDefinition" },
              { "id": "2", "method": "GET", "url": "/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '{{Seed.Allan}}'" }
            ] }
            """));
        using var beta = new HttpRequestMessage(HttpMethod.Post, "beta/$batch")
        {
            Content = JsonContent.Create(JsonNode.Parse($$"""
                { "requests": [
                  { "id": "t", "method": "GET", "headers": { "ConsistencyLevel": "eventual" },
                    "url": "/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=principalId eq '{{Seed.Isaiah}}'" }
                ] }
                """)),
        };
        var betaAnswer = JsonNode.Parse(await (await fx.Http.SendAsync(beta)).Content.ReadAsStringAsync())!;

        var items = v1.Body!["responses"]!.AsArray();
        var assignments = items.Single(r => (string?)r!["id"] == "1")!;
        Assert.Equal(200, (int)assignments["status"]!);
        Assert.Equal("User Administrator", (string?)assignments["body"]!["value"]![0]!["roleDefinition"]!["displayName"]);
        Assert.Equal(Seed.GlobalAdministrator, (string?)items.Single(r => (string?)r!["id"] == "2")!["body"]!["value"]![0]!["roleDefinitionId"]);
        var transitive = betaAnswer["responses"]![0]!;
        Assert.Equal(200, (int)transitive["status"]!);
        Assert.Equal(Seed.GlobalAdministrator, (string?)transitive["body"]!["value"]![0]!["roleDefinitionId"]);
    }

    [Fact]
    public async Task Principals_expand_with_their_type()
    {
        var page = await graph.RoleManagement.Directory.RoleAssignments.GetAsync(rc =>
        {
            rc.QueryParameters.Filter = $"roleDefinitionId eq '{Seed.HelpdeskAdministrator}'";
            rc.QueryParameters.Expand = ["principal"];
        });

        Assert.Contains(page!.Value!, a => a.Principal is Group { Id: Seed.HelpdeskOperators });
        Assert.Contains(page.Value!, a => a.Principal is User { Id: Seed.Lidia });
    }

    private static UnifiedRoleEligibilityScheduleRequest EligibilityRequest(UnifiedRoleScheduleRequestActions action, string principal, string role,
        string scope = "/") => new()
    {
        Action = action,
        PrincipalId = principal,
        RoleDefinitionId = role,
        DirectoryScopeId = scope,
        Justification = "Break-glass cover during the audit",
        ScheduleInfo = new RequestSchedule
        {
            StartDateTime = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero),
            Expiration = new ExpirationPattern { Type = ExpirationPatternType.AfterDateTime, EndDateTime = new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero) },
        },
    };

    private async Task<(int Status, JsonNode? Body)> Send(string relativeUrl, bool eventual)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, relativeUrl);
        if (eventual)
        {
            request.Headers.Add("ConsistencyLevel", "eventual");
        }
        var response = await fx.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}

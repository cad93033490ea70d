using TeamsBot.DevTenant.Tenant;
using TeamsBot.Directory;
using TeamsBot.Tests.DevTenant;

namespace TeamsBot.Tests.Directory;

/// <summary>IPeopleDirectory through the real Graph SDK against the simulated tenant.</summary>
public sealed class PeopleDirectoryTests : IClassFixture<SimulatedTenantFixture>
{
    private readonly SimulatedTenantFixture fx;
    private readonly IPeopleDirectory people;

    public PeopleDirectoryTests(SimulatedTenantFixture fixture)
    {
        fx = fixture;
        fx.Reset();
        people = fx.Get<IPeopleDirectory>();
    }

    private TapCandidateQuery Query(string target, string requester = Seed.Megan) =>
        new(requester, target, Seed.TapRequesters, [Seed.TapApprovers, Seed.PrivilegedTapApprovers]);

    [Fact]
    public async Task Finds_a_member_with_the_selected_properties()
    {
        var diego = await people.FindUserAsync(Seed.Diego);

        Assert.NotNull(diego);
        Assert.Equal(("diego.siciliani@contoso.com", "Diego Siciliani", "Sales", "Account Executive", UserKind.Member, true),
            (diego.UserPrincipalName, diego.DisplayName, diego.Department, diego.JobTitle, diego.Kind, diego.AccountEnabled));
        Assert.True(diego.EmployeeHireDate > fx.Time.GetUtcNow());
    }

    [Fact]
    public async Task Tells_internal_from_external_guests_and_reads_disabled_accounts()
    {
        var irvin = await people.FindUserAsync("irvin.sayers@contoso.com");
        var joni = await people.FindUserAsync(Seed.JoniUpn);
        var grady = await people.FindUserAsync(Seed.Grady);

        Assert.Equal(UserKind.InternalGuest, irvin!.Kind);
        Assert.Equal(UserKind.ExternalGuest, joni!.Kind);
        Assert.Equal(Seed.Joni, joni.Id);
        Assert.False(grady!.AccountEnabled);
    }

    [Fact]
    public async Task A_missing_user_is_null_not_an_exception()
    {
        Assert.Null(await people.FindUserAsync("nobody@contoso.com"));
        Assert.Null(await people.FindUserAsync(Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task Lists_direct_reports_including_guests()
    {
        var reports = await people.GetDirectReportsAsync(Seed.Megan);

        Assert.Equal(new[] { Seed.Diego, Seed.Lynne, Seed.Johanna, Seed.Irvin, Seed.Joni }.Order(), reports.Select(r => r.Id).Order());
        Assert.Equal(UserKind.ExternalGuest, reports.Single(r => r.Id == Seed.Joni).Kind);
    }

    [Fact]
    public async Task Direct_reports_of_a_missing_manager_are_a_not_found_error()
    {
        var error = await Assert.ThrowsAsync<DirectoryException>(() => people.GetDirectReportsAsync(Guid.NewGuid().ToString()));

        Assert.Equal(DirectoryErrorKind.NotFound, error.Kind);
        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Checks_group_membership_transitively_in_chunks_of_twenty()
    {
        var many = Enumerable.Range(0, 24).Select(_ => Guid.NewGuid().ToString()).Append(Seed.TapApprovers).Append(Seed.PolicyAdmins).ToList();

        var groups = await people.CheckMemberGroupsAsync(Seed.Alex, many);

        Assert.Equal([Seed.TapApprovers], groups.ToArray());
        Assert.Equal(2, fx.Tenant.RequestLog.Entries.Count(e => e.Path.EndsWith("/checkMemberGroups", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Group_user_ids_include_nested_groups_users_only()
    {
        var approvers = await people.GetGroupUserIdsAsync(Seed.TapApprovers);

        Assert.Equal(new[] { Seed.Adele, Seed.Alex }, approvers.Order());
    }

    [Fact]
    public async Task A_tap_candidate_is_read_in_one_batch_round_trip()
    {
        fx.Tenant.RequestLog.Clear();

        var candidate = await people.GetTapCandidateAsync(Query(Seed.Diego));

        Assert.Equal(1, fx.Tenant.RequestLog.RoundTrips);
        // target, manager, transitiveMemberOf, methods, TAP policy, role assignments, role eligibilities, requester's
        // checkMemberGroups, two approver groups
        Assert.Equal(10, fx.Tenant.RequestLog.BatchItems);
        Assert.Equal(Seed.Diego, candidate.Target!.Id);
        Assert.Equal(Seed.Megan, candidate.TargetManagerId);
        Assert.True(candidate.Target.EmployeeHireDate > fx.Time.GetUtcNow());
        Assert.Equal(["password"], candidate.TargetMethodTypes);
        Assert.Empty(candidate.TargetRoles);
        Assert.Empty(candidate.TargetGroupIds);
        Assert.False(candidate.RequesterInRequestersGroup);
        Assert.Equal(new[] { Seed.Adele, Seed.Alex }, candidate.ApproverIdsByGroup[Seed.TapApprovers].Order());
        Assert.Equal([Seed.Isaiah], candidate.ApproverIdsByGroup[Seed.PrivilegedTapApprovers]);
        var policy = candidate.Policy;
        Assert.Equal((true, 60, 60, 480, 8, false),
            (policy.Enabled, policy.DefaultLifetimeInMinutes, policy.MinimumLifetimeInMinutes, policy.MaximumLifetimeInMinutes, policy.DefaultLength, policy.IsUsableOnce));
        Assert.Equal([new TapPolicyTarget("group", "all_users")], policy.IncludeTargets);
        Assert.Equal([new TapPolicyTarget("group", Seed.TapExcluded)], policy.ExcludeTargets);
    }

    [Fact]
    public async Task A_tap_candidate_shows_roles_groups_methods_and_requester_rights()
    {
        var isaiah = await people.GetTapCandidateAsync(Query(Seed.Isaiah, requester: Seed.Christie));
        var enrico = await people.GetTapCandidateAsync(Query("enrico.cattaneo@contoso.com"));
        var johanna = await people.GetTapCandidateAsync(Query(Seed.Johanna));

        Assert.True(isaiah.RequesterInRequestersGroup);
        Assert.Contains(isaiah.TargetRoles, r => r.RoleTemplateId == Seed.GlobalAdministrator && r.DisplayName == "Global Administrator");
        Assert.Contains(Seed.PrivilegedTapApprovers, isaiah.TargetGroupIds);
        Assert.Null(isaiah.TargetManagerId);
        Assert.Contains(Seed.TapExcluded, enrico.TargetGroupIds);
        Assert.Equal(Seed.Nestor, enrico.TargetManagerId);
        Assert.Equal(new[] { "fido2", "microsoftAuthenticator", "password" }, johanna.TargetMethodTypes.Order());
    }

    [Fact]
    public async Task A_role_graph_hides_still_counts_as_a_role()
    {
        fx.Tenant.State.DirectoryRoleDetailsVisible = false;

        var isaiah = await people.GetTapCandidateAsync(Query(Seed.Isaiah));

        var role = Assert.Single(isaiah.TargetRoles);
        Assert.Equal("", role.RoleTemplateId);
        Assert.Contains("RoleManagement.Read.Directory", role.DisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tap_candidate_for_a_guest_carries_the_guest_kind()
    {
        var joni = await people.GetTapCandidateAsync(Query(Seed.JoniUpn));
        var irvin = await people.GetTapCandidateAsync(Query(Seed.Irvin));

        Assert.Equal(UserKind.ExternalGuest, joni.Target!.Kind);
        Assert.Empty(joni.TargetMethodTypes);
        Assert.Equal(UserKind.InternalGuest, irvin.Target!.Kind);
        Assert.Equal(Seed.Megan, irvin.TargetManagerId);
    }

    [Fact]
    public async Task A_large_approver_group_is_read_past_the_first_page()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = $"a1000000-0000-4000-8000-{i:D12}";
            fx.Tenant.State.AddUser(new SimUser { Id = id, UserPrincipalName = $"approver{i}@contoso.com", DisplayName = $"Approver {i}" });
            fx.Tenant.State.AddGroupMember(Seed.TapApprovers, id);
        }
        fx.Tenant.RequestLog.Clear();

        var candidate = await people.GetTapCandidateAsync(Query(Seed.Diego));

        Assert.Equal(1002, candidate.ApproverIdsByGroup[Seed.TapApprovers].Count);
        Assert.Equal(2, fx.Tenant.RequestLog.RoundTrips); // the batch, then the second page of that one group
    }

    [Fact]
    public async Task A_missing_target_gives_a_null_target_not_an_exception()
    {
        var candidate = await people.GetTapCandidateAsync(Query("ghost@contoso.com"));

        Assert.Null(candidate.Target);
        Assert.Null(candidate.TargetManagerId);
        Assert.Empty(candidate.TargetMethodTypes);
        Assert.True(candidate.Policy.Enabled);
        Assert.Equal(2, candidate.ApproverIdsByGroup.Count);
    }

    [Fact]
    public async Task A_missing_approver_group_is_a_readable_not_found_error()
    {
        var missing = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<DirectoryException>(() =>
            people.GetTapCandidateAsync(new TapCandidateQuery(Seed.Megan, Seed.Diego, null, [missing])));

        Assert.Equal(DirectoryErrorKind.NotFound, error.Kind);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Tenant;

/// <summary>
/// Directory roles as role management sees them: definitions, active assignments (tenant-wide ones are the members of
/// the activated directoryRole objects, scoped ones are kept apart), PIM eligibilities, and administrative units.
/// </summary>
public sealed partial class TenantState
{
    private readonly Dictionary<string, SimRoleDefinition> roleDefinitions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SimAdministrativeUnit> administrativeUnits = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SimRoleAssignment> scopedAssignments = [];
    private readonly List<SimRoleEligibility> eligibilities = [];
    private readonly List<JsonObject> eligibilityRequests = [];

    public IReadOnlyList<SimRoleDefinition> RoleDefinitions
    {
        get
        {
            lock (Sync)
            {
                return roleDefinitions.Values.ToList();
            }
        }
    }

    public IReadOnlyList<SimAdministrativeUnit> AdministrativeUnits
    {
        get
        {
            lock (Sync)
            {
                return administrativeUnits.Values.ToList();
            }
        }
    }

    /// <summary>Every active assignment: tenant-wide ones (directory role members) and scoped ones.</summary>
    public IReadOnlyList<SimRoleAssignment> RoleAssignments
    {
        get
        {
            lock (Sync)
            {
                return RoleAssignmentsUnlocked();
            }
        }
    }

    /// <summary>Every PIM eligibility, current or expired.</summary>
    public IReadOnlyList<SimRoleEligibility> RoleEligibilities
    {
        get
        {
            lock (Sync)
            {
                return eligibilities.ToList();
            }
        }
    }

    /// <summary>
    /// Adds an active assignment without PIM (an admin's change in the portal). A tenant-wide one makes the principal a
    /// member of the directoryRole, activating the role if needed.
    /// </summary>
    public SimRoleAssignment AddRoleAssignment(string principalId, string roleDefinitionId, string directoryScopeId = "/")
    {
        lock (Sync)
        {
            if (directoryScopeId == "/")
            {
                AddTenantWideUnlocked(principalId, roleDefinitionId);
                return new SimRoleAssignment(RoleCatalog.AssignmentId(roleDefinitionId, principalId, "/"), principalId, roleDefinitionId, "/");
            }
            var assignment = new SimRoleAssignment(RoleCatalog.AssignmentId(roleDefinitionId, principalId, directoryScopeId),
                principalId, roleDefinitionId, directoryScopeId);
            scopedAssignments.RemoveAll(a => a.Id == assignment.Id);
            scopedAssignments.Add(assignment);
            return assignment;
        }
    }

    /// <summary>Adds a PIM eligibility (permanent unless an end is given).</summary>
    public SimRoleEligibility AddRoleEligibility(string principalId, string roleDefinitionId, string directoryScopeId = "/",
        DateTimeOffset? startDateTime = null, DateTimeOffset? endDateTime = null)
    {
        lock (Sync)
        {
            var now = Now;
            var eligibility = new SimRoleEligibility(Guid.NewGuid().ToString(), principalId, roleDefinitionId, directoryScopeId,
                startDateTime ?? now, endDateTime, now);
            eligibilities.Add(eligibility);
            return eligibility;
        }
    }

    public bool RemoveRoleEligibility(string principalId, string roleDefinitionId, string directoryScopeId = "/")
    {
        lock (Sync)
        {
            return eligibilities.RemoveAll(e => SameAssignment(e.PrincipalId, e.RoleDefinitionId, e.DirectoryScopeId,
                principalId, roleDefinitionId, directoryScopeId)) > 0;
        }
    }

    private void ResetRolesUnlocked(SeedData seed)
    {
        roleDefinitions.Clear();
        foreach (var definition in RoleCatalog.BuiltIn.Concat(seed.RoleDefinitions))
        {
            roleDefinitions[definition.Id] = definition;
        }
        foreach (var role in roles.Where(r => !roleDefinitions.ContainsKey(r.RoleTemplateId)))
        {
            roleDefinitions[role.RoleTemplateId] = new SimRoleDefinition(role.RoleTemplateId, role.DisplayName, role.Description);
        }
        administrativeUnits.Clear();
        foreach (var unit in seed.AdministrativeUnits)
        {
            administrativeUnits[unit.Id] = unit;
        }
        scopedAssignments.Clear();
        foreach (var assignment in seed.RoleAssignments)
        {
            if (assignment.DirectoryScopeId == "/")
            {
                AddTenantWideUnlocked(assignment.PrincipalId, assignment.RoleDefinitionId);
            }
            else
            {
                scopedAssignments.Add(assignment);
            }
        }
        eligibilities.Clear();
        eligibilities.AddRange(seed.RoleEligibilities);
        eligibilityRequests.Clear();
    }

    internal List<SimRoleAssignment> RoleAssignmentsUnlocked() =>
    [
        .. roles.SelectMany(r => r.MemberIds.Select(m => new SimRoleAssignment(RoleCatalog.AssignmentId(r.RoleTemplateId, m, "/"), m, r.RoleTemplateId, "/"))),
        .. scopedAssignments,
    ];

    internal List<SimRoleEligibility> EligibilitiesUnlocked => eligibilities;

    internal List<JsonObject> EligibilityRequestsUnlocked => eligibilityRequests;

    internal SimRoleDefinition? FindRoleDefinitionUnlocked(string id) => roleDefinitions.GetValueOrDefault(id);

    internal SimAdministrativeUnit? FindAdministrativeUnitUnlocked(string id) => administrativeUnits.GetValueOrDefault(id);

    /// <summary>A user or a group (role assignments name either), or null.</summary>
    internal object? FindPrincipalUnlocked(string id) => (object?)FindUserUnlocked(id) ?? FindGroupUnlocked(id);

    /// <summary>"/" or the scope of an existing administrative unit.</summary>
    internal bool IsKnownDirectoryScopeUnlocked(string directoryScopeId) =>
        directoryScopeId == "/"
        || (directoryScopeId.StartsWith("/administrativeUnits/", StringComparison.OrdinalIgnoreCase)
            && RoleCatalog.ScopeObjectId(directoryScopeId) is { } unitId && administrativeUnits.ContainsKey(unitId));

    /// <summary>The role-assignable groups the user is a direct member of (they can't be nested).</summary>
    internal List<SimGroup> RoleAssignableGroupsOf(string userId) =>
        groups.Values.Where(g => g.IsAssignableToRole && g.MemberIds.Contains(userId, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>Directory roles the user holds directly, tenant-wide and active (caller holds <see cref="Sync"/>).</summary>
    internal List<SimDirectoryRole> DirectRolesOf(string userId) =>
        roles.Where(r => r.MemberIds.Contains(userId, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>
    /// Directory roles the user holds tenant-wide and active, directly or through a role-assignable group; never
    /// scoped or merely eligible ones (caller holds <see cref="Sync"/>).
    /// </summary>
    internal List<SimDirectoryRole> RolesOf(string userId)
    {
        var holders = RoleAssignableGroupsOf(userId).Select(g => g.Id).Append(userId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return roles.Where(r => r.MemberIds.Any(holders.Contains)).ToList();
    }

    private void AddTenantWideUnlocked(string principalId, string roleDefinitionId)
    {
        var index = roles.FindIndex(r => string.Equals(r.RoleTemplateId, roleDefinitionId, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            var definition = roleDefinitions.GetValueOrDefault(roleDefinitionId)
                ?? throw new KeyNotFoundException($"No role definition {roleDefinitionId}.");
            roles.Add(new SimDirectoryRole(RoleCatalog.StableGuid("directoryRole", roleDefinitionId), roleDefinitionId, definition.DisplayName,
                definition.Description, [principalId]));
        }
        else if (!roles[index].MemberIds.Contains(principalId, StringComparer.OrdinalIgnoreCase))
        {
            roles[index] = roles[index] with { MemberIds = [.. roles[index].MemberIds, principalId] };
        }
    }

    private static bool SameAssignment(string principal, string role, string scope, string otherPrincipal, string otherRole, string otherScope) =>
        string.Equals(principal, otherPrincipal, StringComparison.OrdinalIgnoreCase)
        && string.Equals(role, otherRole, StringComparison.OrdinalIgnoreCase)
        && string.Equals(scope, otherScope, StringComparison.OrdinalIgnoreCase);
}

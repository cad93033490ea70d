using System.Security.Cryptography;
using System.Text;

namespace TeamsBot.DevTenant.Tenant;

/// <summary>
/// The built-in Microsoft Entra roles the simulated tenant knows (ids are the documented template ids, the same in
/// every tenant: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference), and the
/// ids Graph gives role assignments and eligibility instances.
/// </summary>
internal static class RoleCatalog
{
    public const string GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10";

    public static readonly IReadOnlyList<SimRoleDefinition> BuiltIn =
    [
        new(GlobalAdministrator, "Global Administrator",
            "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."),
        new("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator",
            "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management."),
        new("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator",
            "Can access to view, set and reset authentication method information for any user (admin or non-admin)."),
        new("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator",
            "Can access to view, set and reset authentication method information for any non-admin user."),
        new("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator",
            "Can manage all aspects of users and groups, including resetting passwords for limited admins."),
        new("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator",
            "Can reset passwords for non-administrators and Helpdesk Administrators."),
        new("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", "Can manage Conditional Access capabilities."),
        new("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator",
            "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365."),
        new("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader", "Can read everything that a Global Administrator can, but not update anything."),
    ];

    /// <summary>
    /// Graph's id for a tenant-wide assignment: the role definition id and the principal id (GUID bytes) base64url-encoded
    /// together, then "-1" (rbacapplication-list-roleassignments examples). Scoped assignments add the scope object's id.
    /// </summary>
    public static string AssignmentId(string roleDefinitionId, string principalId, string directoryScopeId) =>
        Encode(roleDefinitionId, principalId, ScopeObjectId(directoryScopeId)) + "-1";

    /// <summary>The id of an eligibility's schedule instance: as above with "-1-e" (rbacapplication-list-roleeligibilityscheduleinstances).</summary>
    public static string EligibilityInstanceId(string roleDefinitionId, string principalId, string directoryScopeId) =>
        Encode(roleDefinitionId, principalId, ScopeObjectId(directoryScopeId)) + "-1-e";

    /// <summary>A GUID that is the same for the same inputs, so ids survive a reset.</summary>
    public static string StableGuid(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', parts)));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    /// <summary>"/administrativeUnits/{id}" gives the unit's id; "/" gives null.</summary>
    public static string? ScopeObjectId(string directoryScopeId)
    {
        var parts = directoryScopeId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 ? parts[1] : null;
    }

    private static string Encode(params string?[] ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids.OfType<string>())
        {
            bytes.AddRange(Guid.TryParse(id, out var guid) ? guid.ToByteArray() : Encoding.UTF8.GetBytes(id));
        }
        return Convert.ToBase64String(bytes.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

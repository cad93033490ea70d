namespace TeamsBot.DevTenant.Tenant;

/// <summary>A user of the simulated tenant. Immutable: changes replace the record.</summary>
public sealed record SimUser
{
    public required string Id { get; init; }
    public required string UserPrincipalName { get; init; }
    public required string DisplayName { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string? Mail { get; init; }
    public string? Department { get; init; }
    public string? JobTitle { get; init; }
    public string? OfficeLocation { get; init; }
    public string? MobilePhone { get; init; }
    public string? UsageLocation { get; init; }

    /// <summary>"Member" or "Guest".</summary>
    public string UserType { get; init; } = "Member";

    public bool AccountEnabled { get; init; } = true;

    /// <summary>"Invitation" for B2B invited users, else null.</summary>
    public string? CreationType { get; init; }

    /// <summary>"PendingAcceptance" or "Accepted" for invited users, else null.</summary>
    public string? ExternalUserState { get; init; }

    public DateTimeOffset? ExternalUserStateChangeDateTime { get; init; }

    /// <summary>The tenant an external user signs in at (for CA externalTenants).</summary>
    public string? HomeTenantId { get; init; }

    public IReadOnlyList<SimIdentity> Identities { get; init; } = [];
    public DateTimeOffset? EmployeeHireDate { get; init; }
    public DateTimeOffset CreatedDateTime { get; init; }
    public string? ManagerId { get; init; }
    public IReadOnlyList<SimAuthMethod> Methods { get; init; } = [];

    /// <summary>
    /// Why Teams refuses to install apps for the user (no Teams licence, the app blocked by policy...), or null. Installing
    /// the bot for such a user answers 403 with this text.
    /// </summary>
    public string? TeamsAppInstallBlocked { get; init; }

    /// <summary>Signs in somewhere else (B2B invitation, external state or a federated identity).</summary>
    public bool IsExternal =>
        string.Equals(CreationType, "Invitation", StringComparison.OrdinalIgnoreCase)
        || ExternalUserState is not null
        || Identities.Any(i => string.Equals(i.SignInType, "federated", StringComparison.OrdinalIgnoreCase));

    public bool IsGuest => string.Equals(UserType, "Guest", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Conditional Access guestOrExternalUserTypes flag the user falls under, or null for a plain member.</summary>
    public string? GuestOrExternalUserType => (IsGuest, IsExternal) switch
    {
        (true, true) => "b2bCollaborationGuest",
        (true, false) => "internalGuest",
        (false, true) => "b2bCollaborationMember",
        _ => null,
    };
}

public sealed record SimIdentity(string SignInType, string Issuer, string? IssuerAssignedId);

/// <summary>
/// A registered authentication method; <see cref="Type"/> is Graph's short name (password, fido2, microsoftAuthenticator,
/// phone, email...). For a phone, <see cref="DisplayName"/> is the number and <see cref="PhoneType"/> mobile, alternateMobile or office.
/// </summary>
public sealed record SimAuthMethod(string Id, string Type, string? DisplayName, DateTimeOffset CreatedDateTime, string? PhoneType = null)
{
    /// <summary>Graph's fixed phone method ids, one per phoneType (https://learn.microsoft.com/graph/api/resources/phoneauthenticationmethod).</summary>
    public static string PhoneMethodId(string phoneType) => phoneType switch
    {
        "alternateMobile" => "b6332ec1-7057-4abe-9331-3d72feddfe41",
        "office" => "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        _ => "3179e48a-750b-4051-897c-87b9720928f7",
    };
}

/// <summary>
/// A security group; members are user or group ids. Only a role-assignable group (<paramref name="IsAssignableToRole"/>)
/// can hold a directory role.
/// </summary>
public sealed record SimGroup(string Id, string DisplayName, string? Description, IReadOnlyList<string> MemberIds, bool IsAssignableToRole = false);

/// <summary>
/// An activated directory role and its members: users and role-assignable groups holding it tenant-wide and active
/// (each member is a unifiedRoleAssignment with directoryScopeId "/").
/// </summary>
public sealed record SimDirectoryRole(string Id, string RoleTemplateId, string DisplayName, string? Description, IReadOnlyList<string> MemberIds);

/// <summary>A role definition (built-in roles have id = templateId).</summary>
public sealed record SimRoleDefinition(string Id, string DisplayName, string? Description, bool IsBuiltIn = true);

/// <summary>An administrative unit, the scope of scoped role assignments ("/administrativeUnits/{id}").</summary>
public sealed record SimAdministrativeUnit(string Id, string DisplayName, string? Description, IReadOnlyList<string> MemberIds);

/// <summary>An active role assignment (a unifiedRoleAssignment); <see cref="DirectoryScopeId"/> is "/" or "/administrativeUnits/{id}".</summary>
public sealed record SimRoleAssignment(string Id, string PrincipalId, string RoleDefinitionId, string DirectoryScopeId);

/// <summary>A PIM eligibility: the principal may activate the role in the scope between the two dates (no end: permanent).</summary>
public sealed record SimRoleEligibility(string Id, string PrincipalId, string RoleDefinitionId, string DirectoryScopeId,
    DateTimeOffset StartDateTime, DateTimeOffset? EndDateTime, DateTimeOffset CreatedDateTime)
{
    public bool IsCurrent(DateTimeOffset now) => EndDateTime is not { } end || end > now;
}

/// <summary>A user's Temporary Access Pass method. The pass itself is never kept.</summary>
public sealed record SimTap(string Id, DateTimeOffset CreatedDateTime, DateTimeOffset StartDateTime, int LifetimeInMinutes, bool IsUsableOnce,
    bool Used = false);

public sealed record TapTarget(string TargetType, string Id, bool IsRegistrationRequired = false);

/// <summary>The temporaryAccessPassAuthenticationMethodConfiguration.</summary>
public sealed record TapMethodPolicy(
    string State,
    int DefaultLifetimeInMinutes,
    int MinimumLifetimeInMinutes,
    int MaximumLifetimeInMinutes,
    int DefaultLength,
    bool IsUsableOnce,
    IReadOnlyList<TapTarget> IncludeTargets,
    IReadOnlyList<TapTarget> ExcludeTargets)
{
    public bool Enabled => string.Equals(State, "enabled", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The bot's Teams app in the organization's app catalog.</summary>
/// <param name="Id">The catalog-generated teamsApp id (what teamsApp@odata.bind names).</param>
/// <param name="ExternalId">The id from the app manifest.</param>
/// <param name="AzureADAppId">The bot's Entra app id.</param>
public sealed record SimTeamsApp(string Id, string ExternalId, string DisplayName, string Version, string AzureADAppId);

/// <summary>The app installed in a user's personal scope.</summary>
public sealed record SimTeamsAppInstallation(string UserId, string Id, string ChatId, DateTimeOffset InstalledDateTime);

/// <summary>An authentication strength policy (policyType builtIn or custom); combinations are written without spaces.</summary>
public sealed record SimAuthStrength(string Id, string DisplayName, string? Description, string PolicyType, IReadOnlyList<string> AllowedCombinations,
    DateTimeOffset CreatedDateTime, DateTimeOffset ModifiedDateTime);

using TeamsBot.Errors;

namespace TeamsBot.Directory;

// The narrow ports through which the bot reaches the tenant. Only the Graph gateway in this folder knows
// Microsoft Graph types; everything else speaks these records.

/// <summary>People, managers and group membership.</summary>
public interface IPeopleDirectory
{
    /// <summary>A user by object id or UPN, or null when none exists.</summary>
    Task<DirectoryUser?> FindUserAsync(string idOrUpn, CancellationToken ct = default);

    Task<IReadOnlyList<DirectoryUser>> GetDirectReportsAsync(string managerId, CancellationToken ct = default);

    /// <summary>The subset of <paramref name="groupIds"/> the user belongs to, transitively.</summary>
    Task<IReadOnlySet<string>> CheckMemberGroupsAsync(string userId, IReadOnlyCollection<string> groupIds, CancellationToken ct = default);

    /// <summary>The ids of the users in a group, transitively.</summary>
    Task<IReadOnlyList<string>> GetGroupUserIdsAsync(string groupId, CancellationToken ct = default);

    /// <summary>What the TAP request form shows: the requester's direct reports and the TAP policy, in one Graph $batch.</summary>
    Task<TapFormFacts> GetTapFormFactsAsync(string requesterId, CancellationToken ct = default);

    /// <summary>Everything a TAP request is decided on, read in one Graph $batch.</summary>
    Task<TapCandidate> GetTapCandidateAsync(TapCandidateQuery query, CancellationToken ct = default);

    /// <summary>
    /// The same for several people at once (an onboarding batch), in order: what they share read once, in Graph $batch
    /// calls of at most 20 requests.
    /// </summary>
    Task<IReadOnlyList<TapCandidate>> GetTapCandidatesAsync(TapCandidatesQuery query, CancellationToken ct = default);

    /// <summary>
    /// What people call the users and groups behind object ids ("Emergency Access 1 (ea1@contoso.com)", "Emergency
    /// Access Accounts (group)"), read in $batch round trips; ids the directory doesn't know are left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> objectIds, CancellationToken ct = default);
}

/// <summary>Temporary Access Pass methods of a user.</summary>
public interface ITemporaryAccessPasses
{
    /// <summary>Creates a pass (replacing any existing one). The pass value is in the result only.</summary>
    Task<IssuedPass> CreateAsync(string userId, TapIssueOptions options, CancellationToken ct = default);

    /// <summary>The user's pass methods, without pass values.</summary>
    Task<IReadOnlyList<TapMethod>> ListAsync(string userId, CancellationToken ct = default);

    /// <summary>Deletes a pass method; false when it no longer exists.</summary>
    Task<bool> DeleteAsync(string userId, string methodId, CancellationToken ct = default);
}

/// <summary>The sign-in methods users have registered (the authentication methods API).</summary>
public interface IAuthenticationMethods
{
    /// <summary>
    /// Each user's methods, all users read in Graph $batch calls of at most 20 (one round trip for up to 20 users). A
    /// user Graph gave no list for (deleted, refused, throttled past the retries) is missing from the result.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<RegisteredMethod>>> ListForUsersAsync(IReadOnlyCollection<string> userIds,
        CancellationToken ct = default);
}

/// <summary>The bot's Teams app, installed for a user so that the bot may message them first.</summary>
public interface ITeamsAppInstallations
{
    /// <summary>Installs the app (<paramref name="teamsAppId"/>: its id in the organization's app catalog) for the user.</summary>
    Task<AppInstallResult> InstallForUserAsync(string userId, string teamsAppId, CancellationToken ct = default);
}

public enum AppInstall { Installed, AlreadyInstalled, Refused }

/// <summary>What installing came to; a refusal says why (no Teams licence, the app blocked by policy...).</summary>
public sealed record AppInstallResult(AppInstall Outcome, string? Reason = null);

/// <summary>The tenant's Temporary Access Pass method policy.</summary>
public interface ITapPolicySource
{
    Task<TapPolicy> GetAsync(CancellationToken ct = default);
}

/// <summary>One Conditional Access policy: read, create, update (the lists come with the status, <see cref="IPolicyEvidence"/>).</summary>
public interface IConditionalAccess
{
    Task<CaPolicyDocument?> GetPolicyAsync(string id, CancellationToken ct = default);
    /// <summary>Creates a policy from a Graph-shaped body (writable fields only).</summary>
    Task<CaPolicyDocument> CreatePolicyAsync(JsonObject body, CancellationToken ct = default);
    /// <summary>PATCHes the given fields.</summary>
    Task UpdatePolicyAsync(string id, JsonObject patch, CancellationToken ct = default);
}

/// <summary>Conditional Access What-If evaluation.</summary>
public interface IWhatIfEvaluator
{
    /// <summary>Each query's evaluation, in order, in one Graph $batch (at most 20 queries per round trip).</summary>
    Task<IReadOnlyList<IReadOnlyList<WhatIfResult>>> EvaluateAllAsync(IReadOnlyList<WhatIfQuery> queries, CancellationToken ct = default);
}

/// <summary>The directory audit log: who changed a Conditional Access policy.</summary>
public interface IDirectoryAudits
{
    /// <summary>The newest changes to one Conditional Access policy (category Policy, the policy as target), newest first.</summary>
    Task<IReadOnlyList<PolicyChange>> ListPolicyChangesAsync(string policyId, int top, CancellationToken ct = default);
}

/// <summary>
/// One audited change to a policy: by a person (<see cref="UserName"/>) or an app (<see cref="AppName"/>).
/// <see cref="ByThisBot"/>: the bot's own change (its app id; without one, in local mode, every app's change).
/// </summary>
public sealed record PolicyChange(DateTimeOffset At, string Activity, string? UserName, string? UserPrincipalName, string? AppId, string? AppName,
    bool ByThisBot)
{
    /// <summary>"Lee Gu (lee.gu@contoso.com)", "the app Automation".</summary>
    public string Actor => UserName is not null || UserPrincipalName is not null
        ? $"{UserName ?? UserPrincipalName}{(UserName is not null && UserPrincipalName is not null ? $" ({UserPrincipalName})" : "")}"
        : $"the app {AppName ?? AppId ?? "(unnamed)"}";
}

/// <summary>
/// What the registration-policy status is made of, read in as few Graph round trips as the data allows: one $batch for
/// the tenant's state, one for the evidence (What-If and sign-ins) that depends on it.
/// </summary>
public interface IPolicyEvidence
{
    /// <summary>The Conditional Access policies, the named locations, the authentication strengths and the TAP method policy, in one $batch.</summary>
    Task<PolicyContext> GetContextAsync(CancellationToken ct = default);

    /// <summary>What-If for each query, and sign-in tallies for each policy id since a time, in one $batch.</summary>
    Task<PolicyEvidenceResult> GetEvidenceAsync(IReadOnlyList<WhatIfQuery> whatIf, IReadOnlyList<string> signInPolicyIds, DateTimeOffset since,
        CancellationToken ct = default);
}

public sealed record PolicyContext(IReadOnlyList<CaPolicyDocument> Policies, IReadOnlyList<NamedLocation> Locations, TapPolicy TapPolicy,
    IReadOnlyList<AuthenticationStrength> Strengths);

/// <summary>
/// An authentication strength policy (built-in or custom): which method combinations satisfy it, in Graph's
/// authenticationMethodModes ("temporaryAccessPassOneTime", "password,sms"...).
/// </summary>
public sealed record AuthenticationStrength(string Id, string DisplayName, string PolicyType, IReadOnlyList<string> AllowedCombinations);

public sealed record PolicyEvidenceResult(IReadOnlyList<IReadOnlyList<WhatIfResult>> WhatIf, IReadOnlyDictionary<string, SignInTally> SignIns);

public enum UserKind { Member, InternalGuest, ExternalGuest }

public sealed record DirectoryUser(
    string Id,
    string UserPrincipalName,
    string DisplayName,
    string? Mail,
    string? Department,
    string? JobTitle,
    UserKind Kind,
    bool AccountEnabled,
    DateTimeOffset? EmployeeHireDate);

/// <summary>
/// A directory role the user holds, by role template id: active or PIM-eligible (one activation away), tenant-wide or
/// scoped to an administrative unit. An empty template id is a role Graph would not describe (the app lacks
/// RoleManagement.Read.Directory): treat it as privileged.
/// </summary>
public sealed record DirectoryRoleHolding(string RoleTemplateId, string DisplayName, bool Eligible = false, bool Scoped = false)
{
    /// <summary>"Global Administrator (eligible)", "Helpdesk Administrator (in an administrative unit)".</summary>
    public string Description => DisplayName + (Eligible && Scoped ? " (eligible, in an administrative unit)"
        : Eligible ? " (eligible)" : Scoped ? " (in an administrative unit)" : "");
}

/// <summary>
/// Who asks for whom. <paramref name="WithRegistrationContext"/> also reads, in the same round trip, what decides
/// whether the person could register with a pass: the named locations and the authentication strengths.
/// </summary>
public sealed record TapCandidateQuery(
    string RequesterId,
    string TargetIdOrUpn,
    string? RequestersGroupId,
    IReadOnlyList<string> ApproverGroupIds,
    bool WithRegistrationContext = false);

/// <summary>Who asks for several people at once (see <see cref="TapCandidateQuery"/>).</summary>
public sealed record TapCandidatesQuery(
    string RequesterId,
    IReadOnlyList<string> TargetIdsOrUpns,
    string? RequestersGroupId,
    IReadOnlyList<string> ApproverGroupIds,
    bool WithRegistrationContext = false);

/// <summary>
/// The facts about a TAP request's target and requester, read together. TargetMethodTypes holds Graph's method names
/// without prefix and suffix ("password", "microsoftAuthenticator", "fido2", "temporaryAccessPass"...).
/// </summary>
public sealed record TapCandidate(
    DirectoryUser? Target,
    string? TargetManagerId,
    IReadOnlySet<string> TargetGroupIds,
    IReadOnlyList<DirectoryRoleHolding> TargetRoles,
    IReadOnlyList<string> TargetMethodTypes,
    TapPolicy Policy,
    bool RequesterInRequestersGroup,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ApproverIdsByGroup,
    RegistrationContext? Registration = null);

/// <summary>
/// The tenant's named locations and authentication strengths: where a What-If of "register security information" is
/// asked from, and which strengths a pass satisfies. Null parts could not be read (the check then says so).
/// </summary>
public sealed record RegistrationContext(IReadOnlyList<NamedLocation>? Locations, IReadOnlyList<AuthenticationStrength>? Strengths);

public sealed record TapFormFacts(IReadOnlyList<DirectoryUser> DirectReports, TapPolicy Policy);

/// <summary>
/// A registered method: its Graph type without prefix and suffix ("microsoftAuthenticator", "fido2", "phone",
/// "password", "temporaryAccessPass"...) and when it was registered, where Graph says.
/// </summary>
public sealed record RegisteredMethod(string Id, string Type, DateTimeOffset? CreatedDateTime);

public sealed record TapIssueOptions(DateTimeOffset? StartDateTime, int LifetimeInMinutes, bool IsUsableOnce);

/// <summary>A pass just created. <see cref="Pass"/> exists only here: never log or store it.</summary>
public sealed record IssuedPass(string MethodId, string Pass, DateTimeOffset CreatedDateTime, DateTimeOffset StartDateTime,
    int LifetimeInMinutes, bool IsUsableOnce)
{
    // Records print their members; a pass must never reach a log through ToString.
    public override string ToString() => $"IssuedPass {{ MethodId = {MethodId}, Pass = ***, StartDateTime = {StartDateTime:O} }}";
}

public sealed record TapMethod(string Id, DateTimeOffset? CreatedDateTime, DateTimeOffset? StartDateTime, int LifetimeInMinutes,
    bool IsUsableOnce, bool IsUsable, string? MethodUsabilityReason);

public sealed record TapPolicyTarget(string TargetType, string Id);

public sealed record TapPolicy(
    bool Enabled,
    int DefaultLifetimeInMinutes,
    int MinimumLifetimeInMinutes,
    int MaximumLifetimeInMinutes,
    int DefaultLength,
    bool IsUsableOnce,
    IReadOnlyList<TapPolicyTarget> IncludeTargets,
    IReadOnlyList<TapPolicyTarget> ExcludeTargets);

/// <summary>A Conditional Access policy as Graph returns it, cleaned of @odata annotations.</summary>
public sealed record CaPolicyDocument(string Id, string DisplayName, string State, DateTimeOffset? CreatedDateTime,
    DateTimeOffset? ModifiedDateTime, JsonObject Body);

public sealed record NamedLocation(string Id, string DisplayName, string Kind, bool IsTrusted, IReadOnlyList<string> IpRanges,
    IReadOnlyList<string> Countries);

public sealed record WhatIfQuery(string UserId, string IpAddress, string? Country = null,
    string UserAction = "registerSecurityInformation", string ClientAppType = "browser", string DevicePlatform = "windows");

/// <summary>
/// One policy's What-If answer. <paramref name="GrantOperator"/> ("AND"/"OR") and <paramref name="AuthenticationStrengthId"/>
/// come from the policy's grant controls, which the answer carries (whatIfAnalysisResult inherits conditionalAccessPolicy).
/// </summary>
public sealed record WhatIfResult(string PolicyId, string DisplayName, string State, bool PolicyApplies,
    IReadOnlyList<string> BuiltInControls, string? AnalysisReasons, string? GrantOperator = null, string? AuthenticationStrengthId = null);

public sealed record SignInTally(int Total, IReadOnlyDictionary<string, int> ByResult, bool Available, string? UnavailableReason);

public enum DirectoryErrorKind { NotFound, BadRequest, Forbidden, Throttled, Unavailable, Refused, Conflict, Unknown }

/// <summary>A Graph failure translated for people: <see cref="Exception.Message"/> is safe to show a user.</summary>
public sealed class DirectoryException(DirectoryErrorKind kind, string message, string? graphCode = null, string? requestId = null,
    int? statusCode = null, Exception? inner = null) : UserFacingException(message, inner)
{
    public DirectoryErrorKind Kind { get; } = kind;
    public string? GraphCode { get; } = graphCode;
    public string? RequestId { get; } = requestId;
    public int? StatusCode { get; } = statusCode;

    public override string LogText => $"Directory error {Kind} {GraphCode} (request {RequestId})";
}

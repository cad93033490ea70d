using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Users;

/// <summary>Graph's JSON for users, groups and directory roles, with their property catalogs.</summary>
internal static class DirectoryJson
{
    /// <summary>What GET /users/{id} returns without $select.</summary>
    public static readonly string[] UserDefaults =
        ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname",
         "userPrincipalName", "id"];

    /// <summary>Every user property the simulated tenant knows; others are refused in $select like Graph does.</summary>
    public static readonly string[] UserProperties =
        [.. UserDefaults, "accountEnabled", "userType", "department", "employeeHireDate", "creationType", "externalUserState",
         "externalUserStateChangeDateTime", "identities", "createdDateTime", "usageLocation", "companyName", "employeeId", "employeeType",
         "otherMails", "proxyAddresses", "mailNickname", "onPremisesSyncEnabled", "showInAddressList", "city", "country", "state",
         "streetAddress", "postalCode", "ageGroup", "deletedDateTime", "employeeLeaveDateTime", "signInSessionsValidFromDateTime"];

    public static readonly string[] GroupProperties =
        ["id", "displayName", "description", "mailEnabled", "securityEnabled", "groupTypes", "mailNickname", "mail", "createdDateTime",
         "deletedDateTime", "visibility", "isAssignableToRole"];

    public static readonly string[] RoleProperties = ["id", "displayName", "description", "roleTemplateId", "deletedDateTime"];

    public static JsonObject User(SimUser user) => new()
    {
        ["@odata.type"] = "#microsoft.graph.user",
        ["id"] = user.Id,
        ["businessPhones"] = new JsonArray(),
        ["displayName"] = user.DisplayName,
        ["givenName"] = user.GivenName,
        ["jobTitle"] = user.JobTitle,
        ["mail"] = user.Mail,
        ["mobilePhone"] = user.MobilePhone,
        ["officeLocation"] = user.OfficeLocation,
        ["preferredLanguage"] = user.IsGuest && user.IsExternal ? null : "en-US",
        ["surname"] = user.Surname,
        ["userPrincipalName"] = user.UserPrincipalName,
        ["accountEnabled"] = user.AccountEnabled,
        ["userType"] = user.UserType,
        ["department"] = user.Department,
        ["employeeHireDate"] = user.EmployeeHireDate is { } hire ? SeedLoader.Format(hire) : null,
        ["creationType"] = user.CreationType,
        ["externalUserState"] = user.ExternalUserState,
        ["externalUserStateChangeDateTime"] = user.ExternalUserStateChangeDateTime is { } changed ? SeedLoader.Format(changed) : null,
        ["identities"] = new JsonArray(user.Identities.Select(i => (JsonNode)new JsonObject
        {
            ["signInType"] = i.SignInType,
            ["issuer"] = i.Issuer,
            ["issuerAssignedId"] = i.IssuerAssignedId,
        }).ToArray()),
        ["createdDateTime"] = SeedLoader.Format(user.CreatedDateTime),
        ["usageLocation"] = user.UsageLocation,
        ["companyName"] = null,
        ["employeeId"] = null,
        ["employeeType"] = null,
        ["otherMails"] = new JsonArray(),
        ["proxyAddresses"] = user.Mail is null ? new JsonArray() : new JsonArray($"SMTP:{user.Mail}"),
        ["mailNickname"] = user.UserPrincipalName.Split('@')[0],
        ["onPremisesSyncEnabled"] = null,
        ["showInAddressList"] = null,
        ["city"] = null,
        ["country"] = null,
        ["state"] = null,
        ["streetAddress"] = null,
        ["postalCode"] = null,
        ["ageGroup"] = null,
        ["deletedDateTime"] = null,
        ["employeeLeaveDateTime"] = null,
        ["signInSessionsValidFromDateTime"] = SeedLoader.Format(user.CreatedDateTime),
    };

    public static JsonObject Group(SimGroup group) => new()
    {
        ["@odata.type"] = "#microsoft.graph.group",
        ["id"] = group.Id,
        ["displayName"] = group.DisplayName,
        ["description"] = group.Description,
        ["mailEnabled"] = false,
        ["securityEnabled"] = true,
        ["groupTypes"] = new JsonArray(),
        ["mailNickname"] = group.DisplayName.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant(),
        ["mail"] = null,
        ["createdDateTime"] = null,
        ["deletedDateTime"] = null,
        ["visibility"] = null,
        ["isAssignableToRole"] = group.IsAssignableToRole,
    };

    public static JsonObject Role(SimDirectoryRole role) => new()
    {
        ["@odata.type"] = "#microsoft.graph.directoryRole",
        ["id"] = role.Id,
        ["displayName"] = role.DisplayName,
        ["description"] = role.Description,
        ["roleTemplateId"] = role.RoleTemplateId,
        ["deletedDateTime"] = null,
    };

    /// <summary>A directory object inside a mixed collection, trimmed by $select where given.</summary>
    public static JsonObject Member(object member, string[]? selected) => member switch
    {
        SimUser user => Http.ODataQuery.Project(User(user), selected, UserDefaults),
        SimGroup group => Http.ODataQuery.Project(Group(group), selected, GroupProperties),
        SimDirectoryRole role => Http.ODataQuery.Project(Role(role), selected, RoleProperties),
        _ => throw new ArgumentOutOfRangeException(nameof(member)),
    };
}

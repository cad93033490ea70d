using Microsoft.Graph.Models;

namespace TeamsBot.Directory;

/// <summary>From Graph models to the directory records the rest of the bot uses.</summary>
internal static class DirectoryMapping
{
    /// <summary>The user properties every read asks for ($select: userType and accountEnabled come only when selected).</summary>
    public static readonly string[] UserSelect =
        ["id", "userPrincipalName", "displayName", "mail", "department", "jobTitle", "userType", "accountEnabled", "employeeHireDate",
         "creationType", "externalUserState", "identities"];

    public static DirectoryUser ToDirectoryUser(User user) => new(
        user.Id ?? "",
        user.UserPrincipalName ?? "",
        user.DisplayName ?? user.UserPrincipalName ?? "",
        user.Mail,
        user.Department,
        user.JobTitle,
        KindOf(user),
        user.AccountEnabled ?? true,
        user.EmployeeHireDate);

    /// <summary>
    /// Guests who sign in elsewhere (B2B invitation, an external state, a federated identity) are external; other
    /// guests have local credentials and are internal. userType can be null on very old accounts: they are members.
    /// </summary>
    public static UserKind KindOf(User user)
    {
        if (!string.Equals(user.UserType, "Guest", StringComparison.OrdinalIgnoreCase))
        {
            return UserKind.Member;
        }
        var external = string.Equals(user.CreationType, "Invitation", StringComparison.OrdinalIgnoreCase)
            || !string.IsNullOrEmpty(user.ExternalUserState)
            || (user.Identities ?? []).Any(i => string.Equals(i.SignInType, "federated", StringComparison.OrdinalIgnoreCase)
                || string.Equals(i.Issuer, "ExternalAzureAD", StringComparison.OrdinalIgnoreCase)
                || string.Equals(i.Issuer, "MicrosoftAccount", StringComparison.OrdinalIgnoreCase));
        return external ? UserKind.ExternalGuest : UserKind.InternalGuest;
    }

    /// <summary>"#microsoft.graph.fido2AuthenticationMethod" becomes "fido2".</summary>
    public static string MethodType(AuthenticationMethod method)
    {
        var type = method.OdataType ?? "";
        const string Prefix = "#microsoft.graph.", Suffix = "AuthenticationMethod";
        if (type.StartsWith(Prefix, StringComparison.Ordinal))
        {
            type = type[Prefix.Length..];
        }
        if (type.EndsWith(Suffix, StringComparison.Ordinal))
        {
            type = type[..^Suffix.Length];
        }
        return type;
    }

    public static TapPolicy ToTapPolicy(AuthenticationMethodConfiguration? configuration)
    {
        if (configuration is not TemporaryAccessPassAuthenticationMethodConfiguration tap)
        {
            throw new DirectoryException(DirectoryErrorKind.Unknown,
                "Microsoft Graph returned something other than the Temporary Access Pass method policy.");
        }
        return new TapPolicy(
            tap.State == AuthenticationMethodState.Enabled,
            tap.DefaultLifetimeInMinutes ?? 60,
            tap.MinimumLifetimeInMinutes ?? 60,
            tap.MaximumLifetimeInMinutes ?? 480,
            tap.DefaultLength ?? 8,
            tap.IsUsableOnce ?? false,
            (tap.IncludeTargets ?? []).Select(t => new TapPolicyTarget(TargetType(t.TargetType), t.Id ?? "")).ToList(),
            (tap.ExcludeTargets ?? []).Select(t => new TapPolicyTarget(TargetType(t.TargetType), t.Id ?? "")).ToList());
    }

    private static string TargetType(AuthenticationMethodTargetType? type) =>
        type is { } value ? GraphEnums.WireName(value) : "group";

    public static TapMethod ToTapMethod(TemporaryAccessPassAuthenticationMethod method) => new(
        method.Id ?? "",
        method.CreatedDateTime,
        method.StartDateTime,
        method.LifetimeInMinutes ?? 0,
        method.IsUsableOnce ?? false,
        method.IsUsable ?? false,
        method.MethodUsabilityReason);
}

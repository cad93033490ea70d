namespace TeamsBot.DevTenant.Tenant;

/// <summary>Authentication methods a user registers (Graph can create phones only; the rest come through here).</summary>
public sealed partial class TenantState
{
    /// <summary>The method types a user registers on their own device, which Graph can't create for them.</summary>
    public static readonly IReadOnlyList<string> UserRegisteredMethodTypes = ["microsoftAuthenticator", "fido2"];

    /// <summary>
    /// Registers a Microsoft Authenticator or FIDO2 method for the user, as the user would at aka.ms/mysecurityinfo;
    /// created now unless a date is given.
    /// </summary>
    public SimAuthMethod AddAuthenticationMethod(string userIdOrUpn, string type, string? displayName, DateTimeOffset? createdDateTime = null)
    {
        if (!UserRegisteredMethodTypes.Contains(type, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{type}' is not one of {string.Join(", ", UserRegisteredMethodTypes)}.", nameof(type));
        }
        lock (Sync)
        {
            var user = FindUserUnlocked(userIdOrUpn) ?? throw new KeyNotFoundException($"No user {userIdOrUpn}.");
            var method = new SimAuthMethod(Guid.NewGuid().ToString(), type, displayName, createdDateTime ?? Now);
            AddMethodUnlocked(user, method);
            return method;
        }
    }

    internal void AddMethodUnlocked(SimUser user, SimAuthMethod method) =>
        users[user.Id] = user with { Methods = [.. user.Methods, method] };
}

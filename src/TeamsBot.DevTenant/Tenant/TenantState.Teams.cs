namespace TeamsBot.DevTenant.Tenant;

/// <summary>
/// The bot's Teams app and the users it is installed for (personal scope). A local Bot Connector can ask
/// <see cref="IsTeamsAppInstalled"/> before it lets the bot open a 1:1 conversation, as Teams does.
/// </summary>
public sealed partial class TenantState
{
    /// <summary>The catalog app when the seed names none.</summary>
    public const string DefaultTeamsAppId = "7b3f0c4d-2e1a-4b5c-8d9e-0f1a2b3c4d5e";

    /// <summary>The manifest id when the seed names none.</summary>
    public const string DefaultTeamsAppExternalId = "c2d4e6f8-0a1b-4c3d-9e5f-6a7b8c9d0e1f";

    private readonly Dictionary<string, SimTeamsAppInstallation> installations = new(StringComparer.OrdinalIgnoreCase);

    public SimTeamsApp TeamsApp { get; private set; } = null!;

    public IReadOnlyList<SimTeamsAppInstallation> TeamsAppInstallations
    {
        get
        {
            lock (Sync)
            {
                return installations.Values.OrderBy(i => i.InstalledDateTime).ToList();
            }
        }
    }

    /// <summary>Whether the bot's app is installed for the user (object id or UPN).</summary>
    public bool IsTeamsAppInstalled(string userIdOrUpn)
    {
        lock (Sync)
        {
            return FindUserUnlocked(userIdOrUpn) is { } user && installations.ContainsKey(user.Id);
        }
    }

    /// <summary>
    /// Installs the app for the user as an admin or the user would in Teams (no licence or policy check); returns the
    /// installation, the existing one if there is one already.
    /// </summary>
    public SimTeamsAppInstallation InstallTeamsApp(string userIdOrUpn)
    {
        lock (Sync)
        {
            var user = FindUserUnlocked(userIdOrUpn) ?? throw new KeyNotFoundException($"No user {userIdOrUpn}.");
            return installations.TryGetValue(user.Id, out var existing) ? existing : InstallUnlocked(user.Id);
        }
    }

    /// <summary>Removes the app for the user; false when it was not installed.</summary>
    public bool UninstallTeamsApp(string userIdOrUpn)
    {
        lock (Sync)
        {
            return FindUserUnlocked(userIdOrUpn) is { } user && installations.Remove(user.Id);
        }
    }

    internal SimTeamsAppInstallation? InstallationOfUnlocked(string userId) => installations.GetValueOrDefault(userId);

    internal SimTeamsAppInstallation InstallUnlocked(string userId)
    {
        var installation = new SimTeamsAppInstallation(userId, InstallationId(userId, TeamsApp.Id),
            $"19:{TeamsApp.AzureADAppId}_{userId}@unq.gbl.spaces", Now);
        installations[userId] = installation;
        return installation;
    }

    internal bool RemoveInstallationUnlocked(string userId) => installations.Remove(userId);

    /// <summary>Graph's installation ids are "{userId}##{teamsAppId}" base64-encoded (userteamwork-list-installedapps examples).</summary>
    internal static string InstallationId(string userId, string teamsAppId) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{userId}##{teamsAppId}"));

    private void ResetTeamsUnlocked(SeedData seed)
    {
        var app = seed.TeamsApp;
        TeamsApp = new SimTeamsApp(
            (string?)app?["id"] ?? DefaultTeamsAppId,
            (string?)app?["externalId"] ?? DefaultTeamsAppExternalId,
            (string?)app?["displayName"] ?? "TeamsBot",
            (string?)app?["version"] ?? "1.0.0",
            (string?)app?["azureADAppId"] ?? options.BotAppId);
        installations.Clear();
        foreach (var userId in (app?["installedFor"] as System.Text.Json.Nodes.JsonArray ?? []).Select(n => (string?)n).OfType<string>())
        {
            var user = FindUserUnlocked(userId) ?? throw new InvalidDataException($"teamsApp.installedFor names the unknown user {userId}.");
            InstallUnlocked(user.Id);
        }
    }
}

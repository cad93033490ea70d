using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Directory;

/// <summary>
/// Installs the bot's Teams app for a user through Microsoft Graph, so that the bot may open a 1:1 chat with them
/// (Learn: "Proactive installation of apps using Graph API to send messages"; userteamwork-post-installedapps;
/// permission TeamsAppInstallation.ReadWriteSelfForUser.All).
/// </summary>
internal sealed class GraphTeamsAppInstallations(GraphClientProvider graph) : ITeamsAppInstallations
{
    public async Task<AppInstallResult> InstallForUserAsync(string userId, string teamsAppId, CancellationToken ct = default)
    {
        var install = new UserScopeTeamsAppInstallation
        {
            AdditionalData = new Dictionary<string, object>
            {
                ["teamsApp@odata.bind"] = $"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{Uri.EscapeDataString(teamsAppId)}",
            },
        };
        try
        {
            await GraphFailures.RunAsync(() => graph.Client.Users[userId].Teamwork.InstalledApps.PostAsync(install, cancellationToken: ct),
                "add TeamsBot in Teams for them", ct, Refusal);
            return new AppInstallResult(AppInstall.Installed);
        }
        catch (DirectoryException ex) when (ex.Kind == DirectoryErrorKind.Conflict)
        {
            // "The app is already installed for the user": nothing to do.
            return new AppInstallResult(AppInstall.AlreadyInstalled);
        }
        catch (DirectoryException ex) when (ex.Kind is DirectoryErrorKind.Forbidden or DirectoryErrorKind.NotFound or DirectoryErrorKind.BadRequest)
        {
            return new AppInstallResult(AppInstall.Refused, ex.Message);
        }
    }

    /// <summary>Graph's refusals name the user's situation (no licence, app blocked by policy) in their message.</summary>
    private static DirectoryException? Refusal(ODataError error) => error.ResponseStatusCode switch
    {
        409 => new DirectoryException(DirectoryErrorKind.Conflict, "TeamsBot is already installed for them.", error.Error?.Code,
            error.Error?.InnerError?.RequestId, 409),
        403 or 404 or 400 => new DirectoryException(error.ResponseStatusCode == 403 ? DirectoryErrorKind.Forbidden
                : error.ResponseStatusCode == 404 ? DirectoryErrorKind.NotFound : DirectoryErrorKind.BadRequest,
            "Teams would not add TeamsBot for them" + (error.Error?.Message is { Length: > 0 } m ? $" ({Shorten(m)})." : "."),
            error.Error?.Code, error.Error?.InnerError?.RequestId, error.ResponseStatusCode),
        _ => null,
    };

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}

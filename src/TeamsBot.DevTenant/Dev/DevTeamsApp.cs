using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Dev;

/// <summary>
/// The bot's Teams app and its installations: GET /_dev/teamsApp (the app and every installation),
/// GET /_dev/teamsApp/installations/{user} (200 or 404), PUT (installs, no licence or policy check) and DELETE (uninstalls).
/// {user} is an object id or a UPN.
/// </summary>
internal static class DevTeamsApp
{
    public static void Map(RouteGroupBuilder dev, SimulatedGraph graph)
    {
        var state = graph.State;
        dev.MapGet("/teamsApp", () => Results.Json(new
        {
            app = state.TeamsApp,
            installations = state.TeamsAppInstallations.Select(i => Describe(state, i)),
        }));
        dev.MapGet("/teamsApp/installations/{user}", (string user) =>
            state.FindUser(user) is { } found && state.TeamsAppInstallations.FirstOrDefault(i => i.UserId == found.Id) is { } installation
                ? Results.Json(Describe(state, installation))
                : DevJson.Error($"The app is not installed for '{user}'.", StatusCodes.Status404NotFound));
        dev.MapPut("/teamsApp/installations/{user}", (string user) =>
            state.FindUser(user) is null
                ? DevJson.Error($"No user '{user}'.", StatusCodes.Status404NotFound)
                : Results.Json(Describe(state, state.InstallTeamsApp(user))));
        dev.MapDelete("/teamsApp/installations/{user}", (string user) =>
            state.UninstallTeamsApp(user) ? Results.NoContent() : DevJson.Error($"The app is not installed for '{user}'.", StatusCodes.Status404NotFound));
    }

    private static object Describe(TenantState state, SimTeamsAppInstallation installation) => new
    {
        userId = installation.UserId,
        userPrincipalName = state.FindUser(installation.UserId)?.UserPrincipalName,
        installationId = installation.Id,
        chatId = installation.ChatId,
        installedDateTime = SeedLoader.Format(installation.InstalledDateTime),
    };
}

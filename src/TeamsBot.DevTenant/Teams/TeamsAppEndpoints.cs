using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Teams;

/// <summary>
/// The bot's Teams app in a user's personal scope, as "Proactive installation of apps using Graph API to send messages"
/// uses it: find the app in the catalog, check whether it is installed, install it, and read the 1:1 chat id.
/// </summary>
internal sealed class TeamsAppEndpoints(TenantState state)
{
    private const string InstallationType = "microsoft.graph.userScopeTeamsAppInstallation";
    private const string Installed = "/users/{id}/teamwork/installedApps";

    private static readonly string[] EqOnly = ["eq"];

    private static readonly FilterSchema InstallationFilter = new(new Dictionary<string, FilterProperty>
    {
        ["id"] = new(FilterKind.String, EqOnly),
        ["teamsApp/id"] = new(FilterKind.String, EqOnly),
        ["teamsApp/externalId"] = new(FilterKind.String, EqOnly),
        ["teamsApp/displayName"] = new(FilterKind.String, EqOnly),
        ["teamsApp/distributionMethod"] = new(FilterKind.String, EqOnly),
        ["teamsAppDefinition/teamsAppId"] = new(FilterKind.String, EqOnly),
    });

    private static readonly FilterSchema CatalogFilter = new(new Dictionary<string, FilterProperty>
    {
        ["id"] = new(FilterKind.String, EqOnly),
        ["externalId"] = new(FilterKind.String, EqOnly),
        ["displayName"] = new(FilterKind.String, EqOnly),
        ["distributionMethod"] = new(FilterKind.String, EqOnly),
    });

    public void Map(GraphRouter router)
    {
        router.Map("GET", "/appCatalogs/teamsApps", ListCatalog);
        router.Map("POST", Installed, Install);
        router.Map("GET", Installed, ListInstalled);
        router.Map("GET", Installed + "/{installId}", GetInstalled);
        router.Map("DELETE", Installed + "/{installId}", Uninstall);
        router.Map("GET", Installed + "/{installId}/chat", GetChat);
    }

    // https://learn.microsoft.com/graph/api/appcatalogs-list-teamsapps: the organization's catalog holds the bot's app.
    private GraphResponse ListCatalog(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var expand = ODataQuery.Expand(request);
        if (ODataQuery.CheckExpand(expand, "microsoft.graph.teamsApp", "appDefinitions") is { } badExpand)
        {
            return badExpand;
        }
        var (filter, badFilter) = ODataFilter.FromRequest(request, CatalogFilter);
        if (badFilter is not null)
        {
            return badFilter;
        }
        var app = App(state.TeamsApp);
        if (expand is { Length: > 0 })
        {
            app["appDefinitions"] = new JsonArray(Definition(state.TeamsApp));
        }
        var items = filter(app) ? new List<JsonObject> { app } : [];
        return ODataQuery.Page(request, "appCatalogs/teamsApps", items);
    }

    /// <summary>
    /// POST (https://learn.microsoft.com/graph/api/userteamwork-post-installedapps): 201 without a body; 409 when the app is
    /// already installed; 404 for an unknown user or app; 403 for a user Teams won't install apps for.
    /// </summary>
    private GraphResponse Install(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        if (body.Select(p => p.Key).FirstOrDefault(k => k is not ("@odata.type" or "teamsApp@odata.bind" or "consentedPermissionSet")) is { } unknown)
        {
            return GraphResponse.BadRequest($"The property '{unknown}' does not exist on type '{InstallationType}'.");
        }
        if (body["teamsApp@odata.bind"] is not JsonValue bind || bind.GetValueKind() != JsonValueKind.String)
        {
            return GraphResponse.BadRequest("The request body needs teamsApp@odata.bind: https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{teamsAppId}.");
        }
        var appId = BoundAppId((string)bind!);
        if (appId is null)
        {
            return GraphResponse.BadRequest($"'{(string)bind!}' does not name an app in appCatalogs/teamsApps.");
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            if (!string.Equals(appId, state.TeamsApp.Id, StringComparison.OrdinalIgnoreCase))
            {
                return GraphResponse.Error(404, "NotFound", $"The app '{appId}' is not in the organization's app catalog.");
            }
            if (user.TeamsAppInstallBlocked is { } reason)
            {
                return GraphResponse.Error(403, "Forbidden", reason);
            }
            if (state.InstallationOfUnlocked(user.Id) is not null)
            {
                return GraphResponse.Error(409, "Conflict", "The app is already installed for this user.");
            }
            state.InstallUnlocked(user.Id);
            return new GraphResponse { Status = 201 };
        }
    }

    // https://learn.microsoft.com/graph/api/userteamwork-list-installedapps: $expand teamsApp, teamsAppDefinition; $filter on teamsApp/id, teamsApp/externalId.
    private GraphResponse ListInstalled(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var expand = ODataQuery.Expand(request);
        if (ODataQuery.CheckExpand(expand, InstallationType, "teamsApp", "teamsAppDefinition", "chat") is { } badExpand)
        {
            return badExpand;
        }
        var (filter, badFilter) = ODataFilter.FromRequest(request, InstallationFilter);
        if (badFilter is not null)
        {
            return badFilter;
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var items = new List<JsonObject>();
            if (state.InstallationOfUnlocked(user.Id) is { } installation)
            {
                // The filter sees the whole installation; the answer keeps only what was expanded.
                var full = Installation(installation, ["teamsApp", "teamsAppDefinition"]);
                if (filter(full))
                {
                    items.Add(Installation(installation, expand));
                }
            }
            return ODataQuery.Page(request, $"users('{user.Id}')/teamwork/installedApps", items);
        }
    }

    private GraphResponse GetInstalled(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var expand = ODataQuery.Expand(request);
        if (ODataQuery.CheckExpand(expand, InstallationType, "teamsApp", "teamsAppDefinition", "chat") is { } badExpand)
        {
            return badExpand;
        }
        lock (state.Sync)
        {
            if (Find(route) is not ({ } user, { } installation))
            {
                return GraphResponse.NotFound(route["installId"]);
            }
            return GraphResponse.Ok(ODataQuery.Entity(Installation(installation, expand),
                request.MetadataUrl($"users('{user.Id}')/teamwork/installedApps/$entity")));
        }
    }

    // https://learn.microsoft.com/graph/api/userteamwork-delete-installedapps
    private GraphResponse Uninstall(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (Find(route) is not ({ } user, { }))
            {
                return GraphResponse.NotFound(route["installId"]);
            }
            state.RemoveInstallationUnlocked(user.Id);
            return GraphResponse.NoContent();
        }
    }

    // https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat: the 1:1 chat between the user and the app.
    private GraphResponse GetChat(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.chat", ["id", "topic", "createdDateTime", "lastUpdatedDateTime", "chatType", "webUrl", "tenantId"]) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            if (Find(route) is not ({ }, { } installation))
            {
                return GraphResponse.NotFound(route["installId"]);
            }
            var chat = ODataQuery.Project(Chat(installation), selected, ["id", "topic", "createdDateTime", "lastUpdatedDateTime", "chatType", "webUrl", "tenantId"]);
            return GraphResponse.Ok(ODataQuery.Entity(chat, request.MetadataUrl("chats/$entity")));
        }
    }

    private (SimUser? User, SimTeamsAppInstallation? Installation) Find(IReadOnlyDictionary<string, string> route)
    {
        if (state.FindUserUnlocked(route["id"]) is not { } user)
        {
            return (null, null);
        }
        var installation = state.InstallationOfUnlocked(user.Id);
        return installation is not null && string.Equals(installation.Id, route["installId"], StringComparison.Ordinal)
            ? (user, installation)
            : (user, null);
    }

    /// <summary>The catalog id from "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{id}" (any host or version).</summary>
    private static string? BoundAppId(string bind)
    {
        const string Segment = "/appCatalogs/teamsApps/";
        var at = bind.IndexOf(Segment, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }
        var id = bind[(at + Segment.Length)..].Trim('/');
        return id.Length == 0 || id.Contains('/', StringComparison.Ordinal) ? null : id;
    }

    private JsonObject Installation(SimTeamsAppInstallation installation, string[]? expand)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = "#" + InstallationType,
            ["id"] = installation.Id,
            ["consentedPermissionSet"] = null,
        };
        foreach (var name in expand ?? [])
        {
            if (string.Equals(name, "teamsApp", StringComparison.OrdinalIgnoreCase))
            {
                json["teamsApp"] = App(state.TeamsApp);
            }
            else if (string.Equals(name, "teamsAppDefinition", StringComparison.OrdinalIgnoreCase))
            {
                json["teamsAppDefinition"] = Definition(state.TeamsApp);
            }
            else if (string.Equals(name, "chat", StringComparison.OrdinalIgnoreCase))
            {
                json["chat"] = Chat(installation);
            }
        }
        return json;
    }

    // teamsApp (https://learn.microsoft.com/graph/api/resources/teamsapp)
    private static JsonObject App(SimTeamsApp app) => new()
    {
        ["id"] = app.Id,
        ["externalId"] = app.ExternalId,
        ["displayName"] = app.DisplayName,
        ["distributionMethod"] = "organization",
    };

    // teamsAppDefinition (https://learn.microsoft.com/graph/api/resources/teamsappdefinition); its id is "{teamsAppId}##{version}" base64-encoded.
    private static JsonObject Definition(SimTeamsApp app) => new()
    {
        ["id"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{app.Id}##{app.Version}")),
        ["teamsAppId"] = app.Id,
        ["azureADAppId"] = app.AzureADAppId,
        ["displayName"] = app.DisplayName,
        ["version"] = app.Version,
        ["publishingState"] = "published",
        ["shortDescription"] = "Temporary Access Passes and security-info registration policies.",
        ["description"] = "Request and approve Temporary Access Passes, and manage the Conditional Access policies for registering security information.",
        ["lastModifiedDateTime"] = null,
        ["createdBy"] = null,
    };

    // chat (https://learn.microsoft.com/graph/api/resources/chat): the one-on-one chat with the bot.
    private JsonObject Chat(SimTeamsAppInstallation installation) => new()
    {
        ["id"] = installation.ChatId,
        ["topic"] = null,
        ["createdDateTime"] = SeedLoader.Format(installation.InstalledDateTime),
        ["lastUpdatedDateTime"] = SeedLoader.Format(installation.InstalledDateTime),
        ["chatType"] = "oneOnOne",
        ["webUrl"] = $"https://teams.microsoft.com/l/chat/{Uri.EscapeDataString(installation.ChatId)}/0?tenantId={state.TenantId}",
        ["tenantId"] = state.TenantId,
    };
}

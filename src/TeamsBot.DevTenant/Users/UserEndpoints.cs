using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Users;

/// <summary>Users, managers, direct reports, group membership.</summary>
internal sealed class UserEndpoints(TenantState state)
{
    private const int MaxCheckMemberGroupIds = 20;

    public void Map(GraphRouter router)
    {
        router.Map("GET", "/users", ListUsers);
        router.Map("GET", "/users/{id}", GetUser);
        router.Map("GET", "/users/{id}/manager", GetManager);
        router.Map("GET", "/users/{id}/directReports", GetDirectReports);
        router.Map("GET", "/users/{id}/memberOf", (r, v) => GetMemberOf(r, v, transitive: false));
        router.Map("GET", "/users/{id}/transitiveMemberOf", (r, v) => GetMemberOf(r, v, transitive: true));
        router.Map("POST", "/users/{id}/checkMemberGroups", CheckMemberGroups);
        router.Map("GET", "/groups", ListGroups);
        router.Map("GET", "/groups/{id}", GetGroup);
        router.Map("GET", "/groups/{id}/members", (r, v) => GetGroupMembers(r, v, transitive: false));
        router.Map("GET", "/groups/{id}/transitiveMembers", (r, v) => GetGroupMembers(r, v, transitive: true));
    }

    private GraphResponse ListUsers(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.user", DirectoryJson.UserProperties) is { } refused)
        {
            return refused;
        }
        var items = state.Users.Select(u => WithoutType(ODataQuery.Project(DirectoryJson.User(u), selected, DirectoryJson.UserDefaults))).ToList();
        return ODataQuery.Page(request, "users", items);
    }

    private GraphResponse GetUser(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.user", DirectoryJson.UserProperties) is { } refused)
        {
            return refused;
        }
        if (state.FindUser(route["id"]) is not { } user)
        {
            return GraphResponse.NotFound(route["id"]);
        }
        var body = WithoutType(ODataQuery.Project(DirectoryJson.User(user), selected, DirectoryJson.UserDefaults));
        return GraphResponse.Ok(WithContext(body, request.MetadataUrl(selected is null ? "users/$entity" : $"users({string.Join(',', selected)})/$entity")));
    }

    private GraphResponse GetManager(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.directoryObject", DirectoryJson.UserProperties) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            if (user.ManagerId is null || state.FindUserUnlocked(user.ManagerId) is not { } manager)
            {
                return GraphResponse.NotFound("manager");
            }
            var body = ODataQuery.Project(DirectoryJson.User(manager), selected, DirectoryJson.UserDefaults);
            return GraphResponse.Ok(WithContext(body, request.MetadataUrl("directoryObjects/$entity")));
        }
    }

    private GraphResponse GetDirectReports(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.directoryObject", DirectoryJson.UserProperties) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var items = state.DirectReportsOf(user.Id).Select(r => DirectoryJson.Member(r, selected)).ToList();
            return ODataQuery.Page(request, "directoryObjects", items);
        }
    }

    private GraphResponse GetMemberOf(GraphRequest request, IReadOnlyDictionary<string, string> route, bool transitive)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.directoryObject", DirectoryJson.GroupProperties, DirectoryJson.RoleProperties) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var groups = transitive
                ? state.TransitiveGroupsOf(user.Id)
                : state.Groups.Where(g => g.MemberIds.Contains(user.Id, StringComparer.OrdinalIgnoreCase)).ToList();
            // Only active tenant-wide roles are memberships; transitively also those held through a role-assignable group.
            var roles = (transitive ? state.RolesOf(user.Id) : state.DirectRolesOf(user.Id)).Select(r => state.DirectoryRoleDetailsVisible
                ? DirectoryJson.Member(r, selected)
                : new JsonObject { ["@odata.type"] = "#microsoft.graph.directoryRole", ["id"] = r.Id });
            var items = groups.Select(g => DirectoryJson.Member(g, selected)).Concat(roles).ToList();
            return ODataQuery.Page(request, "directoryObjects", items);
        }
    }

    private GraphResponse CheckMemberGroups(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var body = request.BodyObject();
        if (body?["groupIds"] is not JsonArray ids || ids.Any(i => i?.GetValueKind() != System.Text.Json.JsonValueKind.String))
        {
            return GraphResponse.BadRequest("Invalid request body: 'groupIds' must be an array of group ids.", "Request_BadRequest");
        }
        if (ids.Count > MaxCheckMemberGroupIds)
        {
            return GraphResponse.BadRequest($"The number of groupIds ({ids.Count}) exceeds the maximum of {MaxCheckMemberGroupIds}.", "Request_BadRequest");
        }
        lock (state.Sync)
        {
            if (state.FindUserUnlocked(route["id"]) is not { } user)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var memberOf = state.TransitiveGroupsOf(user.Id).Select(g => g.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var matched = ids.Select(i => (string)i!).Where(memberOf.Contains).Distinct(StringComparer.OrdinalIgnoreCase);
            return GraphResponse.Ok(new JsonObject
            {
                ["@odata.context"] = request.MetadataUrl("Collection(Edm.String)"),
                ["value"] = new JsonArray(matched.Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
            });
        }
    }

    private GraphResponse ListGroups(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.group", DirectoryJson.GroupProperties) is { } refused)
        {
            return refused;
        }
        var items = state.Groups.Select(g => WithoutType(ODataQuery.Project(DirectoryJson.Group(g), selected, DirectoryJson.GroupProperties))).ToList();
        return ODataQuery.Page(request, "groups", items);
    }

    private GraphResponse GetGroup(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.group", DirectoryJson.GroupProperties) is { } refused)
        {
            return refused;
        }
        if (state.FindGroup(route["id"]) is not { } group)
        {
            return GraphResponse.NotFound(route["id"]);
        }
        var body = WithoutType(ODataQuery.Project(DirectoryJson.Group(group), selected, DirectoryJson.GroupProperties));
        return GraphResponse.Ok(WithContext(body, request.MetadataUrl("groups/$entity")));
    }

    private GraphResponse GetGroupMembers(GraphRequest request, IReadOnlyDictionary<string, string> route, bool transitive)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.directoryObject", DirectoryJson.UserProperties, DirectoryJson.GroupProperties) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            if (state.FindGroupUnlocked(route["id"]) is not { } group)
            {
                return GraphResponse.NotFound(route["id"]);
            }
            var members = transitive
                ? state.TransitiveMembersOf(group)
                : group.MemberIds.Select(id => (object?)state.FindUserUnlocked(id) ?? state.FindGroupUnlocked(id)).OfType<object>().ToList();
            var items = members.Select(m => DirectoryJson.Member(m, selected)).ToList();
            return ODataQuery.Page(request, "directoryObjects", items);
        }
    }

    private static JsonObject WithoutType(JsonObject entity)
    {
        entity.Remove("@odata.type");
        return entity;
    }

    private static JsonObject WithContext(JsonObject entity, string context)
    {
        var result = new JsonObject { ["@odata.context"] = context };
        foreach (var (name, value) in entity.ToList())
        {
            entity.Remove(name);
            result[name] = value;
        }
        return result;
    }
}

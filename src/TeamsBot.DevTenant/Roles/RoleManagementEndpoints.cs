using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Roles;

/// <summary>
/// /roleManagement/directory (v1.0): role definitions, active role assignments, PIM eligibility schedule instances, and
/// eligibility schedule requests (adminAssign, adminRemove).
/// </summary>
internal sealed class RoleManagementEndpoints(TenantState state)
{
    private const string Root = "/roleManagement/directory";

    private static readonly string[] EqIn = ["eq", "in"];
    private static readonly string[] EqNe = ["eq", "ne"];

    // unifiedRoleAssignment: principalId, roleDefinitionId, directoryScopeId, appScopeId support $filter (eq, in).
    private static readonly FilterSchema AssignmentFilter =
        StringFilter(EqIn, "id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId");

    // unifiedRoleEligibilityScheduleInstance: eq and ne (and null) on its ids, scopes and memberType.
    private static readonly FilterSchema InstanceFilter =
        StringFilter(EqNe, "id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "memberType", "roleEligibilityScheduleId");

    private static FilterSchema StringFilter(string[] operators, params string[] properties) =>
        new(properties.ToDictionary(p => p, _ => new FilterProperty(FilterKind.String, operators), StringComparer.Ordinal));

    private static readonly FilterSchema DefinitionFilter = new(new Dictionary<string, FilterProperty>
    {
        ["id"] = new(FilterKind.String, EqIn),
        ["templateId"] = new(FilterKind.String, EqIn),
        ["displayName"] = new(FilterKind.String, "eq", "in", "startswith"),
        ["isBuiltIn"] = new(FilterKind.Boolean, "eq"),
    });

    private static readonly FilterSchema RequestFilter = new(new Dictionary<string, FilterProperty>
    {
        ["id"] = new(FilterKind.String, EqNe),
        ["principalId"] = new(FilterKind.String, EqNe),
        ["roleDefinitionId"] = new(FilterKind.String, EqNe),
        ["status"] = new(FilterKind.String, EqNe),
    });

    private static readonly string[] RequestProperties =
        ["@odata.type", "action", "appScopeId", "directoryScopeId", "isValidationOnly", "justification", "principalId", "roleDefinitionId",
         "scheduleInfo", "ticketInfo"];

    private static readonly string[] Actions =
        ["adminAssign", "adminUpdate", "adminRemove", "selfActivate", "selfDeactivate", "adminExtend", "adminRenew", "selfExtend", "selfRenew",
         "unknownFutureValue"];

    public void Map(GraphRouter router)
    {
        router.Map("GET", Root + "/roleDefinitions", Permitted(ListDefinitions));
        router.Map("GET", Root + "/roleDefinitions/{id}", Permitted(GetDefinition));
        router.Map("GET", Root + "/roleAssignments", Permitted(ListAssignments));
        router.Map("GET", Root + "/roleAssignments/{id}", Permitted(GetAssignment));
        router.Map("GET", Root + "/roleEligibilityScheduleInstances", Permitted(ListInstances));
        router.Map("GET", Root + "/roleEligibilityScheduleInstances/{id}", Permitted(GetInstance));
        router.Map("GET", Root + "/roleEligibilityScheduleRequests", Permitted(ListRequests));
        router.Map("GET", Root + "/roleEligibilityScheduleRequests/{id}", Permitted(GetRequest));
        router.Map("POST", Root + "/roleEligibilityScheduleRequests", Permitted(CreateRequest));
    }

    /// <summary>
    /// With <see cref="TenantState.DirectoryRoleDetailsVisible"/> off the app lacks RoleManagement.Read.Directory: where
    /// membership lists then show roles with limited information, the role management API refuses outright, with
    /// Graph's usual 403 (Authorization_RequestDenied, "Insufficient privileges to complete the operation.").
    /// </summary>
    private Func<GraphRequest, IReadOnlyDictionary<string, string>, GraphResponse> Permitted(
        Func<GraphRequest, IReadOnlyDictionary<string, string>, GraphResponse> handler) => (request, route) =>
        state.DirectoryRoleDetailsVisible
            ? handler(request, route)
            : GraphResponse.Error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    // https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions
    private GraphResponse ListDefinitions(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, RoleJson.DefinitionType, RoleJson.DefinitionProperties) is { } refused)
        {
            return refused;
        }
        var (filter, badFilter) = ODataFilter.FromRequest(request, DefinitionFilter);
        if (badFilter is not null)
        {
            return badFilter;
        }
        lock (state.Sync)
        {
            var items = state.RoleDefinitions.Select(RoleJson.Definition).Where(filter).Select(d => RoleJson.Select(d, selected, null)).ToList();
            return ODataQuery.Page(request, "roleManagement/directory/roleDefinitions", items);
        }
    }

    // https://learn.microsoft.com/graph/api/unifiedroledefinition-get
    private GraphResponse GetDefinition(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, RoleJson.DefinitionType, RoleJson.DefinitionProperties) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            return state.FindRoleDefinitionUnlocked(route["id"]) is { } definition
                ? GraphResponse.Ok(ODataQuery.Entity(RoleJson.Select(RoleJson.Definition(definition), selected, null),
                    request.MetadataUrl("roleManagement/directory/roleDefinitions/$entity")))
                : GraphResponse.NotFound(route["id"]);
        }
    }

    // https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments: $filter, $expand, $select.
    private GraphResponse ListAssignments(GraphRequest request, IReadOnlyDictionary<string, string> route) =>
        List(request, RoleJson.AssignmentType, RoleJson.AssignmentProperties, AssignmentFilter, "roleManagement/directory/roleAssignments",
            () => state.RoleAssignmentsUnlocked().Select(RoleJson.Assignment));

    // https://learn.microsoft.com/graph/api/unifiedroleassignment-get
    private GraphResponse GetAssignment(GraphRequest request, IReadOnlyDictionary<string, string> route) =>
        Get(request, route["id"], RoleJson.AssignmentType, RoleJson.AssignmentProperties, "roleManagement/directory/roleAssignments",
            () => state.RoleAssignmentsUnlocked().Select(RoleJson.Assignment));

    // https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances: current and future
    // eligibilities (an expired one has no instance).
    private GraphResponse ListInstances(GraphRequest request, IReadOnlyDictionary<string, string> route) =>
        List(request, RoleJson.InstanceType, RoleJson.InstanceProperties, InstanceFilter, "roleManagement/directory/roleEligibilityScheduleInstances",
            () => state.EligibilitiesUnlocked.Where(e => e.IsCurrent(state.Now)).Select(RoleJson.Instance));

    // https://learn.microsoft.com/graph/api/unifiedroleeligibilityscheduleinstance-get
    private GraphResponse GetInstance(GraphRequest request, IReadOnlyDictionary<string, string> route) =>
        Get(request, route["id"], RoleJson.InstanceType, RoleJson.InstanceProperties, "roleManagement/directory/roleEligibilityScheduleInstances",
            () => state.EligibilitiesUnlocked.Where(e => e.IsCurrent(state.Now)).Select(RoleJson.Instance));

    // https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityschedulerequests
    private GraphResponse ListRequests(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var (filter, badFilter) = ODataFilter.FromRequest(request, RequestFilter);
        if (badFilter is not null)
        {
            return badFilter;
        }
        lock (state.Sync)
        {
            var items = state.EligibilityRequestsUnlocked.Select(r => (JsonObject)r.DeepClone()).Where(filter).ToList();
            return ODataQuery.Page(request, "roleManagement/directory/roleEligibilityScheduleRequests", items);
        }
    }

    // https://learn.microsoft.com/graph/api/unifiedroleeligibilityschedulerequest-get
    private GraphResponse GetRequest(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            var stored = state.EligibilityRequestsUnlocked.FirstOrDefault(r => string.Equals((string?)r["id"], route["id"], StringComparison.OrdinalIgnoreCase));
            return stored is null
                ? GraphResponse.NotFound(route["id"])
                : GraphResponse.Ok(ODataQuery.Entity((JsonObject)stored.DeepClone(),
                    request.MetadataUrl("roleManagement/directory/roleEligibilityScheduleRequests/$entity")));
        }
    }

    /// <summary>
    /// POST roleEligibilityScheduleRequests (https://learn.microsoft.com/graph/api/rbacapplication-post-roleeligibilityschedulerequests):
    /// adminAssign creates an eligibility, adminRemove revokes one; 201 with the request. The app is the creator.
    /// </summary>
    private GraphResponse CreateRequest(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.BodyObject() is not { } body)
        {
            return GraphResponse.BadRequest("Invalid request body.");
        }
        if (body.Select(p => p.Key).FirstOrDefault(k => !RequestProperties.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return GraphResponse.BadRequest($"The property '{unknown}' does not exist on type 'microsoft.graph.unifiedRoleEligibilityScheduleRequest'.");
        }
        var action = Text(body, "action");
        if (action is null || !Actions.Contains(action, StringComparer.Ordinal))
        {
            return GraphResponse.BadRequest($"'{action}' is not a valid action (unifiedRoleScheduleRequestActions).");
        }
        if (action is not ("adminAssign" or "adminRemove"))
        {
            return GraphResponse.BadRequest($"The simulated tenant answers the actions adminAssign and adminRemove, not '{action}'.");
        }
        if (Text(body, "principalId") is not { } principalId || Text(body, "roleDefinitionId") is not { } roleDefinitionId)
        {
            return GraphResponse.BadRequest("principalId and roleDefinitionId are required.");
        }
        if (Text(body, "appScopeId") is not null)
        {
            return GraphResponse.BadRequest("The simulated tenant answers directory scopes only (directoryScopeId), not appScopeId.");
        }
        if (Text(body, "directoryScopeId") is not { } scope)
        {
            return GraphResponse.BadRequest("Either directoryScopeId or appScopeId is required.");
        }
        var validationOnly = body["isValidationOnly"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

        lock (state.Sync)
        {
            var principal = state.FindPrincipalUnlocked(principalId);
            if (principal is null)
            {
                return GraphResponse.BadRequest($"The principal '{principalId}' does not exist in the directory.");
            }
            if (principal is SimGroup { IsAssignableToRole: false })
            {
                return GraphResponse.BadRequest($"The group '{principalId}' is not role-assignable: only role-assignable groups can be assigned a role.");
            }
            if (state.FindRoleDefinitionUnlocked(roleDefinitionId) is null)
            {
                return GraphResponse.BadRequest($"The role definition '{roleDefinitionId}' does not exist.");
            }
            if (!state.IsKnownDirectoryScopeUnlocked(scope))
            {
                return GraphResponse.BadRequest($"The directory scope '{scope}' does not exist: use '/' or '/administrativeUnits/{{id}}'.");
            }
            var now = state.Now;
            var existing = state.EligibilitiesUnlocked.FirstOrDefault(e => e.IsCurrent(now)
                && string.Equals(e.PrincipalId, principalId, StringComparison.OrdinalIgnoreCase)
                && string.Equals(e.RoleDefinitionId, roleDefinitionId, StringComparison.OrdinalIgnoreCase)
                && string.Equals(e.DirectoryScopeId, scope, StringComparison.OrdinalIgnoreCase));
            JsonObject? schedule;
            string status;
            string? targetScheduleId;
            if (action == "adminAssign")
            {
                if (existing is not null)
                {
                    // The answer seen from Entra (hashicorp/terraform-provider-azuread#1306).
                    return GraphResponse.BadRequest("The Role assignment already exists.", "RoleAssignmentExists");
                }
                if (ReadSchedule(body["scheduleInfo"], now) is not { } window)
                {
                    return GraphResponse.BadRequest("scheduleInfo is required for adminAssign: startDateTime and an expiration (noExpiration, afterDateTime with endDateTime, or afterDuration with duration).");
                }
                if (window.Error is not null)
                {
                    return GraphResponse.BadRequest(window.Error);
                }
                var eligibility = new SimRoleEligibility(Guid.NewGuid().ToString(), principalId, roleDefinitionId, scope, window.Start, window.End, now);
                if (!validationOnly)
                {
                    state.EligibilitiesUnlocked.Add(eligibility);
                }
                schedule = window.Json;
                status = "Provisioned";
                targetScheduleId = eligibility.Id;
            }
            else
            {
                if (existing is null)
                {
                    return GraphResponse.BadRequest("The Role assignment does not exist.", "RoleAssignmentDoesNotExist");
                }
                if (!validationOnly)
                {
                    state.EligibilitiesUnlocked.Remove(existing);
                }
                schedule = null;
                status = "Revoked";
                targetScheduleId = null;
            }
            var answer = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["status"] = status,
                ["createdDateTime"] = SeedLoader.Format(now),
                ["completedDateTime"] = status == "Provisioned" ? SeedLoader.Format(now) : null,
                ["approvalId"] = null,
                ["customData"] = null,
                ["action"] = action,
                ["principalId"] = principalId,
                ["roleDefinitionId"] = roleDefinitionId,
                ["directoryScopeId"] = scope,
                ["appScopeId"] = null,
                ["isValidationOnly"] = validationOnly,
                ["targetScheduleId"] = targetScheduleId,
                ["justification"] = Text(body, "justification"),
                ["createdBy"] = new JsonObject
                {
                    ["application"] = new JsonObject { ["id"] = state.Options.BotAppId, ["displayName"] = state.Options.BotDisplayName },
                    ["device"] = null,
                    ["user"] = null,
                },
                ["scheduleInfo"] = schedule,
                ["ticketInfo"] = new JsonObject
                {
                    ["ticketNumber"] = Text(body["ticketInfo"] as JsonObject, "ticketNumber"),
                    ["ticketSystem"] = Text(body["ticketInfo"] as JsonObject, "ticketSystem"),
                },
            };
            if (!validationOnly)
            {
                state.EligibilityRequestsUnlocked.Add((JsonObject)answer.DeepClone());
            }
            return GraphResponse.Created(ODataQuery.Entity(answer, request.MetadataUrl("roleManagement/directory/roleEligibilityScheduleRequests/$entity")));
        }
    }

    private sealed record Window(DateTimeOffset Start, DateTimeOffset? End, JsonObject Json, string? Error);

    /// <summary>A requestSchedule: start (default now) and an expirationPattern; null when it is missing.</summary>
    private static Window? ReadSchedule(JsonNode? node, DateTimeOffset now)
    {
        if (node is not JsonObject schedule || schedule["expiration"] is not JsonObject expiration)
        {
            return null;
        }
        DateTimeOffset start = now;
        if (Text(schedule, "startDateTime") is { } startText
            && !DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start))
        {
            return new Window(now, null, [], $"'{startText}' is not a valid startDateTime.");
        }
        var type = Text(expiration, "type");
        DateTimeOffset? end = null;
        string? duration = null;
        switch (type)
        {
            case "noExpiration":
                break;
            case "afterDateTime":
                if (Text(expiration, "endDateTime") is not { } endText
                    || !DateTimeOffset.TryParse(endText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var endAt))
                {
                    return new Window(now, null, [], "An afterDateTime expiration needs a valid endDateTime.");
                }
                end = endAt;
                break;
            case "afterDuration":
                duration = Text(expiration, "duration");
                try
                {
                    end = start + XmlConvert.ToTimeSpan(duration ?? "");
                }
                catch (FormatException)
                {
                    return new Window(now, null, [], $"'{duration}' is not an ISO 8601 duration.");
                }
                break;
            default:
                return new Window(now, null, [], $"'{type}' is not a valid expiration type (noExpiration, afterDateTime, afterDuration).");
        }
        if (end <= start)
        {
            return new Window(now, null, [], "The eligibility must end after it starts.");
        }
        var json = new JsonObject
        {
            ["startDateTime"] = SeedLoader.Format(start),
            ["recurrence"] = null,
            ["expiration"] = new JsonObject
            {
                ["type"] = type,
                ["endDateTime"] = type == "afterDateTime" ? SeedLoader.Format(end!.Value) : null,
                ["duration"] = duration,
            },
        };
        return new Window(start, end, json, null);
    }

    private GraphResponse List(GraphRequest request, string typeName, string[] properties, FilterSchema filterSchema, string set,
        Func<IEnumerable<JsonObject>> items)
    {
        var selected = ODataQuery.Select(request);
        var expand = ODataQuery.Expand(request);
        if (ODataQuery.CheckSelect(selected, typeName, properties) is { } badSelect)
        {
            return badSelect;
        }
        if (ODataQuery.CheckExpand(expand, typeName, "roleDefinition", "principal", "directoryScope") is { } badExpand)
        {
            return badExpand;
        }
        var (filter, badFilter) = ODataFilter.FromRequest(request, filterSchema);
        if (badFilter is not null)
        {
            return badFilter;
        }
        lock (state.Sync)
        {
            var page = items().Where(filter).Select(i => RoleJson.Select(RoleJson.Expand(i, expand, state), selected, expand)).ToList();
            return ODataQuery.Page(request, RoleJson.Context(set, expand), page);
        }
    }

    private GraphResponse Get(GraphRequest request, string id, string typeName, string[] properties, string set, Func<IEnumerable<JsonObject>> items)
    {
        var selected = ODataQuery.Select(request);
        var expand = ODataQuery.Expand(request);
        if (ODataQuery.CheckSelect(selected, typeName, properties) is { } badSelect)
        {
            return badSelect;
        }
        if (ODataQuery.CheckExpand(expand, typeName, "roleDefinition", "principal", "directoryScope") is { } badExpand)
        {
            return badExpand;
        }
        lock (state.Sync)
        {
            var item = items().FirstOrDefault(i => string.Equals((string?)i["id"], id, StringComparison.Ordinal));
            return item is null
                ? GraphResponse.NotFound(id)
                : GraphResponse.Ok(ODataQuery.Entity(RoleJson.Select(RoleJson.Expand(item, expand, state), selected, expand),
                    request.MetadataUrl(RoleJson.Context(set, expand) + "/$entity")));
        }
    }

    private static string? Text(JsonObject? body, string name) =>
        body?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? (string?)value : null;
}

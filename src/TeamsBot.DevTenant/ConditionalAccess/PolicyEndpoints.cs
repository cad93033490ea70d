using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>/identity/conditionalAccess/policies with the service's validation.</summary>
internal sealed class PolicyEndpoints(TenantState state)
{
    private const string Root = "/identity/conditionalAccess/policies";
    private readonly PolicyWrites writes = new(state);

    public void Map(GraphRouter router)
    {
        router.Map("GET", Root, List);
        router.Map("POST", Root, Create);
        router.Map("GET", Root + "/{id}", Get);
        router.Map("PATCH", Root + "/{id}", Patch);
        router.Map("DELETE", Root + "/{id}", Delete);
    }

    private GraphResponse List(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.conditionalAccessPolicy", PolicySchema.Policy.Properties.Keys) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            var items = state.PoliciesUnlocked.Select(p => Shape(Present(p, request), selected)).ToList();
            return ODataQuery.Page(request, "identity/conditionalAccess/policies", items);
        }
    }

    private GraphResponse Get(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        var selected = ODataQuery.Select(request);
        if (ODataQuery.CheckSelect(selected, "microsoft.graph.conditionalAccessPolicy", PolicySchema.Policy.Properties.Keys) is { } refused)
        {
            return refused;
        }
        lock (state.Sync)
        {
            if (state.FindPolicyUnlocked(route["id"]) is not { } policy)
            {
                return NotFound(route["id"]);
            }
            var body = Shape(Present(policy, request), selected);
            return GraphResponse.Ok(WithContext(body, request.MetadataUrl("identity/conditionalAccess/policies/$entity")));
        }
    }

    // https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies
    private GraphResponse Create(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            var (policy, error) = writes.Create(request.BodyObject(), state.AppInitiator());
            return policy is null
                ? error!
                : GraphResponse.Created(WithContext(Present(policy, request), request.MetadataUrl("identity/conditionalAccess/policies/$entity")));
        }
    }

    // https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update
    private GraphResponse Patch(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            var (policy, error) = writes.Patch(route["id"], request.BodyObject(), state.AppInitiator());
            return policy is null ? error! : GraphResponse.NoContent();
        }
    }

    // https://learn.microsoft.com/graph/api/conditionalaccesspolicy-delete
    private GraphResponse Delete(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            return writes.Delete(route["id"], state.AppInitiator()) ?? GraphResponse.NoContent();
        }
    }

    /// <summary>The policy as GET answers it (caller holds the state lock).</summary>
    private JsonObject Present(JsonObject stored, GraphRequest request) => state.PresentPolicyUnlocked(stored, request.ServiceRoot);

    private static JsonObject Shape(JsonObject policy, string[]? selected)
    {
        if (selected is null)
        {
            return policy;
        }
        var result = new JsonObject();
        foreach (var (name, value) in policy.ToList())
        {
            if (name == "id" || selected.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                policy.Remove(name);
                result[name] = value;
            }
        }
        return result;
    }

    private static GraphResponse NotFound(string id) => PolicyWrites.NotFound(id);

    internal static JsonObject WithContext(JsonObject entity, string context)
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

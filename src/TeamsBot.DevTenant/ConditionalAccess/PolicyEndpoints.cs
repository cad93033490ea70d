using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>/identity/conditionalAccess/policies with the service's validation.</summary>
internal sealed class PolicyEndpoints(TenantState state)
{
    private const string Root = "/identity/conditionalAccess/policies";
    private static readonly string[] ReadOnly = ["id", "createdDateTime", "modifiedDateTime", "deletedDateTime"];

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

    private GraphResponse Create(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (CheckSchema(request) is { } refused)
        {
            return refused;
        }
        var body = request.BodyObject()!;
        foreach (var name in ReadOnly)
        {
            body.Remove(name); // set by the service
        }
        var policy = PolicyDocument.Normalize(body);
        lock (state.Sync)
        {
            if (PolicyDocument.FindRuleViolation(policy, NamedLocationIds(), StrengthExists, requireDisplayName: true) is { } violation)
            {
                return GraphResponse.BadRequest(violation);
            }
            DropDescriptionIfSwitchedOn(policy);
            var now = SeedLoader.Format(state.Now);
            policy["id"] = Guid.NewGuid().ToString();
            policy["createdDateTime"] = now;
            policy["modifiedDateTime"] = null; // Graph leaves it null until the first update
            state.PoliciesUnlocked.Add(policy);
            var answer = Present(policy, request);
            return GraphResponse.Created(WithContext(answer, request.MetadataUrl("identity/conditionalAccess/policies/$entity")));
        }
    }

    private GraphResponse Patch(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindPolicyUnlocked(route["id"]) is not { } stored)
            {
                return NotFound(route["id"]);
            }
            if (CheckSchema(request) is { } refused)
            {
                return refused;
            }
            var patch = request.BodyObject()!;
            foreach (var name in ReadOnly)
            {
                patch.Remove(name);
            }
            var merged = (JsonObject)stored.DeepClone();
            PolicyDocument.Merge(merged, patch);
            merged = PolicyDocument.Normalize(merged);
            if (PolicyDocument.FindRuleViolation(merged, NamedLocationIds(), StrengthExists, requireDisplayName: true) is { } violation)
            {
                return GraphResponse.BadRequest(violation);
            }
            DropDescriptionIfSwitchedOn(merged);
            merged["modifiedDateTime"] = SeedLoader.Format(state.Now);
            var index = state.PoliciesUnlocked.IndexOf(stored);
            state.PoliciesUnlocked[index] = merged;
            return GraphResponse.NoContent();
        }
    }

    private GraphResponse Delete(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        lock (state.Sync)
        {
            if (state.FindPolicyUnlocked(route["id"]) is not { } stored)
            {
                return NotFound(route["id"]);
            }
            state.PoliciesUnlocked.Remove(stored);
            return GraphResponse.NoContent();
        }
    }

    /// <summary>The generic 1007 answer for bodies that are not a conditionalAccessPolicy.</summary>
    private static GraphResponse? CheckSchema(GraphRequest request)
    {
        var body = request.BodyObject();
        var mismatch = body is null ? "(body)" : PolicySchema.FindMismatch(body, PolicySchema.Policy);
        if (mismatch is null)
        {
            return null;
        }
        var answer = GraphResponse.BadRequest(PolicySchema.SchemaErrorMessage);
        // Graph says no more than that; the target helps whoever reads the simulated answer.
        answer.Body!["error"]!["target"] = mismatch;
        return answer;
    }

    /// <summary>
    /// Graph v1.0 documents conditionalAccessPolicy.description as "Not used"; with the switch on the tenant accepts it
    /// and keeps nothing (https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy).
    /// </summary>
    private void DropDescriptionIfSwitchedOn(JsonObject policy)
    {
        if (state.DropConditionalAccessDescription)
        {
            policy["description"] = null;
        }
    }

    /// <summary>The policy as GET answers it (caller holds the state lock).</summary>
    private JsonObject Present(JsonObject stored, GraphRequest request) => state.PresentPolicyUnlocked(stored, request.ServiceRoot);

    private bool StrengthExists(string id) => state.FindStrengthUnlocked(id) is not null;

    private HashSet<string> NamedLocationIds() =>
        state.NamedLocationsUnlocked.Select(l => (string?)l["id"]).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

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

    private static GraphResponse NotFound(string id) =>
        GraphResponse.Error(404, "ResourceNotFound", $"The Conditional Access policy '{id}' does not exist.");

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

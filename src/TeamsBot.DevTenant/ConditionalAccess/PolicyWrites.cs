using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// Creating, changing and deleting a Conditional Access policy with the service's validation, and the directory audit
/// entry each change leaves, whoever makes it: the bot through Graph, or a person in the portal (the /_dev API).
/// Callers hold the state lock.
/// </summary>
internal sealed class PolicyWrites(TenantState state)
{
    private static readonly string[] ReadOnly = ["id", "createdDateTime", "modifiedDateTime", "deletedDateTime"];

    /// <summary>The stored policy, or the 400 that refuses it.</summary>
    public (JsonObject? Stored, GraphResponse? Error) Create(JsonObject? body, JsonObject initiator)
    {
        if (CheckSchema(body) is { } refused)
        {
            return (null, refused);
        }
        var copy = (JsonObject)body!.DeepClone();
        foreach (var name in ReadOnly)
        {
            copy.Remove(name); // set by the service
        }
        var policy = PolicyDocument.Normalize(copy);
        if (PolicyDocument.FindRuleViolation(policy, NamedLocationIds(), StrengthExists, requireDisplayName: true) is { } violation)
        {
            return (null, GraphResponse.BadRequest(violation));
        }
        DropDescriptionIfSwitchedOn(policy);
        policy["id"] = Guid.NewGuid().ToString();
        policy["createdDateTime"] = SeedLoader.Format(state.Now);
        policy["modifiedDateTime"] = null; // Graph leaves it null until the first update
        state.PoliciesUnlocked.Add(policy);
        state.RecordPolicyChangeUnlocked("Add", null, policy, initiator);
        return (policy, null);
    }

    /// <summary>PATCH semantics (objects merge, arrays are replaced); the stored policy, or the 404/400 that refuses the change.</summary>
    public (JsonObject? Stored, GraphResponse? Error) Patch(string id, JsonObject? patch, JsonObject initiator)
    {
        if (state.FindPolicyUnlocked(id) is not { } stored)
        {
            return (null, NotFound(id));
        }
        if (CheckSchema(patch) is { } refused)
        {
            return (null, refused);
        }
        var changes = (JsonObject)patch!.DeepClone();
        foreach (var name in ReadOnly)
        {
            changes.Remove(name);
        }
        var merged = (JsonObject)stored.DeepClone();
        PolicyDocument.Merge(merged, changes);
        merged = PolicyDocument.Normalize(merged);
        if (PolicyDocument.FindRuleViolation(merged, NamedLocationIds(), StrengthExists, requireDisplayName: true) is { } violation)
        {
            return (null, GraphResponse.BadRequest(violation));
        }
        DropDescriptionIfSwitchedOn(merged);
        merged["modifiedDateTime"] = SeedLoader.Format(state.Now);
        state.PoliciesUnlocked[state.PoliciesUnlocked.IndexOf(stored)] = merged;
        state.RecordPolicyChangeUnlocked("Update", stored, merged, initiator);
        return (merged, null);
    }

    /// <summary>Null when deleted, else the 404.</summary>
    public GraphResponse? Delete(string id, JsonObject initiator)
    {
        if (state.FindPolicyUnlocked(id) is not { } stored)
        {
            return NotFound(id);
        }
        state.PoliciesUnlocked.Remove(stored);
        state.RecordPolicyChangeUnlocked("Delete", stored, null, initiator);
        return null;
    }

    public static GraphResponse NotFound(string id) =>
        GraphResponse.Error(404, "ResourceNotFound", $"The Conditional Access policy '{id}' does not exist.");

    /// <summary>The generic 1007 answer for bodies that are not a conditionalAccessPolicy.</summary>
    private static GraphResponse? CheckSchema(JsonObject? body)
    {
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

    private bool StrengthExists(string id) => state.FindStrengthUnlocked(id) is not null;

    private HashSet<string> NamedLocationIds() =>
        state.NamedLocationsUnlocked.Select(l => (string?)l["id"]).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
}

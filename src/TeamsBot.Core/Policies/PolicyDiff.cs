namespace TeamsBot.Policies;

/// <summary>One field that differs: where, what the template says, what the tenant has (JSON text; null = absent).</summary>
public sealed record FieldChange(string Path, string? Expected, string? Actual);

/// <summary>
/// Compares a policy in the tenant with its template, field by field. Read-only fields, <c>@odata</c> annotations,
/// <c>description</c> (not kept by every tenant) and <c>state</c> (managed by promote and roll back) are left out; empty and absent values are equal; lists of ids and
/// the guest-type list compare as sets, since Graph does not keep their order.
/// </summary>
public static class PolicyDiff
{
    // description: Graph's v1.0 docs call it "Not used" for Conditional Access policies, and a tenant may not keep it.
    private static readonly HashSet<string> Ignored = ["id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "state", "templateId", "description"];

    public static IReadOnlyList<FieldChange> Compare(JsonObject expected, JsonObject actual)
    {
        var changes = new List<FieldChange>();
        CompareNode("", expected, actual, changes);
        return changes;
    }

    private static void CompareNode(string path, JsonNode? expected, JsonNode? actual, List<FieldChange> changes)
    {
        if (IsEmpty(expected) && IsEmpty(actual)) return;
        if (expected is JsonObject eo && actual is JsonObject ao)
        {
            foreach (var key in eo.Select(p => p.Key).Union(ao.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                if (key.Contains("@odata.", StringComparison.Ordinal) && key != "@odata.type") continue;
                if (path.Length == 0 && Ignored.Contains(key)) continue;
                CompareNode(path.Length == 0 ? key : $"{path}.{key}", eo[key], ao[key], changes);
            }
            return;
        }
        if (expected is JsonArray ea && actual is JsonArray aa && ea.All(IsScalar) && aa.All(IsScalar))
        {
            var e = ea.Select(Scalar).Order(StringComparer.OrdinalIgnoreCase).ToList();
            var a = aa.Select(Scalar).Order(StringComparer.OrdinalIgnoreCase).ToList();
            if (!e.SequenceEqual(a, StringComparer.OrdinalIgnoreCase)) changes.Add(new FieldChange(path, Text(expected), Text(actual)));
            return;
        }
        if (expected is JsonValue ev && actual is JsonValue av)
        {
            var e = Scalar(ev);
            var a = Scalar(av);
            var equal = path.EndsWith("guestOrExternalUserTypes", StringComparison.Ordinal)
                ? Flags(e).SetEquals(Flags(a))
                : string.Equals(e, a, StringComparison.OrdinalIgnoreCase);
            if (!equal) changes.Add(new FieldChange(path, Text(expected), Text(actual)));
            return;
        }
        if (!JsonNode.DeepEquals(expected, actual)) changes.Add(new FieldChange(path, Text(expected), Text(actual)));
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.All(p => IsEmpty(p.Value) || p.Key.StartsWith("@odata.", StringComparison.Ordinal)),
        JsonValue v => v.GetValueKind() == JsonValueKind.Null || (v.TryGetValue(out string? s) && s.Length == 0),
        _ => false,
    };

    private static bool IsScalar(JsonNode? node) => node is JsonValue;

    private static string Scalar(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : node?.ToJsonString() ?? "";

    private static HashSet<string> Flags(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static string? Text(JsonNode? node) => IsEmpty(node) ? null : node is JsonValue v && v.TryGetValue(out string? s) ? s : node!.ToJsonString();
}

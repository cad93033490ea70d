namespace TeamsBot.Directory;

/// <summary>
/// Conditional Access policy JSON as the bot keeps it: Graph's shape without OData annotations. Nested @odata.type
/// values stay (Graph needs them, e.g. on externalTenants); an expanded authenticationStrength shrinks to its id, which
/// is what a create or update takes.
/// </summary>
public static class CaPolicyJson
{
    private static readonly string[] ReadOnlyFields = ["id", "createdDateTime", "modifiedDateTime", "deletedDateTime"];

    /// <summary>A copy of a policy read from Graph, cleaned of annotations.</summary>
    public static JsonObject Clean(JsonObject policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var copy = (JsonObject)policy.DeepClone();
        StripAnnotations(copy, topLevel: true);
        if (copy["grantControls"] is JsonObject grant && grant["authenticationStrength"] is JsonObject strength)
        {
            grant["authenticationStrength"] = new JsonObject { ["id"] = strength["id"]?.DeepClone() };
        }
        return copy;
    }

    /// <summary>A copy fit to POST or PATCH: cleaned, without the read-only id and dates.</summary>
    public static JsonObject Writable(JsonObject policy)
    {
        var copy = Clean(policy);
        foreach (var field in ReadOnlyFields)
        {
            copy.Remove(field);
        }
        return copy;
    }

    public static CaPolicyDocument ToDocument(JsonObject graphPolicy)
    {
        var body = Clean(graphPolicy);
        return new CaPolicyDocument(
            (string?)body["id"] ?? "",
            (string?)body["displayName"] ?? "",
            (string?)body["state"] ?? "",
            Date(body["createdDateTime"]),
            Date(body["modifiedDateTime"]),
            body);
    }

    private static DateTimeOffset? Date(JsonNode? node) =>
        (string?)node is { Length: > 0 } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;

    private static void StripAnnotations(JsonNode? node, bool topLevel)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var isType = name == "@odata.type";
                    if ((isType && topLevel) || (!isType && name.Contains("@odata.", StringComparison.Ordinal)))
                    {
                        obj.Remove(name);
                    }
                    else
                    {
                        StripAnnotations(obj[name], topLevel: false);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    StripAnnotations(item, topLevel: false);
                }
                break;
        }
    }
}

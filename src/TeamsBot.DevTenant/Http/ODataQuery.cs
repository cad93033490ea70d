using System.Globalization;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Http;

/// <summary>$select, $top and paging as Graph applies them to entities and collections.</summary>
internal static class ODataQuery
{
    /// <summary>The $select list, or null when absent.</summary>
    public static string[]? Select(GraphRequest request) =>
        request.QueryValue("$select") is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;

    /// <summary>The $expand list, or null when absent.</summary>
    public static string[]? Expand(GraphRequest request) =>
        request.QueryValue("$expand") is { Length: > 0 } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;

    /// <summary>The 400 for an $expand of a navigation property the type has not (or the resource does not expand), or null.</summary>
    public static GraphResponse? CheckExpand(string[]? expanded, string typeName, params string[] allowed)
    {
        foreach (var name in expanded ?? [])
        {
            if (!allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return GraphResponse.BadRequest($"Could not find a property named '{name}' on type '{typeName}'.");
            }
        }
        return null;
    }

    /// <summary>An entity answer: the @odata.context annotation first, then the entity's properties.</summary>
    public static JsonObject Entity(JsonObject entity, string contextUrl)
    {
        var result = new JsonObject { ["@odata.context"] = contextUrl };
        foreach (var (name, value) in entity.ToList())
        {
            entity.Remove(name);
            result[name] = value;
        }
        return result;
    }

    /// <summary>Properties of <paramref name="selected"/> unknown to every one of the given types, or null.</summary>
    public static GraphResponse? CheckSelect(string[]? selected, string typeName, params IReadOnlyCollection<string>[] known)
    {
        foreach (var name in selected ?? [])
        {
            if (name != "*" && !known.Any(k => k.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                return GraphResponse.Error(400, "Request_BadRequest", $"Could not find a property named '{name}' on type '{typeName}'.");
            }
        }
        return null;
    }

    /// <summary>
    /// Keeps the selected properties (or the type's defaults) of a full entity. id and @odata.type always stay, as in
    /// Graph's answers for directory objects.
    /// </summary>
    public static JsonObject Project(JsonObject full, string[]? selected, IReadOnlyCollection<string> defaults)
    {
        var keep = selected is null || selected.Contains("*") ? defaults : selected;
        var result = new JsonObject();
        if (full["@odata.type"] is { } type)
        {
            result["@odata.type"] = type.DeepClone();
        }
        foreach (var (name, value) in full)
        {
            if (name == "id" || keep.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                result[name] = value?.DeepClone();
            }
        }
        return result;
    }

    /// <summary>A collection answer with $top and an opaque $skiptoken for the next page.</summary>
    public static GraphResponse Page(GraphRequest request, string contextFragment, IReadOnlyList<JsonObject> items, int defaultPageSize = 100,
        int maxTop = 999)
    {
        var top = defaultPageSize;
        if (request.QueryValue("$top") is { } topText)
        {
            if (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1)
            {
                return GraphResponse.BadRequest($"Invalid $top value '{topText}'.", "Request_BadRequest");
            }
            if (top > maxTop)
            {
                return GraphResponse.BadRequest($"Invalid page size specified: '{top}'. Must be between 1 and {maxTop} inclusive.", "Request_BadRequest");
            }
        }
        var skip = 0;
        if (request.QueryValue("$skiptoken") is { } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            return GraphResponse.BadRequest("The $skiptoken is not valid.", "Request_BadRequest");
        }
        var page = new JsonArray(items.Skip(skip).Take(top).Select(i => (JsonNode)i).ToArray());
        var body = new JsonObject { ["@odata.context"] = request.MetadataUrl(contextFragment) };
        if (skip + top < items.Count)
        {
            var query = request.Query
                .Where(q => !string.Equals(q.Key, "$skiptoken", StringComparison.OrdinalIgnoreCase))
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")
                .Append($"$skiptoken={skip + top}");
            body["@odata.nextLink"] = $"{request.ServiceRoot}{EscapePath(request.Path)}?{string.Join('&', query)}";
        }
        body["value"] = page;
        return GraphResponse.Ok(body);
    }

    private static string EscapePath(string path) =>
        "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
}

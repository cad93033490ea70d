using System.Text.Json;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Http;

/// <summary>One Graph call, from the wire or from a $batch item, with the service root already removed from the path.</summary>
internal sealed record GraphRequest
{
    public required string Method { get; init; }

    /// <summary>The decoded path after <c>/v1.0</c>, starting with '/'.</summary>
    public required string Path { get; init; }

    /// <summary>The decoded query string without '?', for the request log.</summary>
    public required string QueryText { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public string? BodyText { get; init; }

    public bool InBatch { get; init; }

    /// <summary>The request's place in the request log (a $batch hands it to its items).</summary>
    public long Sequence { get; init; }

    /// <summary>The service root the caller used, e.g. http://127.0.0.1:5000/v1.0.</summary>
    public required string ServiceRoot { get; init; }

    /// <summary>"v1.0", or "beta" for the few beta-only calls the tenant answers.</summary>
    public string Version { get; init; } = "v1.0";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as a JSON object, or null when it is absent or not an object.</summary>
    public JsonObject? BodyObject()
    {
        if (string.IsNullOrWhiteSpace(BodyText))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(BodyText) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string MetadataUrl(string fragment) => $"{ServiceRoot}/$metadata#{fragment}";

    /// <summary>Splits a relative URL ("/users/x?$select=id") the way both the wire and $batch items need.</summary>
    public static (string Path, string QueryText, Dictionary<string, string> Query) SplitRelativeUrl(string url)
    {
        // $batch urls arrive unescaped by the SDK: a UPN may hold a literal '#', so only '?' splits.
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? url : url[..question];
        var rawQuery = question < 0 ? "" : url[(question + 1)..];
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var decodedParts = new List<string>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Unescape(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Unescape(part[(eq + 1)..]);
            query[name] = value;
            decodedParts.Add(eq < 0 ? name : $"{name}={value}");
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape);
        return ("/" + string.Join('/', segments), string.Join('&', decodedParts), query);
    }

    private static string Unescape(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}

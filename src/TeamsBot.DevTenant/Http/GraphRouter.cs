namespace TeamsBot.DevTenant.Http;

internal delegate ValueTask<GraphResponse> GraphHandler(GraphRequest request, IReadOnlyDictionary<string, string> route);

/// <summary>
/// The Graph route table. Requests from the wire and $batch items are dispatched through the same table, so a batch
/// item behaves exactly like the call it stands for.
/// </summary>
internal sealed class GraphRouter
{
    private readonly List<Route> routes = [];

    public void Map(string method, string template, Func<GraphRequest, IReadOnlyDictionary<string, string>, GraphResponse> handler) =>
        MapAsync(method, template, (request, route) => ValueTask.FromResult(handler(request, route)));

    public void MapAsync(string method, string template, GraphHandler handler) =>
        routes.Add(new Route(method, template.Split('/', StringSplitOptions.RemoveEmptyEntries), handler));

    public ValueTask<GraphResponse> DispatchAsync(GraphRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathKnown = false;
        foreach (var route in routes)
        {
            var values = route.Match(segments);
            if (values is null)
            {
                continue;
            }
            pathKnown = true;
            if (string.Equals(route.Method, request.Method, StringComparison.OrdinalIgnoreCase))
            {
                return route.Handler(request, values);
            }
        }
        var answer = pathKnown
            ? GraphResponse.Error(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.")
            : GraphResponse.BadRequest($"Resource not found for the segment '{segments.LastOrDefault() ?? ""}'.");
        return ValueTask.FromResult(answer);
    }

    private sealed record Route(string Method, string[] Segments, GraphHandler Handler)
    {
        public Dictionary<string, string>? Match(string[] path)
        {
            if (path.Length != Segments.Length)
            {
                return null;
            }
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < path.Length; i++)
            {
                var template = Segments[i];
                if (template.StartsWith('{') && template.EndsWith('}'))
                {
                    values[template[1..^1]] = path[i];
                }
                else if (!string.Equals(template, path[i], StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }
            }
            return values;
        }
    }
}

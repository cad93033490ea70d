using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TeamsBot.DevTenant.Http;

/// <summary>
/// POST /$batch: up to 20 requests with unique ids, each run through the same pipeline (routes, faults, log) as a
/// direct call. The batch answers 200 with a status per item; dependsOn is honoured (424 after a failed dependency).
/// </summary>
internal sealed class BatchEndpoint(Func<GraphPipeline> pipeline)
{
    public const int MaxRequests = 20;

    public void Map(GraphRouter router) => router.MapAsync("POST", "/$batch", HandleAsync);

    private async ValueTask<GraphResponse> HandleAsync(GraphRequest request, IReadOnlyDictionary<string, string> route)
    {
        if (request.InBatch)
        {
            return GraphResponse.BadRequest("Nested batch requests are not supported.");
        }
        if (request.BodyObject()?["requests"] is not JsonArray items)
        {
            return GraphResponse.BadRequest("Invalid batch payload format.");
        }
        if (items.Count == 0)
        {
            return GraphResponse.BadRequest("Invalid batch payload format: the batch has no requests.");
        }
        if (items.Count > MaxRequests)
        {
            return GraphResponse.BadRequest($"The batch has {items.Count} requests; a batch may hold at most {MaxRequests}.");
        }
        var steps = new List<Step>();
        foreach (var item in items)
        {
            if (Step.Read(item as JsonObject) is not { } step)
            {
                return GraphResponse.BadRequest("Invalid batch payload format: every request needs an id, a method and a url.");
            }
            if (steps.Any(s => s.Id == step.Id))
            {
                return GraphResponse.BadRequest($"Invalid batch payload format: the request id '{step.Id}' is used more than once.");
            }
            if (step.Body is not null && !step.Headers.ContainsKey("Content-Type"))
            {
                return GraphResponse.BadRequest($"Invalid batch payload format: request '{step.Id}' has a body but no Content-Type header.");
            }
            steps.Add(step);
        }
        if (steps.SelectMany(s => s.DependsOn).FirstOrDefault(d => steps.All(s => s.Id != d)) is { } unknown)
        {
            return GraphResponse.BadRequest($"Invalid batch payload format: dependsOn names the unknown request id '{unknown}'.");
        }

        var statuses = new Dictionary<string, int>();
        var responses = new JsonArray();
        while (statuses.Count < steps.Count)
        {
            var next = steps.FirstOrDefault(s => !statuses.ContainsKey(s.Id) && s.DependsOn.All(statuses.ContainsKey));
            if (next is null)
            {
                return GraphResponse.BadRequest("Invalid batch payload format: dependsOn forms a cycle.");
            }
            GraphResponse answer;
            if (next.DependsOn.Any(d => statuses[d] >= 400))
            {
                answer = GraphResponse.Error(424, "FailedDependency", "The request was not run because a request it depends on failed.");
            }
            else
            {
                answer = await pipeline().SendAsync(next.ToRequest(request), request.Sequence, CancellationToken.None).ConfigureAwait(false);
            }
            statuses[next.Id] = answer.Status;
            var headers = new JsonObject();
            foreach (var (name, value) in answer.Headers)
            {
                headers[name] = value;
            }
            var response = new JsonObject { ["id"] = next.Id, ["status"] = answer.Status, ["headers"] = headers };
            if (answer.Body is not null)
            {
                headers["Content-Type"] = "application/json";
                response["body"] = answer.Body;
            }
            responses.Add(response);
        }
        return GraphResponse.Ok(new JsonObject { ["responses"] = responses });
    }

    private sealed record Step(string Id, string Method, string Url, Dictionary<string, string> Headers, string? Body, List<string> DependsOn)
    {
        public static Step? Read(JsonObject? item)
        {
            if (item is null || (string?)(item["id"] as JsonValue) is not { Length: > 0 } id
                || (string?)(item["method"] as JsonValue) is not { Length: > 0 } method
                || (string?)(item["url"] as JsonValue) is not { Length: > 0 } url)
            {
                return null;
            }
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in item["headers"] as JsonObject ?? [])
            {
                headers[name] = value?.ToString() ?? "";
            }
            string? body = item["body"] switch
            {
                null => null,
                // Non-JSON bodies travel base64-encoded.
                JsonValue text when text.GetValueKind() == JsonValueKind.String
                    && !(headers.GetValueOrDefault("Content-Type")?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false)
                    => Encoding.UTF8.GetString(Convert.FromBase64String((string)text!)),
                var json => json.ToJsonString(),
            };
            var dependsOn = (item["dependsOn"] as JsonArray ?? []).Select(d => (string?)d).OfType<string>().ToList();
            return new Step(id, method.ToUpperInvariant(), url, headers, body, dependsOn);
        }

        public GraphRequest ToRequest(GraphRequest batch)
        {
            var relative = Url;
            if (Uri.TryCreate(relative, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal))
            {
                relative = absolute.PathAndQuery;
            }
            if (!relative.StartsWith('/'))
            {
                relative = "/" + relative;
            }
            var versionPrefix = "/" + batch.Version + "/";
            if (relative.StartsWith(versionPrefix, StringComparison.OrdinalIgnoreCase))
            {
                relative = relative[(versionPrefix.Length - 1)..];
            }
            var (path, queryText, query) = GraphRequest.SplitRelativeUrl(relative);
            return new GraphRequest
            {
                Method = Method,
                Path = path,
                QueryText = queryText,
                Query = query,
                Headers = Headers,
                BodyText = Body,
                InBatch = true,
                ServiceRoot = batch.ServiceRoot,
                Version = batch.Version,
            };
        }
    }
}

using System.Text.Json.Nodes;
using TeamsBot.DevTenant.Dev;
using TeamsBot.DevTenant.Tenant;

namespace TeamsBot.DevTenant.Http;

/// <summary>
/// What every Graph call goes through, on the wire or inside a $batch: faults, the optional CA rate limit,
/// dispatch, Graph's error decorations, and the request log. There is one pipeline per Graph version; the beta one
/// logs and matches faults on paths that start with "/beta" (the v1.0 one on the path after "/v1.0").
/// </summary>
internal sealed class GraphPipeline(GraphRouter router, FaultInjector faults, RequestLog log, TimeProvider time, bool throttleConditionalAccess,
    string pathPrefix = "")
{
    private readonly Lock caGate = new();
    private DateTimeOffset lastConditionalAccessCall = DateTimeOffset.MinValue;

    public async Task<GraphResponse> SendAsync(GraphRequest request, long? batchSequence, CancellationToken ct)
    {
        var sequence = log.NextSequence();
        var decision = faults.Decide(request.Method, pathPrefix + request.Path, request.InBatch);
        if (decision.Latency > TimeSpan.Zero)
        {
            await Task.Delay(decision.Latency, ct).ConfigureAwait(false);
        }
        GraphResponse response;
        if (decision.Failure is { } fault)
        {
            response = FaultAnswer(fault);
        }
        else if (throttleConditionalAccess && ConditionalAccessTooSoon(request))
        {
            // The CA limit is 1 request/second per tenant, and its 429s carry no Retry-After (graph-entra.md §6).
            response = GraphResponse.Error(429, "TooManyRequests", "Too many requests to Conditional Access. Limit is 1 request per second per tenant.");
        }
        else
        {
            try
            {
                response = await router.DispatchAsync(request with { Sequence = sequence }).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                response = GraphResponse.Error(500, "generalException", "An unexpected error occurred in the simulated tenant: " + e.GetType().Name);
            }
        }
        Decorate(response, request);
        log.Add(new RequestLogEntry(sequence, time.GetUtcNow(), request.Method, pathPrefix + request.Path, request.QueryText, response.Status,
            request.InBatch, batchSequence, decision.FiredRuleIds));
        return response;
    }

    /// <summary>Answers without running the request (authentication failures), still logged.</summary>
    public GraphResponse Reject(GraphRequest request, GraphResponse response)
    {
        var sequence = log.NextSequence();
        Decorate(response, request);
        log.Add(new RequestLogEntry(sequence, time.GetUtcNow(), request.Method, pathPrefix + request.Path, request.QueryText, response.Status,
            request.InBatch, null, null));
        return response;
    }

    private bool ConditionalAccessTooSoon(GraphRequest request)
    {
        if (!request.Path.StartsWith("/identity/conditionalAccess", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        lock (caGate)
        {
            var now = time.GetUtcNow();
            if (now - lastConditionalAccessCall < TimeSpan.FromSeconds(1))
            {
                return true;
            }
            lastConditionalAccessCall = now;
            return false;
        }
    }

    private static GraphResponse FaultAnswer(FaultRule fault)
    {
        var answer = fault.Kind == FaultKind.Throttle
            ? GraphResponse.Error(429, "TooManyRequests", "Too many requests. Retry after the time given in the Retry-After header.")
            : GraphResponse.Error(503, "serviceNotAvailable",
                "The service is temporarily unavailable. Retry after the time given in the Retry-After header.");
        if (fault.RetryAfterSeconds is { } seconds)
        {
            answer.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return answer;
    }

    /// <summary>Request ids on every answer and Graph's innerError on every error.</summary>
    private void Decorate(GraphResponse response, GraphRequest request)
    {
        var requestId = Guid.NewGuid().ToString();
        var clientRequestId = request.Header("client-request-id") ?? requestId;
        response.Headers["request-id"] = requestId;
        response.Headers["client-request-id"] = clientRequestId;
        if (response.Body?["error"] is JsonObject error && error["innerError"] is null)
        {
            error["innerError"] = new JsonObject
            {
                ["date"] = SeedLoader.Format(time.GetUtcNow()),
                ["request-id"] = requestId,
                ["client-request-id"] = clientRequestId,
            };
        }
    }
}

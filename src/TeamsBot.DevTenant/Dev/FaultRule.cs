using System.Text.Json.Serialization;

namespace TeamsBot.DevTenant.Dev;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>429 Too Many Requests, with Retry-After when <see cref="FaultRule.RetryAfterSeconds"/> is set.</summary>
    Throttle,

    /// <summary>503 Service Unavailable, with Retry-After when <see cref="FaultRule.RetryAfterSeconds"/> is set.</summary>
    Unavailable,

    /// <summary>Adds <see cref="FaultRule.LatencyMilliseconds"/> before the request is answered normally.</summary>
    Latency,
}

/// <summary>A fault the simulated tenant injects into matching requests.</summary>
public sealed record FaultRule
{
    /// <summary>Assigned when the rule is added.</summary>
    public string? Id { get; init; }

    /// <summary>The HTTP method to match (GET, POST...), or null for any.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// The path after /v1.0 to match as a prefix, segment by segment and case-insensitively; '*' matches any one
    /// segment ("/users/*/manager"). "/$batch" is the batch call itself; batch items are matched by their own paths.
    /// </summary>
    public string Path { get; init; } = "/";

    public FaultKind Kind { get; init; } = FaultKind.Throttle;

    /// <summary>The share of matching requests that get the fault, 0..1.</summary>
    public double Rate { get; init; } = 1;

    /// <summary>The Retry-After header sent with 429/503, in seconds; null sends none.</summary>
    public int? RetryAfterSeconds { get; init; } = 1;

    public int LatencyMilliseconds { get; init; }

    /// <summary>Stop injecting after this many hits; null for no limit.</summary>
    public int? MaxCount { get; init; }

    /// <summary>Whether $batch items are candidates too (they are matched on their own method and path).</summary>
    public bool IncludeBatchItems { get; init; } = true;

    /// <summary>How many times the rule fired (in snapshots).</summary>
    public int Hits { get; init; }
}

namespace TeamsBot.DevTenant.Dev;

/// <summary>Faults switched on per route, at a rate, programmatically or through /_dev/faults.</summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<FaultRule> rules = [];
    private readonly Dictionary<string, int> hits = [];
    private Random random;
    private int nextId;

    public FaultInjector(int? seed = null) => random = seed is { } s ? new Random(s) : new Random();

    /// <summary>The rules in order, with their hit counts.</summary>
    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (gate)
            {
                return rules.Select(r => r with { Hits = hits.GetValueOrDefault(r.Id!) }).ToList();
            }
        }
    }

    /// <summary>Makes the rate decisions repeatable.</summary>
    public void UseSeed(int seed)
    {
        lock (gate)
        {
            random = new Random(seed);
        }
    }

    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Rate is < 0 or > 1 || double.IsNaN(rule.Rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), "Rate must be between 0 and 1.");
        }
        if (string.IsNullOrWhiteSpace(rule.Path) || !rule.Path.StartsWith('/'))
        {
            throw new ArgumentException("Path must start with '/'.", nameof(rule));
        }
        if (rule.RetryAfterSeconds is < 0 || rule.LatencyMilliseconds < 0 || rule.MaxCount is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), "RetryAfterSeconds, LatencyMilliseconds and MaxCount cannot be negative.");
        }
        lock (gate)
        {
            var added = rule with { Id = $"fault-{++nextId}", Method = rule.Method?.ToUpperInvariant(), Hits = 0 };
            rules.Add(added);
            return added;
        }
    }

    /// <summary>429 with Retry-After on a route.</summary>
    public FaultRule Throttle(string path, double rate = 1, int? retryAfterSeconds = 1, string? method = null, int? maxCount = null) =>
        Add(new FaultRule { Path = path, Method = method, Kind = FaultKind.Throttle, Rate = rate, RetryAfterSeconds = retryAfterSeconds, MaxCount = maxCount });

    /// <summary>503 on a route.</summary>
    public FaultRule Unavailable(string path, double rate = 1, int? retryAfterSeconds = 1, string? method = null, int? maxCount = null) =>
        Add(new FaultRule { Path = path, Method = method, Kind = FaultKind.Unavailable, Rate = rate, RetryAfterSeconds = retryAfterSeconds, MaxCount = maxCount });

    /// <summary>Added latency on a route.</summary>
    public FaultRule Delay(string path, TimeSpan latency, double rate = 1, string? method = null) =>
        Add(new FaultRule { Path = path, Method = method, Kind = FaultKind.Latency, Rate = rate, LatencyMilliseconds = (int)latency.TotalMilliseconds });

    public bool Remove(string id)
    {
        lock (gate)
        {
            hits.Remove(id);
            return rules.RemoveAll(r => r.Id == id) > 0;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
            hits.Clear();
        }
    }

    /// <summary>The faults for one request: summed latency and at most one failing rule.</summary>
    internal FaultDecision Decide(string method, string path, bool inBatch)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        lock (gate)
        {
            var latency = 0;
            FaultRule? failure = null;
            var firedIds = new List<string>();
            foreach (var rule in rules)
            {
                if ((inBatch && !rule.IncludeBatchItems)
                    || (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase))
                    || !Matches(rule.Path, segments)
                    || (rule.MaxCount is { } max && hits.GetValueOrDefault(rule.Id!) >= max)
                    || (rule.Kind != FaultKind.Latency && failure is not null))
                {
                    continue;
                }
                if (rule.Rate < 1 && random.NextDouble() >= rule.Rate)
                {
                    continue;
                }
                hits[rule.Id!] = hits.GetValueOrDefault(rule.Id!) + 1;
                firedIds.Add(rule.Id!);
                if (rule.Kind == FaultKind.Latency)
                {
                    latency += rule.LatencyMilliseconds;
                }
                else
                {
                    failure = rule;
                }
            }
            return new FaultDecision(TimeSpan.FromMilliseconds(latency), failure, firedIds.Count == 0 ? null : string.Join(',', firedIds));
        }
    }

    private static bool Matches(string pattern, string[] path)
    {
        var wanted = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (wanted.Length > path.Length)
        {
            return false;
        }
        for (var i = 0; i < wanted.Length; i++)
        {
            if (wanted[i] != "*" && !string.Equals(wanted[i], path[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }
}

internal sealed record FaultDecision(TimeSpan Latency, FaultRule? Failure, string? FiredRuleIds);

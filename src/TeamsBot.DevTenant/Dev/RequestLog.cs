namespace TeamsBot.DevTenant.Dev;

/// <summary>
/// One request the simulated tenant served. Bodies are never recorded: they can hold pass values.
/// </summary>
/// <param name="Sequence">Order of arrival.</param>
/// <param name="InBatch">True for an item inside a $batch; false for an HTTP round trip.</param>
/// <param name="BatchSequence">The sequence of the $batch request an item belongs to.</param>
/// <param name="Faults">Ids of the fault rules that fired, if any.</param>
public sealed record RequestLogEntry(long Sequence, DateTimeOffset Timestamp, string Method, string Path, string Query, int Status,
    bool InBatch, long? BatchSequence, string? Faults);

/// <summary>The requests served, so tests can count Graph round trips and batch items separately.</summary>
public sealed class RequestLog
{
    private readonly Lock gate = new();
    private readonly List<RequestLogEntry> entries = [];
    private long sequence;

    /// <summary>All entries in arrival order.</summary>
    public IReadOnlyList<RequestLogEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return entries.OrderBy(e => e.Sequence).ToList();
            }
        }
    }

    /// <summary>HTTP requests that reached the tenant (a $batch counts once).</summary>
    public int RoundTrips => Entries.Count(e => !e.InBatch);

    /// <summary>Items served inside $batch requests.</summary>
    public int BatchItems => Entries.Count(e => e.InBatch);

    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }

    internal long NextSequence() => Interlocked.Increment(ref sequence);

    internal void Add(RequestLogEntry entry)
    {
        lock (gate)
        {
            entries.Add(entry);
        }
    }
}

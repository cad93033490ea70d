namespace TeamsBot.Storage;

public sealed record Lease(string Name, string Owner, DateTimeOffset ExpiresAt);

/// <summary>
/// A named lease in the shared store, so that one instance at a time runs a background job; an instance that dies
/// stops renewing and another takes over when the lease expires.
/// </summary>
public interface ILeases
{
    /// <summary>Takes or renews the lease for <paramref name="owner"/>; false when another live owner holds it.</summary>
    Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken ct = default);
    Task ReleaseAsync(string name, string owner, CancellationToken ct = default);
}

/// <summary>
/// Every change is a compare-and-swap on the lease document: of several instances that read the same expired (or
/// missing) lease, exactly one write succeeds, the others see false. Expiry is judged by the reader's clock, so the
/// lease duration must exceed the clock skew between instances (minutes of margin for the bot's jobs).
/// </summary>
public sealed class Leases(IDocumentStore store, TimeProvider time, ILogger<Leases> logger) : ILeases
{
    private const string Collection = "leases";

    public async Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var json = JsonSerializer.Serialize(new Lease(name, owner, now + duration), StorageJson.Default.Lease);
        var current = await store.GetAsync(Collection, name, ct);
        if (current is null)
        {
            var taken = await store.TryInsertAsync(Collection, name, json, ct);
            Log(taken, name, owner, previous: null);
            return taken;
        }
        var lease = JsonSerializer.Deserialize(current.Json, StorageJson.Default.Lease)!;
        if (lease.Owner != owner && lease.ExpiresAt > now)
        {
            logger.LogDebug("Lease {Lease} is held by {Holder} until {ExpiresAt:O}; {Owner} does not run it", name, lease.Owner, lease.ExpiresAt, owner);
            return false;
        }
        var won = await store.TryReplaceAsync(Collection, name, json, current.ETag, ct);
        Log(won, name, owner, lease.Owner);
        return won;
    }

    public async Task ReleaseAsync(string name, string owner, CancellationToken ct = default)
    {
        var current = await store.GetAsync(Collection, name, ct);
        if (current is null) return;
        var lease = JsonSerializer.Deserialize(current.Json, StorageJson.Default.Lease)!;
        if (lease.Owner == owner && await store.DeleteAsync(Collection, name, current.ETag, ct))
            logger.LogInformation("Lease {Lease} released by {Owner}", name, owner);
    }

    private void Log(bool won, string name, string owner, string? previous)
    {
        if (!won) logger.LogDebug("Lease {Lease}: another instance wrote it first; {Owner} does not run it", name, owner);
        else if (previous == owner) logger.LogDebug("Lease {Lease} renewed by {Owner}", name, owner);
        else logger.LogInformation("Lease {Lease} taken by {Owner} (before: {Previous})", name, owner, previous ?? "nobody");
    }
}

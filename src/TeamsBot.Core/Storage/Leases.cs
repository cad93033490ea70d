using System.Text.Json;

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

public sealed class Leases(IDocumentStore store, TimeProvider time) : ILeases
{
    private const string Collection = "leases";

    public async Task<bool> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var json = JsonSerializer.Serialize(new Lease(name, owner, now + duration), StorageJson.Default.Lease);
        var current = await store.GetAsync(Collection, name, ct);
        if (current is null) return await store.TryInsertAsync(Collection, name, json, ct);
        var lease = JsonSerializer.Deserialize(current.Json, StorageJson.Default.Lease)!;
        if (lease.Owner != owner && lease.ExpiresAt > now) return false;
        return await store.TryReplaceAsync(Collection, name, json, current.ETag, ct);
    }

    public async Task ReleaseAsync(string name, string owner, CancellationToken ct = default)
    {
        var current = await store.GetAsync(Collection, name, ct);
        if (current is null) return;
        var lease = JsonSerializer.Deserialize(current.Json, StorageJson.Default.Lease)!;
        if (lease.Owner == owner) await store.DeleteAsync(Collection, name, current.ETag, ct);
    }
}

using System.Text.Json;

namespace TeamsBot.Storage;

public sealed record IdempotencyRecord(string Key, string Result, DateTimeOffset At);

/// <summary>Remembers that an operation ran, and what it produced, so that a repeat returns the first result.</summary>
public interface IIdempotencyKeys
{
    /// <summary>Claims <paramref name="key"/> with <paramref name="result"/>; returns the result of whoever claimed it first.</summary>
    Task<string> ClaimAsync(string key, string result, CancellationToken ct = default);

    /// <summary>Gives a key up (the operation it guarded was refused, so a retry may try again).</summary>
    Task ReleaseAsync(string key, CancellationToken ct = default);
}

public sealed class IdempotencyKeys(IDocumentStore store, TimeProvider time) : IIdempotencyKeys
{
    private const string Collection = "idempotency";

    public async Task<string> ClaimAsync(string key, string result, CancellationToken ct = default)
    {
        var json = JsonSerializer.Serialize(new IdempotencyRecord(key, result, time.GetUtcNow()), StorageJson.Default.IdempotencyRecord);
        while (true)
        {
            if (await store.TryInsertAsync(Collection, key, json, ct)) return result;
            var existing = await store.GetAsync(Collection, key, ct);
            if (existing is not null) return JsonSerializer.Deserialize(existing.Json, StorageJson.Default.IdempotencyRecord)!.Result;
            // Released between our insert and our read (another instance gave it up): claim it again rather than
            // report a claim nobody holds.
        }
    }

    public Task ReleaseAsync(string key, CancellationToken ct = default) => store.DeleteAsync(Collection, key, ct: ct);
}

namespace TeamsBot.Storage;

/// <summary>One append-only audit record. Never holds a pass or a token.</summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Action,
    string ActorId,
    string ActorName,
    string Target,
    string Outcome,
    string? Details = null,
    string? CorrelationId = null);

public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken ct = default);
    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken ct = default);

    /// <summary>Newest first, older than <paramref name="before"/> (the <see cref="AuditPage.Next"/> of the page before).</summary>
    Task<AuditPage> PageAsync(int limit, string? before, CancellationToken ct = default);
}

/// <summary>A page of the audit, newest first, and where the next (older) page starts; null at the end.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? Next);

public sealed class AuditLog(IDocumentStore store) : IAuditLog
{
    private const string Collection = "audit";

    public async Task AppendAsync(AuditEntry entry, CancellationToken ct = default)
    {
        var json = JsonSerializer.Serialize(entry, StorageJson.Default.AuditEntry);
        // A fresh random suffix per attempt: a clash is astronomically rare, and the record must not be lost.
        while (!await store.TryInsertAsync(Collection, TimeOrderedKey.New(entry.At), json, ct)) { }
    }

    public async Task<AuditPage> PageAsync(int limit, string? before, CancellationToken ct = default)
    {
        var documents = await store.ListAsync(Collection, new DocumentPage(limit + 1, Descending: true, AfterKey: before), ct);
        var shown = documents.Take(limit).ToList();
        return new AuditPage([.. shown.Select(d => JsonSerializer.Deserialize(d.Json, StorageJson.Default.AuditEntry)!)],
            documents.Count > limit ? shown[^1].Key : null);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken ct = default)
    {
        var documents = await store.ListAsync(Collection, new DocumentPage(limit, Descending: true), ct);
        return [.. documents.Select(d => JsonSerializer.Deserialize(d.Json, StorageJson.Default.AuditEntry)!)];
    }
}

using TeamsBot.Storage;

namespace TeamsBot.Approvals;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApprovalRecord))]
internal sealed partial class ApprovalJson : JsonSerializerContext;

/// <summary>Approval records in the document store; writes are compare-and-swap on the store's ETag.</summary>
public sealed class ApprovalStore(IDocumentStore store)
{
    private const string Collection = "approvals";
    // One empty document per record, keyed kind:requester:record id, so that a requester's records are one short
    // range read however many records others filed since.
    private const string ByRequester = "approvalsByRequester";

    public async Task<bool> TryAddAsync(ApprovalRecord record, CancellationToken ct)
    {
        // The index entry first: a crash in between leaves an entry without a record (skipped when read), never a
        // record its requester cannot list.
        await store.UpsertAsync(ByRequester, RequesterPrefix(record.Kind, record.Requester.Id) + record.Id, "{}", ct);
        return await store.TryInsertAsync(Collection, record.Id, Serialize(record), ct);
    }

    /// <summary>A requester's newest records of one kind, newest first.</summary>
    public async Task<IReadOnlyList<ApprovalRecord>> ByRequesterAsync(string kind, string requesterId, int limit, CancellationToken ct)
    {
        var prefix = RequesterPrefix(kind, requesterId);
        var entries = await store.ListAsync(ByRequester, new DocumentPage(limit, Descending: true, KeyPrefix: prefix), ct);
        var documents = await Task.WhenAll(entries.Select(e => store.GetAsync(Collection, e.Key[prefix.Length..], ct)));
        return [.. documents.OfType<StoredDocument>().Select(d => Deserialize(d.Json))];
    }

    public async Task<(ApprovalRecord Record, string ETag)?> GetAsync(string id, CancellationToken ct)
    {
        var document = await store.GetAsync(Collection, id, ct);
        return document is null ? null : (Deserialize(document.Json), document.ETag);
    }

    public Task<bool> TryReplaceAsync(ApprovalRecord record, string etag, CancellationToken ct) =>
        store.TryReplaceAsync(Collection, record.Id, Serialize(record), etag, ct);

    /// <summary>The newest records first (ids are time-ordered).</summary>
    public async Task<IReadOnlyList<ApprovalRecord>> RecentAsync(int limit, CancellationToken ct)
    {
        var documents = await store.ListAsync(Collection, new DocumentPage(limit, Descending: true), ct);
        return [.. documents.Select(d => Deserialize(d.Json))];
    }

    private static string RequesterPrefix(string kind, string requesterId) => $"{kind}:{requesterId.ToLowerInvariant()}:";

    private static string Serialize(ApprovalRecord record) => JsonSerializer.Serialize(record, ApprovalJson.Default.ApprovalRecord);
    private static ApprovalRecord Deserialize(string json) => JsonSerializer.Deserialize(json, ApprovalJson.Default.ApprovalRecord)!;
}

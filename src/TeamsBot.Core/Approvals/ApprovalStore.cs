using TeamsBot.Storage;

namespace TeamsBot.Approvals;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApprovalRecord))]
internal sealed partial class ApprovalJson : JsonSerializerContext;

/// <summary>Approval records in the document store; writes are compare-and-swap on the store's ETag.</summary>
public sealed class ApprovalStore(IDocumentStore store, TimeProvider time)
{
    private const string Collection = "approvals";
    // One empty document per record, keyed kind:requester:record id, so that a requester's records are one short
    // range read however many records others filed since.
    private const string ByRequester = "approvalsByRequester";
    // One empty document per open record (ApprovalRecord.IsOpen), keyed kind:record id: the jobs and the pending lists
    // read what is still open, however many records were filed and closed since.
    private const string Open = "approvalsOpen";
    // Marks a store whose open records are all in the index (records filed before the index existed are added once).
    private const string Meta = "approvalsMeta";
    private const string OpenIndexed = "openIndex";
    private const int Page = 200;
    private readonly Lock _gate = new();
    private Task? _indexing;

    public async Task<bool> TryAddAsync(ApprovalRecord record, CancellationToken ct)
    {
        // The index entries first: a crash in between leaves an entry without a record (skipped when read), never a
        // record its requester cannot list or a job cannot find.
        await store.UpsertAsync(ByRequester, RequesterPrefix(record.Kind, record.Requester.Id) + record.Id, "{}", ct);
        if (record.IsOpen(record.UpdatedAt)) await store.UpsertAsync(Open, OpenKey(record), "{}", ct);
        return await store.TryInsertAsync(Collection, record.Id, Serialize(record), ct);
    }

    /// <summary>
    /// Every open record of <paramref name="kind"/>, oldest first. Entries of records closed since (a crash between the
    /// write and the index, or a watch that ran out) are dropped as they are met.
    /// </summary>
    public async Task<IReadOnlyList<ApprovalRecord>> OpenAsync(string kind, CancellationToken ct)
    {
        await EnsureOpenIndexAsync(ct);
        var now = time.GetUtcNow();
        var prefix = kind + ":";
        var open = new List<ApprovalRecord>();
        string? after = null;
        while (true)
        {
            var entries = await store.ListAsync(Open, new DocumentPage(Page, AfterKey: after, KeyPrefix: prefix), ct);
            var documents = await Task.WhenAll(entries.Select(e => store.GetAsync(Collection, e.Key[prefix.Length..], ct)));
            for (var i = 0; i < entries.Count; i++)
            {
                if (documents[i] is { } document && Deserialize(document.Json) is var record && record.Kind == kind && record.IsOpen(now)) open.Add(record);
                else if (documents[i] is not null) await store.DeleteAsync(Open, entries[i].Key, ct: ct);
            }
            if (entries.Count < Page) return open;
            after = entries[^1].Key;
        }
    }

    /// <summary>Adds the open records filed before the index existed, once per store (again after a failed try).</summary>
    private Task EnsureOpenIndexAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_indexing is null || _indexing.IsFaulted || _indexing.IsCanceled) _indexing = IndexOpenRecordsAsync();
            return _indexing.WaitAsync(ct);
        }
    }

    private async Task IndexOpenRecordsAsync()
    {
        if (await store.GetAsync(Meta, OpenIndexed) is not null) return;
        var now = time.GetUtcNow();
        string? after = null;
        while (true)
        {
            var documents = await store.ListAsync(Collection, new DocumentPage(Page, AfterKey: after));
            foreach (var document in documents)
                if (Deserialize(document.Json) is var record && record.IsOpen(now)) await store.UpsertAsync(Open, OpenKey(record), "{}");
            if (documents.Count < Page) break;
            after = documents[^1].Key;
        }
        await store.UpsertAsync(Meta, OpenIndexed, "{}");
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

    public async Task<bool> TryReplaceAsync(ApprovalRecord record, string etag, CancellationToken ct)
    {
        if (!await store.TryReplaceAsync(Collection, record.Id, Serialize(record), etag, ct)) return false;
        // Records never reopen: once closed, the index forgets them.
        if (!record.IsOpen(record.UpdatedAt)) await store.DeleteAsync(Open, OpenKey(record), ct: ct);
        return true;
    }

    /// <summary>The newest records first (ids are time-ordered).</summary>
    public async Task<IReadOnlyList<ApprovalRecord>> RecentAsync(int limit, CancellationToken ct)
    {
        var documents = await store.ListAsync(Collection, new DocumentPage(limit, Descending: true), ct);
        return [.. documents.Select(d => Deserialize(d.Json))];
    }

    private static string OpenKey(ApprovalRecord record) => $"{record.Kind}:{record.Id}";

    private static string RequesterPrefix(string kind, string requesterId) => $"{kind}:{requesterId.ToLowerInvariant()}:";

    private static string Serialize(ApprovalRecord record) => JsonSerializer.Serialize(record, ApprovalJson.Default.ApprovalRecord);
    private static ApprovalRecord Deserialize(string json) => JsonSerializer.Deserialize(json, ApprovalJson.Default.ApprovalRecord)!;
}

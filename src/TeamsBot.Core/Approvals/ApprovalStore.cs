using System.Text.Json;
using System.Text.Json.Serialization;
using TeamsBot.Storage;

namespace TeamsBot.Approvals;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApprovalRecord))]
internal sealed partial class ApprovalJson : JsonSerializerContext;

/// <summary>Approval records in the document store; writes are compare-and-swap on the store's ETag.</summary>
public sealed class ApprovalStore(IDocumentStore store)
{
    private const string Collection = "approvals";

    public async Task<bool> TryAddAsync(ApprovalRecord record, CancellationToken ct) =>
        await store.TryInsertAsync(Collection, record.Id, Serialize(record), ct);

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

    private static string Serialize(ApprovalRecord record) => JsonSerializer.Serialize(record, ApprovalJson.Default.ApprovalRecord);
    private static ApprovalRecord Deserialize(string json) => JsonSerializer.Deserialize(json, ApprovalJson.Default.ApprovalRecord)!;
}

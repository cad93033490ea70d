using Azure;
using Azure.Data.Tables;

namespace TeamsBot.Storage;

/// <summary>
/// Documents in one Azure Table, shared by every instance of the bot.
/// <para>
/// Layout: PartitionKey = the collection, so that a collection is one partition and the two rows of a document can be
/// written in one entity group transaction (atomic). Each document has a <c>k</c> row (RowKey "k" + the encoded key,
/// <see cref="TableKeys"/>) and an <c>r</c> row (RowKey "r" + the inverted encoded key) holding the same JSON: the service
/// returns a partition in ascending RowKey order only, so "newest first" reads (approvals, audit) walk the <c>r</c> rows,
/// and cost a page read like ascending ones instead of a scan of the whole collection. The price: every write puts two
/// entities (one transaction, one round trip) and a collection takes twice the space. The bot's collections are small
/// (requests, audit lines, a few thousand a year), far below a partition's 2,000 entities per second.
/// </para>
/// <para>
/// Concurrency: the ETag handed out names the row it was read from ("k…" or "r…") and that row's service ETag; a
/// conditional write puts the condition on that row and writes the other one in the same transaction, so a write
/// succeeds only if no one wrote the document since it was read. Each write also stores a fresh write id, so that a
/// write whose answer was lost and whose retry the service then refused (409/412) is still recognised as ours.
/// </para>
/// </summary>
public sealed class AzureTableDocumentStore : IDocumentStore
{
    /// <summary>Characters per string property: the service allows 64 KiB of UTF-16.</summary>
    public const int ChunkLength = 32 * 1024;

    /// <summary>Longest JSON document: 15 properties of 64 KiB stay under the 1 MiB an entity may hold.</summary>
    public const int MaxJsonLength = ChunkLength * 15;

    private const string KeyRows = "k";
    private const string ReverseRows = "r";
    private const string WriteIdProperty = "W";
    private const string JsonProperty = "Json";

    private readonly TableClient _table;
    private readonly Lock _createLock = new();
    private Task? _created;

    public AzureTableDocumentStore(TableServiceClient service, string tableName)
    {
        if (!AzureTablesOptions.IsValidTableName(tableName))
            throw new ArgumentException($"'{tableName}' is not a valid Azure table name (3-63 letters and digits, starting with a letter).", nameof(tableName));
        _table = service.GetTableClient(tableName);
    }

    public string TableName => _table.Name;

    public async Task<StoredDocument?> GetAsync(string collection, string key, CancellationToken ct = default)
    {
        await EnsureTableAsync(ct);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(collection), KeyRow(key), cancellationToken: ct);
        return response.HasValue ? Document(response.Value!) : null;
    }

    public async Task<bool> TryInsertAsync(string collection, string key, string json, CancellationToken ct = default)
    {
        var (row, reverse, writeId) = Rows(collection, key, json);
        return await SubmitAsync(row, writeId,
            [new(TableTransactionActionType.Add, row), new(TableTransactionActionType.Add, reverse)], ct);
    }

    public async Task<bool> TryReplaceAsync(string collection, string key, string json, string etag, CancellationToken ct = default)
    {
        if (ParseETag(etag) is not var (fromReverse, serviceETag)) return false;
        var (row, reverse, writeId) = Rows(collection, key, json);
        // The condition sits on the row the ETag came from; the other row is written in the same transaction.
        TableTransactionAction conditional = new(TableTransactionActionType.UpdateReplace, fromReverse ? reverse : row, serviceETag);
        TableTransactionAction companion = new(TableTransactionActionType.UpdateReplace, fromReverse ? row : reverse, ETag.All);
        return await SubmitAsync(row, writeId, [conditional, companion], ct);
    }

    public async Task UpsertAsync(string collection, string key, string json, CancellationToken ct = default)
    {
        var (row, reverse, _) = Rows(collection, key, json);
        await EnsureTableAsync(ct);
        await _table.SubmitTransactionAsync(
            [new(TableTransactionActionType.UpsertReplace, row), new(TableTransactionActionType.UpsertReplace, reverse)], ct);
    }

    public async Task<bool> DeleteAsync(string collection, string key, string? etag = null, CancellationToken ct = default)
    {
        var partition = Partition(collection);
        var encoded = TableKeys.Encode(key);
        TableEntity row = new(partition, KeyRows + encoded), reverse = new(partition, ReverseRows + TableKeys.Invert(encoded));
        List<TableTransactionAction> actions;
        if (etag is null)
            actions = [new(TableTransactionActionType.Delete, row, ETag.All), new(TableTransactionActionType.Delete, reverse, ETag.All)];
        else if (ParseETag(etag) is var (fromReverse, serviceETag))
            actions = fromReverse
                ? [new(TableTransactionActionType.Delete, reverse, serviceETag), new(TableTransactionActionType.Delete, row, ETag.All)]
                : [new(TableTransactionActionType.Delete, row, serviceETag), new(TableTransactionActionType.Delete, reverse, ETag.All)];
        else return false;
        // A delete whose answer was lost and whose retry found nothing reports false: there is nothing left to check.
        return await SubmitAsync(row, writeId: null, actions, ct);
    }

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, DocumentPage page, CancellationToken ct = default)
    {
        var rows = page.Descending ? ReverseRows : KeyRows;
        // [lower, upper) over RowKeys, lower exclusive after a key.
        var lower = rows;
        var lowerExclusive = false;
        var upper = TableKeys.UpperBound(rows);
        if (page.KeyPrefix is { Length: > 0 } prefix)
        {
            var encoded = TableKeys.Encode(prefix);
            lower = rows + (page.Descending ? TableKeys.InvertPrefix(encoded) : encoded);
            upper = TableKeys.UpperBound(lower);
        }
        if (page.AfterKey is not null)
        {
            var encoded = TableKeys.Encode(page.AfterKey);
            var after = rows + (page.Descending ? TableKeys.Invert(encoded) : encoded);
            if (string.CompareOrdinal(after, lower) >= 0) (lower, lowerExclusive) = (after, true);
        }
        if (string.CompareOrdinal(lower, upper) >= 0) return [];

        await EnsureTableAsync(ct);
        var limit = Math.Clamp(page.Limit, 1, 1000);
        // Encoded keys and partitions use letters, digits and - ! . : = @ _ } ~ only: nothing to escape in the filter.
        var filter = $"PartitionKey eq '{Partition(collection)}' and RowKey {(lowerExclusive ? "gt" : "ge")} '{lower}' and RowKey lt '{upper}'";
        var result = new List<StoredDocument>(Math.Min(limit, 100));
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: ct))
        {
            result.Add(Document(entity));
            if (result.Count == limit) break;
        }
        return result;
    }

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        await EnsureTableAsync(ct);
        // A point read of a row no document uses ("!" is never an encoded key): one cheap request that needs the table and access to it.
        await _table.GetEntityIfExistsAsync<TableEntity>("!", "!", [WriteIdProperty], ct);
        return true;
    }

    private async Task<bool> SubmitAsync(TableEntity row, string? writeId, IReadOnlyList<TableTransactionAction> actions, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        try
        {
            await _table.SubmitTransactionAsync(actions, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && ex.ErrorCode != "TableNotFound")
        {
            // Refused: the key is taken (409), someone wrote first (412) or the document is gone (404). If the client
            // retried after a lost answer, the refusal may be of our own first attempt: the stored write id tells.
            if (writeId is null) return false;
            var stored = await _table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, [WriteIdProperty], ct);
            return stored.HasValue && stored.Value!.GetString(WriteIdProperty) == writeId;
        }
    }

    private Task EnsureTableAsync(CancellationToken ct)
    {
        lock (_createLock)
        {
            if (_created is { IsCompletedSuccessfully: true }) return Task.CompletedTask;
            if (_created is null || _created.IsFaulted || _created.IsCanceled) _created = CreateAsync();
            return _created.WaitAsync(ct);
        }

        async Task CreateAsync() => await _table.CreateIfNotExistsAsync(CancellationToken.None);
    }

    private static (TableEntity Row, TableEntity Reverse, string WriteId) Rows(string collection, string key, string json)
    {
        var chunks = Chunks(json);
        var partition = Partition(collection);
        var encoded = TableKeys.Encode(key);
        var writeId = Guid.NewGuid().ToString("N");
        return (Entity(partition, KeyRows + encoded), Entity(partition, ReverseRows + TableKeys.Invert(encoded)), writeId);

        TableEntity Entity(string pk, string rk)
        {
            var entity = new TableEntity(pk, rk) { [WriteIdProperty] = writeId };
            for (var i = 0; i < chunks.Count; i++) entity[ChunkName(i)] = chunks[i];
            return entity;
        }
    }

    /// <summary>The JSON in pieces that fit a string property, never splitting a surrogate pair.</summary>
    private static List<string> Chunks(string json)
    {
        var chunks = new List<string>();
        var start = 0;
        do
        {
            var length = Math.Min(ChunkLength, json.Length - start);
            if (length == ChunkLength && char.IsHighSurrogate(json[start + length - 1])) length--;
            chunks.Add(json.Substring(start, length));
            start += length;
        }
        while (start < json.Length);
        if (json.Length > MaxJsonLength || chunks.Count > MaxJsonLength / ChunkLength)
            throw new ArgumentException(
                $"A document of {json.Length} characters is too large for Azure Table Storage (at most {MaxJsonLength}: an entity holds 1 MiB).",
                nameof(json));
        return chunks;
    }

    private static StoredDocument Document(TableEntity entity)
    {
        var rowKey = entity.RowKey;
        var fromReverse = rowKey.StartsWith(ReverseRows, StringComparison.Ordinal);
        var encoded = fromReverse ? TableKeys.Uninvert(rowKey[ReverseRows.Length..]) : rowKey[KeyRows.Length..];
        var json = new System.Text.StringBuilder(entity.GetString(JsonProperty));
        for (var i = 1; entity.GetString(ChunkName(i)) is { } chunk; i++) json.Append(chunk);
        return new StoredDocument(TableKeys.Decode(encoded), json.ToString(), (fromReverse ? ReverseRows : KeyRows) + entity.ETag);
    }

    private static (bool FromReverse, ETag ServiceETag)? ParseETag(string etag) =>
        etag.Length > 1 && (etag[0] == KeyRows[0] || etag[0] == ReverseRows[0])
            ? (etag[0] == ReverseRows[0], new ETag(etag[1..]))
            : null;

    private static string KeyRow(string key) => KeyRows + TableKeys.Encode(key);

    private static string Partition(string collection) => TableKeys.Encode(collection);

    private static string ChunkName(int index) => index == 0 ? JsonProperty : JsonProperty + index;
}

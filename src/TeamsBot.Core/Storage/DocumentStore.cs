namespace TeamsBot.Storage;

/// <summary>A stored JSON document with the tag that guards concurrent writers.</summary>
public sealed record StoredDocument(string Key, string Json, string ETag);

/// <summary>
/// The one storage port every store of the bot is built on: JSON documents by collection and key, with optimistic
/// concurrency (a write names the ETag it read). SQLite serves one instance; Azure Table Storage serves several.
/// </summary>
public interface IDocumentStore
{
    Task<StoredDocument?> GetAsync(string collection, string key, CancellationToken ct = default);

    /// <summary>Adds a document; false when the key is taken.</summary>
    Task<bool> TryInsertAsync(string collection, string key, string json, CancellationToken ct = default);

    /// <summary>Replaces a document if it still has <paramref name="etag"/>; false when someone else wrote first or it is gone.</summary>
    Task<bool> TryReplaceAsync(string collection, string key, string json, string etag, CancellationToken ct = default);

    /// <summary>Writes a document whatever its state.</summary>
    Task UpsertAsync(string collection, string key, string json, CancellationToken ct = default);

    /// <summary>Deletes a document; with an ETag, only if it still has it. False when nothing was deleted.</summary>
    Task<bool> DeleteAsync(string collection, string key, string? etag = null, CancellationToken ct = default);

    /// <summary>Documents ordered by key, starting after <paramref name="afterKey"/> (ascending) or before it (descending).</summary>
    Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, DocumentPage page, CancellationToken ct = default);

    /// <summary>Whether the store answers (for readiness).</summary>
    Task<bool> PingAsync(CancellationToken ct = default);
}

public sealed record DocumentPage(int Limit = 100, bool Descending = false, string? AfterKey = null, string? KeyPrefix = null);

/// <summary>Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    /// <summary><c>Sqlite</c> (one instance, the default) or <c>AzureTables</c> (several instances).</summary>
    public string Provider { get; set; } = "Sqlite";
    public string SqlitePath { get; set; } = "data/teamsbot.db";
    public AzureTablesOptions AzureTables { get; set; } = new();
}

public sealed class AzureTablesOptions
{
    public string? ConnectionString { get; set; }
    /// <summary>Table service endpoint used with the bot's identity, e.g. https://account.table.core.windows.net.</summary>
    public string? ServiceUri { get; set; }
    /// <summary>Prefix of the table name, so that several bots can share one account: the table is <c>{prefix}Documents</c>.</summary>
    public string TablePrefix { get; set; } = "teamsbot";

    public string TableName => TablePrefix + "Documents";

    /// <summary>Azure's rule for table names: 3-63 letters and digits, starting with a letter ("tables" is reserved).</summary>
    public static bool IsValidTableName(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z][A-Za-z0-9]{2,62}$")
        && !name.Equals("tables", StringComparison.OrdinalIgnoreCase);
}

using Microsoft.Data.Sqlite;

namespace TeamsBot.Storage;

/// <summary>
/// Documents in one SQLite file (WAL). The ETag is a version number that every write increments inside the same
/// statement that checks it, so a stale writer changes nothing.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore
{
    private readonly string _connectionString;

    public SqliteDocumentStore(string path)
    {
        var full = Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS documents (
                collection TEXT NOT NULL,
                key        TEXT NOT NULL,
                json       TEXT NOT NULL,
                version    INTEGER NOT NULL,
                PRIMARY KEY (collection, key)
            ) STRICT, WITHOUT ROWID;
            """);
    }

    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public async Task<StoredDocument?> GetAsync(string collection, string key, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT json, version FROM documents WHERE collection = $c AND key = $k",
            ("$c", collection), ("$k", key));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StoredDocument(key, reader.GetString(0), reader.GetInt64(1).ToString()) : null;
    }

    public async Task<bool> TryInsertAsync(string collection, string key, string json, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            "INSERT INTO documents (collection, key, json, version) VALUES ($c, $k, $j, 1) ON CONFLICT DO NOTHING",
            ("$c", collection), ("$k", key), ("$j", json));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<bool> TryReplaceAsync(string collection, string key, string json, string etag, CancellationToken ct = default)
    {
        if (!long.TryParse(etag, out var version)) return false;
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            "UPDATE documents SET json = $j, version = version + 1 WHERE collection = $c AND key = $k AND version = $v",
            ("$c", collection), ("$k", key), ("$j", json), ("$v", version));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task UpsertAsync(string collection, string key, string json, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, """
            INSERT INTO documents (collection, key, json, version) VALUES ($c, $k, $j, 1)
            ON CONFLICT (collection, key) DO UPDATE SET json = excluded.json, version = version + 1
            """, ("$c", collection), ("$k", key), ("$j", json));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> DeleteAsync(string collection, string key, string? etag = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = etag is null
            ? Command(connection, "DELETE FROM documents WHERE collection = $c AND key = $k", ("$c", collection), ("$k", key))
            : Command(connection, "DELETE FROM documents WHERE collection = $c AND key = $k AND version = $v",
                ("$c", collection), ("$k", key), ("$v", long.TryParse(etag, out var v) ? v : -1));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, DocumentPage page, CancellationToken ct = default)
    {
        var sql = "SELECT key, json, version FROM documents WHERE collection = $c";
        var parameters = new List<(string, object)> { ("$c", collection) };
        if (page.AfterKey is not null)
        {
            sql += page.Descending ? " AND key < $after" : " AND key > $after";
            parameters.Add(("$after", page.AfterKey));
        }
        if (page.KeyPrefix is { Length: > 0 })
        {
            // Keys compare as UTF-8 bytes: the keys that start with prefix lie in [prefix, prefix with its last byte
            // plus one). That bound is not valid UTF-8 (so not a .NET string): it goes in as bytes, read back as text.
            var end = System.Text.Encoding.UTF8.GetBytes(page.KeyPrefix);
            end[^1]++; // never overflows: no byte of UTF-8 is 0xFF
            sql += " AND key >= $p AND key < CAST($pEnd AS TEXT)";
            parameters.Add(("$p", page.KeyPrefix));
            parameters.Add(("$pEnd", end));
        }
        sql += page.Descending ? " ORDER BY key DESC" : " ORDER BY key";
        sql += " LIMIT $limit";
        parameters.Add(("$limit", Math.Clamp(page.Limit, 1, 1000)));

        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, sql, [.. parameters]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new List<StoredDocument>();
        while (await reader.ReadAsync(ct))
            result.Add(new StoredDocument(reader.GetString(0), reader.GetString(1), reader.GetInt64(2).ToString()));
        return result;
    }

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT count(*) FROM documents WHERE 0");
        await command.ExecuteScalarAsync(ct);
        return true;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }
}

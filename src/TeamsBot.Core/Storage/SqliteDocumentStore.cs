using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace TeamsBot.Storage;

/// <summary>
/// Documents in one SQLite file (WAL). The ETag is a version number that every write increments inside the same
/// statement that checks it, so a stale writer changes nothing.
/// </summary>
/// <remarks>
/// Calls run on <see cref="Session"/>s: open connections that keep their prepared statements. A pooled connection
/// with a new command per call parsed and planned the SQL every time (a seventh of a <c>my requests</c> turn).
/// </remarks>
public sealed class SqliteDocumentStore : IDocumentStore, IDisposable
{
    /// <summary>Idle sessions kept open; more may exist while calls run, and are closed when they come back.</summary>
    private const int MaxIdleSessions = 8;
    private readonly string _connectionString;
    private readonly ConcurrentBag<Session> _idle = [];
    private volatile bool _disposed;

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

    public Task<StoredDocument?> GetAsync(string collection, string key, CancellationToken ct = default) =>
        RunAsync(async session =>
        {
            var command = session.Command("SELECT json, version FROM documents WHERE collection = $c AND key = $k",
                ("$c", collection), ("$k", key));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new StoredDocument(key, reader.GetString(0), reader.GetInt64(1).ToString()) : null;
        }, ct);

    public Task<bool> TryInsertAsync(string collection, string key, string json, CancellationToken ct = default) =>
        RunAsync(async session => await session.Command(
            "INSERT INTO documents (collection, key, json, version) VALUES ($c, $k, $j, 1) ON CONFLICT DO NOTHING",
            ("$c", collection), ("$k", key), ("$j", json)).ExecuteNonQueryAsync(ct) == 1, ct);

    public Task<bool> TryReplaceAsync(string collection, string key, string json, string etag, CancellationToken ct = default)
    {
        if (!long.TryParse(etag, out var version)) return Task.FromResult(false);
        return RunAsync(async session => await session.Command(
            "UPDATE documents SET json = $j, version = version + 1 WHERE collection = $c AND key = $k AND version = $v",
            ("$c", collection), ("$k", key), ("$j", json), ("$v", version)).ExecuteNonQueryAsync(ct) == 1, ct);
    }

    public Task UpsertAsync(string collection, string key, string json, CancellationToken ct = default) =>
        RunAsync(session => session.Command("""
            INSERT INTO documents (collection, key, json, version) VALUES ($c, $k, $j, 1)
            ON CONFLICT (collection, key) DO UPDATE SET json = excluded.json, version = version + 1
            """, ("$c", collection), ("$k", key), ("$j", json)).ExecuteNonQueryAsync(ct), ct);

    public Task<bool> DeleteAsync(string collection, string key, string? etag = null, CancellationToken ct = default) =>
        RunAsync(async session =>
        {
            var command = etag is null
                ? session.Command("DELETE FROM documents WHERE collection = $c AND key = $k", ("$c", collection), ("$k", key))
                : session.Command("DELETE FROM documents WHERE collection = $c AND key = $k AND version = $v",
                    ("$c", collection), ("$k", key), ("$v", long.TryParse(etag, out var v) ? v : -1));
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

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

        return await RunAsync<IReadOnlyList<StoredDocument>>(async session =>
        {
            await using var reader = await session.Command(sql, [.. parameters]).ExecuteReaderAsync(ct);
            var result = new List<StoredDocument>();
            while (await reader.ReadAsync(ct))
                result.Add(new StoredDocument(reader.GetString(0), reader.GetString(1), reader.GetInt64(2).ToString()));
            return result;
        }, ct);
    }

    public Task<bool> PingAsync(CancellationToken ct = default) =>
        RunAsync(async session =>
        {
            await session.Command("SELECT count(*) FROM documents WHERE 0").ExecuteScalarAsync(ct);
            return true;
        }, ct);

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session)) session.Dispose();
    }

    /// <summary>Runs one call on an idle session (or a new one); a session that failed is closed, not reused.</summary>
    private async Task<T> RunAsync<T>(Func<Session, Task<T>> call, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_idle.TryTake(out var session))
        {
            var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(ct);
            session = new Session(connection);
        }
        T result;
        try
        {
            result = await call(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        if (_disposed || _idle.Count >= MaxIdleSessions) session.Dispose();
        else _idle.Add(session);
        return result;
    }

    private Task RunAsync(Func<Session, Task> call, CancellationToken ct) =>
        RunAsync(async session =>
        {
            await call(session);
            return true;
        }, ct);

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>An open connection and its prepared statements, used by one call at a time.</summary>
    private sealed class Session(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                command.CommandText = sql;
                _commands[sql] = command;
            }
            command.Parameters.Clear();
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values) command.Dispose();
            connection.Dispose();
        }
    }
}

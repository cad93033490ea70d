using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Storage;

/// <summary>A SQLite file per test; the "second instance" opens the same file.</summary>
internal sealed class SqliteBackend : IDisposable
{
    private readonly TempDir _temp = new();
    private string Path => _temp.File("documents.db");

    public IDocumentStore Open() => new SqliteDocumentStore(Path);

    public void Dispose() => _temp.Dispose();
}

/// <summary>A table per test in the shared Azurite; the "second instance" has its own client on the same table.</summary>
internal sealed class AzureTablesBackend
{
    private readonly string _prefix = Azurite.NewTablePrefix();
    private Azurite? _azurite;

    public async Task<IDocumentStore> StartAsync()
    {
        _azurite = await Azurite.GetAsync();
        return Open();
    }

    public IDocumentStore Open() => new AzureTableDocumentStore(_azurite!.Client(), new AzureTablesOptions { TablePrefix = _prefix }.TableName);
}

public sealed class SqliteDocumentStoreTests : DocumentStoreContract
{
    private readonly SqliteBackend _backend = new();
    protected override Task<IDocumentStore> NewStoreAsync() => Task.FromResult(_backend.Open());
    protected override IDocumentStore SecondInstance() => _backend.Open();
    public override Task DisposeAsync()
    {
        _backend.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class AzureTableDocumentStoreTests : DocumentStoreContract
{
    private readonly AzureTablesBackend _backend = new();
    protected override Task<IDocumentStore> NewStoreAsync() => _backend.StartAsync();
    protected override IDocumentStore SecondInstance() => _backend.Open();
}

public sealed class SqliteTypedStoresTests : TypedStoresContract
{
    private readonly SqliteBackend _backend = new();
    protected override Task<IDocumentStore> NewStoreAsync() => Task.FromResult(_backend.Open());
    protected override IDocumentStore SecondInstance() => _backend.Open();
    public override Task DisposeAsync()
    {
        _backend.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class AzureTablesTypedStoresTests : TypedStoresContract
{
    private readonly AzureTablesBackend _backend = new();
    protected override Task<IDocumentStore> NewStoreAsync() => _backend.StartAsync();
    protected override IDocumentStore SecondInstance() => _backend.Open();
}

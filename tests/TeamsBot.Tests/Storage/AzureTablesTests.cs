using System.Net;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CsCheck;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TeamsBot.Protocol;
using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Storage;

/// <summary>What only the Azure Table Storage backend has: key encoding, limits, table creation, lost answers, settings.</summary>
public sealed class AzureTablesTests
{
    // Code points that matter to the encoding: literals, every escape run and its edges, multi-byte UTF-8 of each length.
    private static readonly Gen<string> Keys = Gen.OneOf(
            "", "a", "b", "z", "A", "Z", "0", "9", "-", ":", "@", "!", ".", "/", "=", "?", "[", "\\", "_", "`", "{", "}", "~", "#",
            "'", "%", " ", "\0", "\u001f", "\u007f", "\u0080", "\u0085", "é", "ÿ", "中", "\uffff", "😀", "\U0010FFFF", "user:", "0639")
        .Array[0, 8].Select(string.Concat);

    [Fact]
    public void Encoded_keys_keep_the_utf8_order_and_prefixes_and_inverted_keys_reverse_it()
    {
        Gen.Select(Keys, Keys).Sample((a, b) =>
        {
            string ea = TableKeys.Encode(a), eb = TableKeys.Encode(b);
            var expected = Math.Sign(DocumentStoreContract.Utf8Order(a, b));
            Assert.Equal(expected, Math.Sign(string.CompareOrdinal(ea, eb)));
            Assert.Equal(-expected, Math.Sign(string.CompareOrdinal(TableKeys.Invert(ea), TableKeys.Invert(eb))));
            Assert.Equal(a.StartsWith(b, StringComparison.Ordinal), ea.StartsWith(eb, StringComparison.Ordinal));
            Assert.Equal(a.StartsWith(b, StringComparison.Ordinal), TableKeys.Invert(ea).StartsWith(TableKeys.InvertPrefix(eb), StringComparison.Ordinal));
            Assert.Equal(a, TableKeys.Decode(ea));
            Assert.Equal(ea, TableKeys.Uninvert(TableKeys.Invert(ea)));
            foreach (var encoded in new[] { ea, TableKeys.Invert(ea) })
                Assert.DoesNotContain(encoded, c => c is '/' or '\\' or '#' or '?' or '\'' or '%' || char.IsControl(c) || c > '~');
        }, iter: 20_000);
    }

    [Fact]
    public void The_bots_keys_stay_readable()
    {
        Assert.Equal("user:a0000000-0000-4000-8000-000000000001", TableKeys.Encode("user:a0000000-0000-4000-8000-000000000001"));
        Assert.Equal("0639012345678901234-4f2a9c01", TableKeys.Encode("0639012345678901234-4f2a9c01"));
        Assert.Equal("tap.2Esubmit:x", TableKeys.Encode("tap.submit:x"));
        Assert.Equal("a.2Fb=3Fc_5Cd!23e", TableKeys.Encode("a/b?c\\d#e"));
    }

    [Fact]
    public async Task Keys_and_documents_past_the_service_limits_fail_loudly_and_write_nothing()
    {
        var store = await NewStoreAsync();
        var tooBig = new string('x', AzureTableDocumentStore.MaxJsonLength + 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.TryInsertAsync("c", "big", tooBig));
        Assert.Contains("too large for Azure Table Storage", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync("c", "big", tooBig));

        var longKey = new string('k', TableKeys.MaxEncodedLength + 1);
        Assert.Contains("too long", (await Assert.ThrowsAsync<ArgumentException>(() => store.TryInsertAsync("c", longKey, "{}"))).Message,
            StringComparison.Ordinal);
        Assert.True(await store.TryInsertAsync("c", new string('k', TableKeys.MaxEncodedLength), "{}"));
        Assert.NotNull(await store.GetAsync("c", new string('k', TableKeys.MaxEncodedLength)));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryInsertAsync("c", "half\ud83d", "{}"));

        Assert.Single(await store.ListAsync("c", new DocumentPage()));
        Assert.Single(await store.ListAsync("c", new DocumentPage(Descending: true)));
    }

    [Fact]
    public async Task The_table_is_created_on_first_use_and_ping_needs_it()
    {
        var azurite = await Azurite.GetAsync();
        var name = new AzureTablesOptions { TablePrefix = Azurite.NewTablePrefix() }.TableName;
        var service = azurite.Client();
        Assert.False(await TableExistsAsync(service, name));
        var store = new AzureTableDocumentStore(service, name);
        Assert.True(await store.PingAsync());
        Assert.True(await TableExistsAsync(service, name));

        // A second store on the same table (another instance) creates nothing and reads the same documents.
        Assert.True(await store.TryInsertAsync("c", "k", "{}"));
        Assert.NotNull(await new AzureTableDocumentStore(azurite.Client(), name).GetAsync("c", "k"));
    }

    [Fact]
    public async Task Ping_fails_when_the_service_does_not_answer()
    {
        var port = FreePort();
        var service = new TableServiceClient(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            new TableClientOptions { Retry = { MaxRetries = 0 } });
        var store = new AzureTableDocumentStore(service, "pingtestDocuments");
        await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync());
    }

    [Fact]
    public async Task A_write_whose_answer_was_lost_is_still_reported_as_ours()
    {
        var azurite = await Azurite.GetAsync();
        var lose = new LoseNextTransactionAnswer();
        var options = new TableClientOptions { Retry = { Delay = TimeSpan.FromMilliseconds(10), MaxRetries = 3 } };
        options.AddPolicy(lose, HttpPipelinePosition.PerRetry);
        var name = new AzureTablesOptions { TablePrefix = Azurite.NewTablePrefix() }.TableName;
        var store = new AzureTableDocumentStore(azurite.Client(options), name);
        await store.PingAsync();

        // Insert: the service adds the rows, the answer is lost, the client's retry gets 409 for our own rows.
        lose.Arm();
        Assert.True(await store.TryInsertAsync("c", "k", """{"v":1}"""));
        Assert.Equal(1, lose.Lost);
        Assert.False(await store.TryInsertAsync("c", "k", """{"v":2}""")); // a real conflict is still a conflict

        // Replace: applied, answer lost, the retry gets 412 against our own new ETag.
        var seen = (await store.GetAsync("c", "k"))!;
        lose.Arm();
        Assert.True(await store.TryReplaceAsync("c", "k", """{"v":3}""", seen.ETag));
        Assert.Equal(2, lose.Lost);
        Assert.Equal("""{"v":3}""", (await store.GetAsync("c", "k"))!.Json);
        Assert.False(await store.TryReplaceAsync("c", "k", """{"v":4}""", seen.ETag)); // stale stays stale
    }

    [Fact]
    public void Settings_choose_the_backend_and_name_the_key_that_is_wrong()
    {
        var store = Resolve(new()
        {
            ["Storage:Provider"] = "AzureTables",
            ["Storage:AzureTables:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" +
                Convert.ToBase64String(new byte[64]) + ";TableEndpoint=http://127.0.0.1:1/devstoreaccount1;",
            ["Storage:AzureTables:TablePrefix"] = "contoso",
        });
        Assert.Equal("contosoDocuments", Assert.IsType<AzureTableDocumentStore>(store).TableName);

        // The managed identity path builds a client without calling anything.
        Assert.IsType<AzureTableDocumentStore>(Resolve(new()
        {
            ["Storage:Provider"] = "AzureTables",
            ["Storage:AzureTables:ServiceUri"] = "https://contoso.table.core.windows.net/",
            ["Bot:AppId"] = BotApp.AppId,
            ["Bot:TenantId"] = BotApp.TenantId,
            ["Bot:ClientCredential:SourceType"] = "ManagedIdentity",
        }));

        Assert.Contains("Storage:AzureTables:ConnectionString or Storage:AzureTables:ServiceUri",
            Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Storage:Provider"] = "AzureTables" })).Message, StringComparison.Ordinal);
        Assert.Contains("Storage:AzureTables:TablePrefix", Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Storage:Provider"] = "AzureTables",
            ["Storage:AzureTables:ServiceUri"] = "https://contoso.table.core.windows.net/",
            ["Storage:AzureTables:TablePrefix"] = "bad-prefix",
        })).Message, StringComparison.Ordinal);
        Assert.Contains("Storage:AzureTables:ServiceUri", Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Storage:Provider"] = "AzureTables",
            ["Storage:AzureTables:ServiceUri"] = "contoso",
        })).Message, StringComparison.Ordinal);
        Assert.Contains("Storage:Provider 'Cosmos'", Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Storage:Provider"] = "Cosmos" })).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bot_runs_on_azure_tables_and_is_ready()
    {
        var azurite = await Azurite.GetAsync();
        using var temp = new TempDir();
        var settings = BotApp.Local(temp.File("unused.db"));
        settings["Graph:Mode"] = "Simulated";
        settings["Storage:Provider"] = "AzureTables";
        settings["Storage:AzureTables:ConnectionString"] = azurite.ConnectionString;
        settings["Storage:AzureTables:TablePrefix"] = Azurite.NewTablePrefix();
        await using var bot = new BotApp(settings, environment: "Development");
        using var client = bot.CreateClient();
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("storage answers", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.IsType<AzureTableDocumentStore>(bot.Services.GetRequiredService<IDocumentStore>());
        Assert.False(File.Exists(temp.File("unused.db")));

        // A wrong provider stops the bot at start, naming the key.
        settings["Storage:Provider"] = "Tables";
        await using var wrong = new BotApp(settings, environment: "Development");
        Assert.Contains("Storage:Provider", wrong.StartFailure(), StringComparison.Ordinal);
    }

    private static IDocumentStore Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptions<BotOptions>().Bind(configuration.GetSection(BotOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddDocumentStorage(configuration);
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IOptions<StorageOptions>>().Value; // what ValidateOnStart checks at host start
        return provider.GetRequiredService<IDocumentStore>();
    }

    private static async Task<AzureTableDocumentStore> NewStoreAsync()
    {
        var azurite = await Azurite.GetAsync();
        return new AzureTableDocumentStore(azurite.Client(), new AzureTablesOptions { TablePrefix = Azurite.NewTablePrefix() }.TableName);
    }

    private static async Task<bool> TableExistsAsync(TableServiceClient service, string name)
    {
        await foreach (var table in service.QueryAsync(t => t.Name == name)) return true;
        return false;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Lets the next entity group transaction reach the service, then loses its answer (the client retries).</summary>
    private sealed class LoseNextTransactionAnswer : HttpPipelinePolicy
    {
        private int _armed;
        private int _lost;

        public int Lost => _lost;

        public void Arm() => Interlocked.Exchange(ref _armed, 1);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal)
                && message.Response.Status == 202 && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Interlocked.Increment(ref _lost);
                throw new IOException("The connection closed before the answer arrived.");
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The store is async only.");
    }
}

using System.Text;
using TeamsBot.Storage;

namespace TeamsBot.Tests.Storage;

/// <summary>
/// What every <see cref="IDocumentStore"/> promises, run against each backend (SQLite file, Azure Table Storage on
/// Azurite). Expected orders are computed here from the keys' UTF-8 bytes, not read from either backend.
/// </summary>
public abstract class DocumentStoreContract : IAsyncLifetime
{
    protected IDocumentStore Store { get; private set; } = null!;

    /// <summary>A fresh, empty store.</summary>
    protected abstract Task<IDocumentStore> NewStoreAsync();

    /// <summary>Another handle on the same data, as a second instance of the bot would have.</summary>
    protected abstract IDocumentStore SecondInstance();

    public async Task InitializeAsync() => Store = await NewStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    internal static int Utf8Order(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    internal static List<string> Sorted(IEnumerable<string> keys, bool descending = false)
    {
        var list = keys.ToList();
        list.Sort(Utf8Order);
        if (descending) list.Reverse();
        return list;
    }

    private static string Json(string value) => $$"""{"v":"{{value}}"}""";

    private async Task<List<string>> KeysAsync(DocumentPage page, string collection = "c") =>
        [.. (await Store.ListAsync(collection, page)).Select(d => d.Key)];

    [Fact]
    public async Task A_missing_document_is_null()
    {
        Assert.Null(await Store.GetAsync("c", "nothing"));
        Assert.True(await Store.PingAsync());
    }

    [Fact]
    public async Task Insert_adds_once_and_keeps_the_first_document()
    {
        Assert.True(await Store.TryInsertAsync("c", "k1", Json("first")));
        Assert.False(await Store.TryInsertAsync("c", "k1", Json("second")));
        var stored = await Store.GetAsync("c", "k1");
        Assert.NotNull(stored);
        Assert.Equal("k1", stored.Key);
        Assert.Equal(Json("first"), stored.Json);
        Assert.False(string.IsNullOrEmpty(stored.ETag));
    }

    [Fact]
    public async Task Replace_needs_the_current_etag()
    {
        await Store.TryInsertAsync("c", "k", Json("1"));
        var v1 = (await Store.GetAsync("c", "k"))!;
        Assert.True(await Store.TryReplaceAsync("c", "k", Json("2"), v1.ETag));
        var v2 = (await Store.GetAsync("c", "k"))!;
        Assert.Equal(Json("2"), v2.Json);
        Assert.NotEqual(v1.ETag, v2.ETag);

        Assert.False(await Store.TryReplaceAsync("c", "k", Json("stale"), v1.ETag));
        Assert.Equal(Json("2"), (await Store.GetAsync("c", "k"))!.Json);
        Assert.False(await Store.TryReplaceAsync("c", "k", Json("garbage"), "not-an-etag"));
        Assert.False(await Store.TryReplaceAsync("c", "absent", Json("x"), v2.ETag));
        Assert.Null(await Store.GetAsync("c", "absent"));
    }

    [Fact]
    public async Task Upsert_writes_whatever_the_state_and_invalidates_older_etags()
    {
        await Store.UpsertAsync("c", "k", Json("1"));
        var v1 = (await Store.GetAsync("c", "k"))!;
        Assert.Equal(Json("1"), v1.Json);
        await Store.UpsertAsync("c", "k", Json("2"));
        Assert.Equal(Json("2"), (await Store.GetAsync("c", "k"))!.Json);
        Assert.False(await Store.TryReplaceAsync("c", "k", Json("3"), v1.ETag));
        Assert.Single(await Store.ListAsync("c", new DocumentPage()));
        Assert.Single(await Store.ListAsync("c", new DocumentPage(Descending: true)));
    }

    [Fact]
    public async Task Delete_with_and_without_etag()
    {
        await Store.TryInsertAsync("c", "k", Json("1"));
        var v1 = (await Store.GetAsync("c", "k"))!;
        await Store.UpsertAsync("c", "k", Json("2"));
        Assert.False(await Store.DeleteAsync("c", "k", v1.ETag)); // stale
        Assert.NotNull(await Store.GetAsync("c", "k"));
        var v2 = (await Store.GetAsync("c", "k"))!;
        Assert.True(await Store.DeleteAsync("c", "k", v2.ETag));
        Assert.Null(await Store.GetAsync("c", "k"));
        Assert.False(await Store.DeleteAsync("c", "k"));
        Assert.Empty(await Store.ListAsync("c", new DocumentPage()));
        Assert.Empty(await Store.ListAsync("c", new DocumentPage(Descending: true)));

        await Store.TryInsertAsync("c", "k", Json("again"));
        Assert.True(await Store.DeleteAsync("c", "k"));
        Assert.Null(await Store.GetAsync("c", "k"));
        Assert.True(await Store.TryInsertAsync("c", "k", Json("after delete")));
    }

    [Fact]
    public async Task Collections_are_separate()
    {
        await Store.TryInsertAsync("approvals", "same", Json("a"));
        await Store.TryInsertAsync("audit", "same", Json("b"));
        Assert.Equal(Json("a"), (await Store.GetAsync("approvals", "same"))!.Json);
        Assert.Equal(Json("b"), (await Store.GetAsync("audit", "same"))!.Json);
        await Store.DeleteAsync("approvals", "same");
        Assert.NotNull(await Store.GetAsync("audit", "same"));
        Assert.Single(await Store.ListAsync("audit", new DocumentPage()));
        Assert.Empty(await Store.ListAsync("approvals", new DocumentPage()));
    }

    [Fact]
    public async Task Two_writers_with_the_same_etag_exactly_one_wins()
    {
        var other = SecondInstance();
        await Store.TryInsertAsync("c", "k", Json("0"));
        for (var round = 1; round <= 15; round++)
        {
            var seen = (await Store.GetAsync("c", "k"))!;
            var results = await Task.WhenAll(
                Store.TryReplaceAsync("c", "k", Json($"a{round}"), seen.ETag),
                other.TryReplaceAsync("c", "k", Json($"b{round}"), seen.ETag));
            Assert.Equal(1, results.Count(r => r));
            var winner = results[0] ? Json($"a{round}") : Json($"b{round}");
            Assert.Equal(winner, (await other.GetAsync("c", "k"))!.Json);
        }
    }

    [Fact]
    public async Task Fifty_parallel_inserts_of_one_key_give_exactly_one_true()
    {
        var other = SecondInstance();
        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => (i % 2 == 0 ? Store : other).TryInsertAsync("c", "contended", Json($"w{i}"))));
        Assert.Equal(1, results.Count(r => r));
        var winner = Array.IndexOf(results, true);
        Assert.Equal(Json($"w{winner}"), (await Store.GetAsync("c", "contended"))!.Json);
        Assert.Single(await Store.ListAsync("c", new DocumentPage(Descending: true)));
    }

    [Fact]
    public async Task Parallel_deletes_with_one_etag_delete_once()
    {
        await Store.TryInsertAsync("c", "k", Json("x"));
        var seen = (await Store.GetAsync("c", "k"))!;
        var other = SecondInstance();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? Store : other).DeleteAsync("c", "k", seen.ETag)));
        Assert.Equal(1, results.Count(r => r));
    }

    public static readonly string[] WeirdKeys =
    [
        "", "a", "Z", "z", "0", "-dash", "a/b", "a\\b", "a#b", "a?b", "a%2Fb", "it's", "quote\"d", "sp ace", "tab\tkey",
        "line\nkey", "nul\0key", "del\u007fkey", "c1\u0085key", "~tilde", "}brace", "{brace", "!bang", "_under", "=eq",
        ".dot", "+plus", "&amp", "user:a0000000-0000-4000-8000-000000000001", "conversation:19:abc@thread.tacv2;messageid=1",
        "tap.submit:a0000000-0000-4000-8000-000000000001:draft1", "ünïcödé", "中文键", "emoji😀", "max\uffff", "ascii\u007e",
        "latin\u00ff", "\u0001", "🙂", "ÿ",
    ];

    [Fact]
    public async Task Keys_with_any_characters_round_trip_and_sort_by_utf8_bytes()
    {
        foreach (var key in WeirdKeys) Assert.True(await Store.TryInsertAsync("c", key, Json(Convert.ToBase64String(Encoding.UTF8.GetBytes(key)))), key);
        foreach (var key in WeirdKeys)
        {
            var stored = await Store.GetAsync("c", key);
            Assert.NotNull(stored);
            Assert.Equal(key, stored.Key);
            Assert.Equal(Json(Convert.ToBase64String(Encoding.UTF8.GetBytes(key))), stored.Json);
        }
        Assert.Equal(Sorted(WeirdKeys), await KeysAsync(new DocumentPage(1000)));
        Assert.Equal(Sorted(WeirdKeys, descending: true), await KeysAsync(new DocumentPage(1000, Descending: true)));
        foreach (var key in WeirdKeys)
        {
            var document = (await Store.GetAsync("c", key))!;
            Assert.True(await Store.TryReplaceAsync("c", key, Json("replaced"), document.ETag), key);
            Assert.True(await Store.DeleteAsync("c", key), key);
        }
        Assert.Empty(await Store.ListAsync("c", new DocumentPage(1000)));
    }

    [Fact]
    public async Task Pages_ascending_and_descending_visit_every_key_once_in_order()
    {
        var start = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
        var keys = Enumerable.Range(0, 23).Select(i => TimeOrderedKey.New(start.AddSeconds(i * 37 % 23))).ToList();
        foreach (var key in keys.OrderBy(_ => Random.Shared.Next())) await Store.TryInsertAsync("c", key, Json(key));

        foreach (var descending in new[] { false, true })
        {
            var seen = new List<string>();
            string? after = null;
            while (true)
            {
                var page = await KeysAsync(new DocumentPage(5, descending, after));
                if (page.Count == 0) break;
                Assert.True(page.Count <= 5);
                seen.AddRange(page);
                after = page[^1];
            }
            Assert.Equal(Sorted(keys, descending), seen);
        }

        // Newest first is the time order.
        var newest = await KeysAsync(new DocumentPage(3, Descending: true));
        Assert.Equal(keys.OrderByDescending(k => k, StringComparer.Ordinal).Take(3), newest);
    }

    [Fact]
    public async Task After_key_need_not_exist_and_is_exclusive()
    {
        foreach (var key in new[] { "b", "d", "f" }) await Store.TryInsertAsync("c", key, Json(key));
        Assert.Equal(["d", "f"], await KeysAsync(new DocumentPage(AfterKey: "b")));
        Assert.Equal(["d", "f"], await KeysAsync(new DocumentPage(AfterKey: "c")));
        Assert.Equal(["b"], await KeysAsync(new DocumentPage(Descending: true, AfterKey: "d")));
        Assert.Equal(["d", "b"], await KeysAsync(new DocumentPage(Descending: true, AfterKey: "e")));
        Assert.Empty(await KeysAsync(new DocumentPage(AfterKey: "f")));
        Assert.Empty(await KeysAsync(new DocumentPage(Descending: true, AfterKey: "a")));
        Assert.Equal(["b", "d", "f"], await KeysAsync(new DocumentPage(AfterKey: "")));
        Assert.Equal(["d", "b"], await KeysAsync(new DocumentPage(Descending: true, AfterKey: "e\uffff")));
    }

    [Fact]
    public async Task Prefix_selects_exactly_the_keys_that_start_with_it()
    {
        string[] keys = ["", "a", "a😀", "a\uffff", "ab", "ab/c", "abc", "ab😀", "b", "aa", "a-", "A"];
        foreach (var key in keys) await Store.TryInsertAsync("c", key, Json("x"));

        foreach (var prefix in new[] { "a", "ab", "a😀", "b", "zz", "A" })
        {
            var expected = keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.Equal(Sorted(expected), await KeysAsync(new DocumentPage(100, KeyPrefix: prefix)));
            Assert.Equal(Sorted(expected, descending: true), await KeysAsync(new DocumentPage(100, Descending: true, KeyPrefix: prefix)));
        }
        // An empty prefix is no prefix.
        Assert.Equal(Sorted(keys), await KeysAsync(new DocumentPage(100, KeyPrefix: "")));

        // With a starting point, inside and outside the prefix.
        Assert.Equal(["ab/c", "abc", "ab😀", "a\uffff", "a😀"], await KeysAsync(new DocumentPage(100, AfterKey: "ab", KeyPrefix: "a")));
        Assert.Equal(["ab/c", "ab", "aa", "a-", "a"], await KeysAsync(new DocumentPage(100, Descending: true, AfterKey: "abc", KeyPrefix: "a")));
        Assert.Equal(["ab", "ab/c", "abc", "ab😀"], await KeysAsync(new DocumentPage(100, AfterKey: "a", KeyPrefix: "ab")));
        Assert.Empty(await KeysAsync(new DocumentPage(100, AfterKey: "b", KeyPrefix: "ab")));
        Assert.Equal(["ab😀", "abc", "ab/c", "ab"], await KeysAsync(new DocumentPage(100, Descending: true, AfterKey: "b", KeyPrefix: "ab")));
        Assert.Empty(await KeysAsync(new DocumentPage(100, Descending: true, AfterKey: "aa", KeyPrefix: "ab")));
        Assert.Equal(["a", "a-"], await KeysAsync(new DocumentPage(2, KeyPrefix: "a")));
        Assert.Equal(["a😀", "a\uffff"], await KeysAsync(new DocumentPage(2, Descending: true, KeyPrefix: "a")));
    }

    [Fact]
    public async Task Limit_is_kept_between_one_and_a_thousand()
    {
        foreach (var key in new[] { "1", "2", "3" }) await Store.TryInsertAsync("c", key, Json(key));
        Assert.Equal(["1"], await KeysAsync(new DocumentPage(0)));
        Assert.Equal(["3"], await KeysAsync(new DocumentPage(-5, Descending: true)));
        Assert.Equal(["1", "2", "3"], await KeysAsync(new DocumentPage(5000)));
    }

    [Fact]
    public async Task A_thousand_documents_list_in_one_call_newest_first()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var keys = Enumerable.Range(0, 1005).Select(i => TimeOrderedKey.New(start.AddMinutes(i))).ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, ct) => await Store.TryInsertAsync("c", key, Json(key), ct));
        var newest = await KeysAsync(new DocumentPage(1000, Descending: true));
        Assert.Equal(Sorted(keys, descending: true).Take(1000), newest);
        var oldest = await KeysAsync(new DocumentPage(1000));
        Assert.Equal(Sorted(keys).Take(1000), oldest);
    }

    [Fact]
    public async Task Large_documents_round_trip_whole()
    {
        // Larger than one Azure string property (32K UTF-16 characters), with non-ASCII text across the chunk edges.
        var body = string.Concat(Enumerable.Range(0, 12000).Select(i => $"é{i:D5}中😀,"));
        var json = $$"""{"big":"{{body}}"}""";
        Assert.True(json.Length > 100_000);
        Assert.True(await Store.TryInsertAsync("c", "big", json));
        Assert.Equal(json, (await Store.GetAsync("c", "big"))!.Json);
        Assert.Equal(json, (await Store.ListAsync("c", new DocumentPage(Descending: true)))[0].Json);
        var seen = (await Store.GetAsync("c", "big"))!;
        var shorter = json[..40_000] + "\"}";
        Assert.True(await Store.TryReplaceAsync("c", "big", shorter, seen.ETag));
        Assert.Equal(shorter, (await Store.GetAsync("c", "big"))!.Json);
        Assert.Equal(shorter, (await Store.ListAsync("c", new DocumentPage()))[0].Json);
    }

    [Fact]
    public async Task Etags_from_lists_guard_writes_like_etags_from_reads()
    {
        await Store.TryInsertAsync("c", "k", Json("1"));
        var ascending = (await Store.ListAsync("c", new DocumentPage()))[0];
        var descending = (await Store.ListAsync("c", new DocumentPage(Descending: true)))[0];
        Assert.True(await Store.TryReplaceAsync("c", "k", Json("2"), descending.ETag));
        Assert.False(await Store.TryReplaceAsync("c", "k", Json("3"), ascending.ETag));
        Assert.False(await Store.TryReplaceAsync("c", "k", Json("3"), descending.ETag));
        Assert.False(await Store.DeleteAsync("c", "k", descending.ETag));

        var fresh = (await Store.ListAsync("c", new DocumentPage(Descending: true)))[0];
        Assert.Equal(Json("2"), fresh.Json);
        Assert.Equal(Json("2"), (await Store.ListAsync("c", new DocumentPage()))[0].Json);
        Assert.True(await Store.DeleteAsync("c", "k", fresh.ETag));
        Assert.Empty(await Store.ListAsync("c", new DocumentPage()));
        Assert.Empty(await Store.ListAsync("c", new DocumentPage(Descending: true)));
    }

    [Fact]
    public async Task A_second_instance_sees_every_write()
    {
        var other = SecondInstance();
        await Store.TryInsertAsync("c", "k", Json("1"));
        var seen = (await other.GetAsync("c", "k"))!;
        Assert.True(await other.TryReplaceAsync("c", "k", Json("2"), seen.ETag));
        Assert.Equal(Json("2"), (await Store.GetAsync("c", "k"))!.Json);
        Assert.Equal(["k"], (await Store.ListAsync("c", new DocumentPage(Descending: true))).Select(d => d.Key));
    }
}

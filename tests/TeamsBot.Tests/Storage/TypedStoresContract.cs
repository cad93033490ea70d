using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TeamsBot.Approvals;
using TeamsBot.Protocol;
using TeamsBot.Storage;

namespace TeamsBot.Tests.Storage;

/// <summary>
/// The stores the bot builds on <see cref="IDocumentStore"/>, each backend, with two "instances" (two store handles, two
/// sets of typed stores) where the point is what several instances of the bot do at once.
/// </summary>
public abstract class TypedStoresContract : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    protected IDocumentStore Store { get; private set; } = null!;

    protected abstract Task<IDocumentStore> NewStoreAsync();

    protected abstract IDocumentStore SecondInstance();

    public async Task InitializeAsync() => Store = await NewStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static ConversationReference Personal(string aad, string conversation = "a:personal-1", string serviceUrl = "https://smba.example/emea/") =>
        new(serviceUrl, conversation, "personal", "tenant", "msteams", "28:bot", "29:" + aad, aad, "Someone", null);

    [Fact]
    public async Task Conversation_references_by_user_and_by_conversation()
    {
        var references = new ConversationReferences(Store, _clock);
        var megan = Personal("A0000000-0000-4000-8000-000000000001");
        await references.RememberAsync(megan);
        var channel = new ConversationReference("https://smba.example/emea/", "19:abc@thread.tacv2;messageid=1", "channel", "tenant",
            "msteams", "28:bot", "29:x", "x", "X", "19:abc@thread.tacv2");
        await references.RememberAsync(channel);

        Assert.Equal(megan, await references.ForUserAsync("a0000000-0000-4000-8000-000000000001"));
        // A channel is kept under the channel's own id (a post there starts a new thread), not the thread it spoke from.
        Assert.Equal(channel with { ConversationId = "19:abc@thread.tacv2" }, await references.ForConversationAsync("19:abc@thread.tacv2"));
        Assert.Null(await references.ForUserAsync("a0000000-0000-4000-8000-000000000099"));

        await references.ForgetUserAsync("a0000000-0000-4000-8000-000000000001");
        Assert.Null(await references.ForUserAsync("a0000000-0000-4000-8000-000000000001"));
    }

    [Fact]
    public async Task Conversation_references_skip_unchanged_writes_but_recover_what_another_instance_forgot()
    {
        var counting = new CountingStore(Store);
        var here = new ConversationReferences(counting, _clock);
        var there = new ConversationReferences(SecondInstance(), _clock);
        var aad = "a0000000-0000-4000-8000-000000000003";

        // The user's chat, and the tenant's latest service URL (where chats with people who never wrote are opened).
        await here.RememberAsync(Personal(aad));
        await here.RememberAsync(Personal(aad) with { UserName = "Renamed" }); // same route: no write
        Assert.Equal(2, counting.Writes);
        await here.RememberAsync(Personal(aad, serviceUrl: "https://smba.example/amer/")); // moved: written, both
        Assert.Equal(4, counting.Writes);
        Assert.Equal("https://smba.example/amer/", await there.ServiceUrlForTenantAsync(Personal(aad).TenantId!));

        // The other instance found the chat gone and forgot it; this one keeps skipping only for a while.
        await there.ForgetUserAsync(aad);
        await here.RememberAsync(Personal(aad, serviceUrl: "https://smba.example/amer/"));
        Assert.Null(await there.ForUserAsync(aad));
        _clock.Advance(ConversationReferences.TrustKnownFor);
        await here.RememberAsync(Personal(aad, serviceUrl: "https://smba.example/amer/"));
        Assert.Equal("https://smba.example/amer/", (await there.ForUserAsync(aad))!.ServiceUrl);
    }

    [Fact]
    public async Task Audit_is_append_only_and_newest_first_even_within_one_tick()
    {
        var audit = new AuditLog(Store);
        var other = new AuditLog(SecondInstance());
        var at = _clock.GetUtcNow();
        for (var i = 0; i < 5; i++)
            await (i % 2 == 0 ? audit : other).AppendAsync(new AuditEntry(at.AddMinutes(i), "tap.step", "a", "A", "t", "ok", $"step {i}"));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? audit : other).AppendAsync(new AuditEntry(at.AddMinutes(10), "same.tick", "a", "A", "t", "ok", $"{i}"))));

        var all = await audit.ListAsync(100);
        Assert.Equal(25, all.Count);
        Assert.Equal(20, all.Count(e => e.Action == "same.tick"));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.At >= p.Second.At), "newest first");
        Assert.Equal(["step 4", "step 3", "step 2", "step 1", "step 0"], all.Where(e => e.Action == "tap.step").Select(e => e.Details));
        Assert.Equal(3, (await other.ListAsync(3)).Count);
    }

    [Fact]
    public async Task A_lease_is_taken_renewed_refused_while_held_and_taken_over_after_expiry()
    {
        var a = new Leases(Store, _clock, NullLogger<Leases>.Instance);
        var b = new Leases(SecondInstance(), _clock, NullLogger<Leases>.Instance);
        var duration = TimeSpan.FromMinutes(3);

        Assert.True(await a.TryAcquireAsync("jobs", "instance-a", duration));
        Assert.False(await b.TryAcquireAsync("jobs", "instance-b", duration));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await a.TryAcquireAsync("jobs", "instance-a", duration)); // renewed: now runs to minute 5
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False(await b.TryAcquireAsync("jobs", "instance-b", duration)); // minute 4: still held thanks to the renewal
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await b.TryAcquireAsync("jobs", "instance-b", duration)); // minute 5: expired, b takes over
        Assert.False(await a.TryAcquireAsync("jobs", "instance-a", duration)); // a died for a while; it does not take it back
        Assert.Equal("instance-b", (await LeaseAsync()).Owner);

        await a.ReleaseAsync("jobs", "instance-a"); // not a's to release
        Assert.Equal("instance-b", (await LeaseAsync()).Owner);
        await b.ReleaseAsync("jobs", "instance-b");
        Assert.Null(await Store.GetAsync("leases", "jobs"));
        Assert.True(await a.TryAcquireAsync("jobs", "instance-a", duration));

        async Task<Lease> LeaseAsync() => System.Text.Json.JsonSerializer.Deserialize<Lease>((await Store.GetAsync("leases", "jobs"))!.Json)!;
    }

    [Fact]
    public async Task Many_instances_racing_for_a_free_or_expired_lease_give_one_holder()
    {
        var instances = Enumerable.Range(0, 12)
            .Select(i => (Owner: $"instance-{i}", Leases: new Leases(i % 2 == 0 ? Store : SecondInstance(), _clock, NullLogger<Leases>.Instance)))
            .ToList();
        for (var round = 0; round < 4; round++)
        {
            var results = await Task.WhenAll(instances.Select(x => x.Leases.TryAcquireAsync("tap-jobs", x.Owner, TimeSpan.FromMinutes(3))));
            Assert.Equal(1, results.Count(r => r));
            var holder = instances[Array.IndexOf(results, true)].Owner;
            var stored = System.Text.Json.JsonSerializer.Deserialize<Lease>((await Store.GetAsync("leases", "tap-jobs"))!.Json)!;
            Assert.Equal(holder, stored.Owner);
            _clock.Advance(TimeSpan.FromMinutes(4)); // the holder "dies": next round races for an expired lease
        }
    }

    [Fact]
    public async Task A_claimed_key_has_one_owner_across_instances_and_the_others_see_what_it_filed()
    {
        var (here, hereEngine) = Claims(Store);
        var (there, _) = Claims(SecondInstance());
        var stale = TimeSpan.FromMinutes(2);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            (i % 2 == 0 ? here : there).ClaimAsync("tap.form:u:draft", null, _ => true, stale, TimeSpan.Zero, default)));
        var owner = Assert.Single(outcomes.OfType<ClaimOutcome.Owned>()).Claim;
        Assert.All(outcomes.Where(o => o is not ClaimOutcome.Owned), o => Assert.Equal(owner.RecordId, Assert.IsType<ClaimOutcome.Filing>(o).RecordId));

        // A click that waits is answered as soon as the owner has filed the record.
        var waiting = there.ClaimAsync("tap.form:u:draft", null, _ => true, stale, TimeSpan.FromMinutes(1), default);
        var record = await hereEngine.CreateAsync(owner.RecordId, "tap", new Person("u", "Megan"), [], TimeSpan.FromHours(1), default);
        owner.Filed();
        Assert.Equal(record.Id, Assert.IsType<ClaimOutcome.Held>(await waiting).Record.Id);
        Assert.Equal(record.Id, Assert.IsType<ClaimOutcome.Held>(await here.ClaimAsync("tap.form:u:draft", null, _ => true, stale, TimeSpan.Zero, default)).Record.Id);
    }

    [Fact]
    public async Task A_refused_claim_answers_those_who_waited_and_lets_a_later_click_try_again()
    {
        var (here, _) = Claims(Store);
        var watched = new ClaimReads(SecondInstance());
        var (there, _) = Claims(watched);
        var stale = TimeSpan.FromMinutes(2);
        var owner = Assert.IsType<ClaimOutcome.Owned>(await here.ClaimAsync("k", null, _ => true, stale, TimeSpan.Zero, default)).Claim;
        var waiting = there.ClaimAsync("k", null, _ => true, stale, TimeSpan.FromMinutes(1), default);
        await watched.Seen.Task; // the second click has found the first at work
        await owner.RefuseAsync(["Not your report."], default);
        Assert.Equal(["Not your report."], Assert.IsType<ClaimOutcome.Refused>(await waiting).Problems);

        var later = Assert.IsType<ClaimOutcome.Owned>(await there.ClaimAsync("k", null, _ => true, stale, TimeSpan.Zero, default)).Claim;
        Assert.NotEqual(owner.RecordId, later.RecordId);
    }

    [Fact]
    public async Task A_claim_is_released_only_by_its_owner_and_a_crashed_owner_is_taken_over()
    {
        var (here, _) = Claims(Store);
        var (there, thereEngine) = Claims(SecondInstance());
        var stale = TimeSpan.FromMinutes(2);
        var first = Assert.IsType<ClaimOutcome.Owned>(await here.ClaimAsync("k", null, r => !r.IsFinal, stale, TimeSpan.Zero, default)).Claim;
        Assert.IsType<ClaimOutcome.Filing>(await there.ClaimAsync("k", null, r => !r.IsFinal, stale, TimeSpan.Zero, default));

        _clock.Advance(stale); // the first owner never filed: it is taken for crashed
        var second = Assert.IsType<ClaimOutcome.Owned>(await there.ClaimAsync("k", null, r => !r.IsFinal, stale, TimeSpan.Zero, default)).Claim;
        await first.ReleaseAsync(default); // late, and no longer the owner: changes nothing
        await first.RefuseAsync(["late"], default);
        Assert.Equal(second.RecordId, Assert.IsType<ClaimOutcome.Filing>(await here.ClaimAsync("k", null, r => !r.IsFinal, stale, TimeSpan.Zero, default)).RecordId);

        // A record that no longer holds the key (final) gives it up.
        var record = await thereEngine.CreateAsync(second.RecordId, "tap", new Person("u", "Megan"), [], TimeSpan.FromHours(1), default);
        second.Filed();
        Assert.IsType<ClaimOutcome.Held>(await here.ClaimAsync("k", null, r => !r.IsFinal, stale, TimeSpan.Zero, default));
        await thereEngine.TransitionAsync(record.Id, ApprovalState.Pending, ApprovalState.Cancelled, default);
        Assert.IsType<ClaimOutcome.Owned>(await here.ClaimAsync("k", null, r => !r.IsFinal, stale, TimeSpan.Zero, default));
    }

    /// <summary>A store that says when a claim was first read (someone found the key taken).</summary>
    private sealed class ClaimReads(IDocumentStore inner) : IDocumentStore
    {
        public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<StoredDocument?> GetAsync(string collection, string key, CancellationToken ct = default)
        {
            var document = await inner.GetAsync(collection, key, ct);
            if (collection == "claims" && document is not null) Seen.TrySetResult();
            return document;
        }

        public Task<bool> TryInsertAsync(string collection, string key, string json, CancellationToken ct = default) => inner.TryInsertAsync(collection, key, json, ct);
        public Task<bool> TryReplaceAsync(string collection, string key, string json, string etag, CancellationToken ct = default) => inner.TryReplaceAsync(collection, key, json, etag, ct);
        public Task UpsertAsync(string collection, string key, string json, CancellationToken ct = default) => inner.UpsertAsync(collection, key, json, ct);
        public Task<bool> DeleteAsync(string collection, string key, string? etag = null, CancellationToken ct = default) => inner.DeleteAsync(collection, key, etag, ct);
        public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, DocumentPage page, CancellationToken ct = default) => inner.ListAsync(collection, page, ct);
        public Task<bool> PingAsync(CancellationToken ct = default) => inner.PingAsync(ct);
    }

    private (ApprovalClaims Claims, ApprovalEngine Engine) Claims(IDocumentStore store)
    {
        var records = new ApprovalStore(store, _clock);
        return (new ApprovalClaims(store, records, _clock), new ApprovalEngine(records, _clock));
    }

    [Fact]
    public async Task Approvals_first_decision_wins_across_instances()
    {
        var engines = new[] { new ApprovalEngine(new ApprovalStore(Store, _clock), _clock), new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock) };
        var requester = new Person("requester", "Megan Bowen");
        for (var round = 0; round < 5; round++)
        {
            var record = await engines[0].CreateAsync("tap", requester, new JsonObject { ["round"] = round }, TimeSpan.FromHours(1), default);
            var deciders = Enumerable.Range(0, 8).Select(i => new Person($"approver-{i}", $"Approver {i}")).ToList();
            var results = await Task.WhenAll(deciders.Select((p, i) => engines[i % 2].DecideAsync(record.Id, record.Version, p, approve: i % 3 != 0, null, default)));

            Assert.Equal(1, results.Count(r => r.Outcome == DecisionOutcome.Decided));
            var winner = results.Single(r => r.Outcome == DecisionOutcome.Decided).Record!;
            Assert.All(results.Where(r => r.Outcome != DecisionOutcome.Decided), r =>
            {
                Assert.Equal(DecisionOutcome.AlreadyDecided, r.Outcome);
                Assert.Equal(winner.Decision!.By, r.Record!.Decision!.By);
            });
            var stored = (await engines[1].GetAsync(record.Id, default))!;
            Assert.Equal(winner.Decision, stored.Decision);
            Assert.Equal(2, stored.Version);

            // Then exactly one caller moves an approved record into Executing.
            if (stored.State == ApprovalState.Approved)
            {
                var moves = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
                    engines[i % 2].TransitionAsync(record.Id, ApprovalState.Approved, ApprovalState.Executing, default)));
                Assert.Single(moves, m => m is not null);
            }
        }
    }

    [Fact]
    public async Task Approvals_are_listed_newest_first_and_a_duplicate_id_returns_the_stored_record()
    {
        var engine = new ApprovalEngine(new ApprovalStore(Store, _clock), _clock);
        var requester = new Person("requester", "Megan Bowen");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await engine.CreateAsync("tap", requester, new JsonObject { ["i"] = i }, TimeSpan.FromHours(1), default)).Id);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        var recent = await new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock).RecentAsync(5, default);
        Assert.Equal(ids.AsEnumerable().Reverse().Take(5), recent.Select(r => r.Id));

        var again = await engine.CreateAsync(ids[0], "tap", new Person("someone-else", "X"), new JsonObject(), TimeSpan.FromHours(1), default);
        Assert.Equal("requester", again.Requester.Id);

        // Cards added from both instances at once are all kept (amendments retry on conflicts).
        var engines = new[] { engine, new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock) };
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            engines[i % 2].AddCardAsync(ids[^1], new CardPost("approver", $"u{i}", "https://smba.example/", $"a:c{i}", $"act-{i}"), default)));
        Assert.Equal(10, (await engine.GetAsync(ids[^1], default))!.CardPosts.Count);
    }

    [Fact]
    public async Task A_requesters_records_are_listed_newest_first_however_many_others_filed_since()
    {
        var engine = new ApprovalEngine(new ApprovalStore(Store, _clock), _clock);
        var megan = new Person("5E4C0A2B-MEGAN", "Megan Bowen");
        var mine = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add((await engine.CreateAsync("tap", megan, new JsonObject { ["i"] = i }, TimeSpan.FromHours(1), default)).Id);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        await engine.CreateAsync("policy.plan", megan, new JsonObject(), TimeSpan.FromHours(1), default);
        for (var i = 0; i < 40; i++)
        {
            await engine.CreateAsync("tap", new Person($"other-{i % 4}", "Someone"), new JsonObject { ["i"] = i }, TimeSpan.FromHours(1), default);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Not among the 20 newest records any more, still all hers, newest first, of the kind asked, from any instance.
        Assert.DoesNotContain((await engine.RecentAsync(20, default)), r => r.Requester.Id == megan.Id);
        var other = new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock);
        var listed = await other.ByRequesterAsync("tap", "5e4c0a2b-megan", 10, default);
        Assert.Equal(mine.AsEnumerable().Reverse(), listed.Select(r => r.Id));
        Assert.Equal(mine.AsEnumerable().Reverse().Take(2), (await other.ByRequesterAsync("tap", megan.Id, 2, default)).Select(r => r.Id));
        Assert.Single(await other.ByRequesterAsync("policy.plan", megan.Id, 10, default));
        Assert.Empty(await other.ByRequesterAsync("tap", "nobody", 10, default));
    }

    [Fact]
    public async Task Open_records_are_found_however_many_were_closed_since_and_a_watch_keeps_one_open_until_its_time()
    {
        var engine = new ApprovalEngine(new ApprovalStore(Store, _clock), _clock);
        var megan = new Person("megan", "Megan Bowen");
        var waiting = await engine.CreateAsync("tap", megan, new JsonObject(), TimeSpan.FromHours(1), default);
        _clock.Advance(TimeSpan.FromSeconds(1)); // ids are time-ordered: oldest first
        var watched = await engine.CreateAsync("tap", megan, new JsonObject(), TimeSpan.FromHours(1), default);
        var plan = await engine.CreateAsync("policy.plan", megan, new JsonObject(), TimeSpan.FromHours(1), default);
        // More records closed since than a page of the index holds.
        for (var i = 0; i < 210; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            var closed = await engine.CreateAsync("tap", new Person($"other-{i}", "Someone"), new JsonObject(), TimeSpan.FromHours(1), default);
            await engine.TransitionAsync(closed.Id, ApprovalState.Pending, ApprovalState.Cancelled, default);
        }
        // An issued pass: completed, and watched for a day.
        await engine.TransitionAsync(watched.Id, ApprovalState.Pending, ApprovalState.Approved, default);
        await engine.TransitionAsync(watched.Id, ApprovalState.Approved, ApprovalState.Executing, default);
        await engine.TransitionAsync(watched.Id, ApprovalState.Executing, ApprovalState.Completed, default, r => r with { WatchUntil = _clock.GetUtcNow().AddDays(1) });

        var other = new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock);
        Assert.Equal([waiting.Id, watched.Id], (await other.OpenAsync("tap", default)).Select(r => r.Id));
        Assert.Equal([plan.Id], (await other.OpenAsync("policy.plan", default)).Select(r => r.Id));

        // Once the watch has run out, the record is no longer open, and its entry is dropped.
        _clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal([waiting.Id], (await other.OpenAsync("tap", default)).Select(r => r.Id));
        Assert.Null(await Store.GetAsync("approvalsOpen", "tap:" + watched.Id));
    }

    [Fact]
    public async Task Open_records_are_read_page_after_page_oldest_first()
    {
        var engine = new ApprovalEngine(new ApprovalStore(Store, _clock), _clock);
        var ids = new List<string>();
        for (var i = 0; i < 230; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            ids.Add((await engine.CreateAsync("tap", new Person($"p{i}", "Someone"), new JsonObject(), TimeSpan.FromHours(1), default)).Id);
        }
        var other = new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock);
        Assert.Equal(ids, (await other.OpenAsync("tap", default)).Select(r => r.Id));
    }

    [Fact]
    public async Task Open_records_filed_before_the_index_existed_are_found()
    {
        // Records as a store written before the index holds them: in their collection, with no index entries.
        var now = _clock.GetUtcNow();
        var megan = new Person("megan", "Megan Bowen");
        var pending = new ApprovalRecord("0000000001-aaaaaaaa", "tap", ApprovalState.Pending, 1, megan, now, now.AddHours(1), now, new JsonObject());
        var done = pending with { Id = "0000000002-bbbbbbbb", State = ApprovalState.Completed };
        foreach (var record in new[] { pending, done })
            Assert.True(await Store.TryInsertAsync("approvals", record.Id, System.Text.Json.JsonSerializer.Serialize(record, TeamsBot.Approvals.ApprovalJson.Default.ApprovalRecord)));

        var engine = new ApprovalEngine(new ApprovalStore(SecondInstance(), _clock), _clock);
        Assert.Equal([pending.Id], (await engine.OpenAsync("tap", default)).Select(r => r.Id));
        Assert.NotNull(await Store.GetAsync("approvalsOpen", "tap:" + pending.Id));
    }

    /// <summary>Counts the writes that reach the store.</summary>
    private sealed class CountingStore(IDocumentStore inner) : IDocumentStore
    {
        private int _writes;
        public int Writes => _writes;

        public Task<StoredDocument?> GetAsync(string collection, string key, CancellationToken ct = default) => inner.GetAsync(collection, key, ct);

        public Task<bool> TryInsertAsync(string collection, string key, string json, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.TryInsertAsync(collection, key, json, ct);
        }

        public Task<bool> TryReplaceAsync(string collection, string key, string json, string etag, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.TryReplaceAsync(collection, key, json, etag, ct);
        }

        public Task UpsertAsync(string collection, string key, string json, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.UpsertAsync(collection, key, json, ct);
        }

        public Task<bool> DeleteAsync(string collection, string key, string? etag = null, CancellationToken ct = default) =>
            inner.DeleteAsync(collection, key, etag, ct);

        public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, DocumentPage page, CancellationToken ct = default) =>
            inner.ListAsync(collection, page, ct);

        public Task<bool> PingAsync(CancellationToken ct = default) => inner.PingAsync(ct);
    }
}

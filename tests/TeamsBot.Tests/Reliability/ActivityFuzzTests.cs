using System.Collections.Concurrent;
using System.Diagnostics;
using CsCheck;
using TeamsBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// Property-based fuzzing of /api/messages in local mode, against the real host, the simulated tenant and real records.
/// FUZZ_ITERATIONS runs longer; FUZZ_SEED replays the inputs of a failure.
/// </summary>
public sealed class ActivityFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private BotWorld _world = null!;
    private FuzzTargets _targets = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync(s => s["Tap:MaxRequestsPerHour"] = "100000");
        _targets = await WorldChecks.SeedRecordsAsync(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private async Task<(int Status, string Body)> PostAsync(FuzzCase input)
    {
        using var response = await _world.Bot.PostRawAsync(input.Body);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Any_activity_gets_a_documented_status_and_leaves_no_unhandled_exception()
    {
        var statuses = new ConcurrentDictionary<int, int>();
        var iterations = WorldChecks.Iterations(4000);
        var clock = Stopwatch.StartNew();

        // One at a time, so that an error in the logs belongs to the input that caused it. Time runs on meanwhile: a reply
        // to an unreachable or refusing connector waits out its retries, as it would in production.
        using var pump = new ClockPump(_world);
        await ActivityFuzz.Any(_targets).SampleAsync(async input =>
        {
            var known = WorldChecks.Errors(_world).Count;
            var (status, body) = await PostAsync(input);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            // /api/messages documents 200, 400 (not an activity), 401 (token) and 413 (too large); no 5xx.
            Assert.True(status is 200 or 400 or 413, $"HTTP {status} for {input}");
            if (body.Length > 0)
            {
                var invoke = WorldChecks.InvokeBody(body);
                Assert.True(invoke?["statusCode"] is not null && invoke["type"] is not null, $"Not an invoke answer: {body} for {input}");
            }
            var errors = WorldChecks.Errors(_world).Skip(known).ToList();
            Assert.True(errors.Count == 0, $"Errors logged after {input}:\n{string.Join("\n", errors)}");
        }, output.WriteLine, seed: WorldChecks.Seed(), iter: iterations, threads: 1, print: c => c.ToString());

        // Work that went on after the acknowledgements (replies, card fan-out, Graph calls) must end cleanly too.
        await _world.IdleAsync();
        var late = WorldChecks.Errors(_world);
        Assert.True(late.Count == 0, string.Join("\n", late));
        output.WriteLine($"activity fuzz: {iterations} inputs in {clock.Elapsed.TotalSeconds:F1} s; HTTP statuses: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")) + "; errors logged: 0");
    }

    [Fact]
    public async Task Input_the_bot_must_refuse_changes_no_record_pass_policy_or_audit()
    {
        var start = await WorldSnapshot.TakeAsync(_world, references: false);
        var iterations = WorldChecks.Iterations(2000);
        var count = 0;
        var clock = Stopwatch.StartNew();

        // One at a time: the snapshot before and after an input must see that input alone. Time runs on (twenty times
        // faster: far from any expiry of the seeded records within a run).
        using var pump = new ClockPump(_world);
        await ActivityFuzz.MustRefuse(_targets).SampleAsync(async input =>
        {
            var before = await WorldSnapshot.TakeAsync(_world, input.ReferencesToo);
            var (status, _) = await PostAsync(input);
            Assert.True(status is 200 or 400 or 413, $"HTTP {status} for {input}");
            await _world.IdleAsync();
            var changed = before.Differences(await WorldSnapshot.TakeAsync(_world, input.ReferencesToo));
            Assert.True(changed.Count == 0, $"{input}\nchanged:\n{string.Join("\n", changed)}");
            Interlocked.Increment(ref count);
        }, output.WriteLine, seed: WorldChecks.Seed(), iter: iterations, threads: 1, print: c => c.ToString());

        // Replies to refused messages go out after the acknowledgement: nothing may have changed later either.
        await _world.IdleAsync();
        var changedAtAll = start.Differences(await WorldSnapshot.TakeAsync(_world, references: false));
        Assert.True(changedAtAll.Count == 0, string.Join("\n", changedAtAll));
        var errors = WorldChecks.Errors(_world);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        output.WriteLine($"refusal fuzz: {count} inputs in {clock.Elapsed.TotalSeconds:F1} s; state changes: 0");
    }
}

using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Reliability;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>
/// Onboarding batches through /api/messages, the real Graph SDK and the simulated tenant: Henrietta asks for passes for
/// her twelve new hires at once; every hire is checked, the batch is decided once, and each hire gets one pass, shown
/// to Henrietta alone, also when Graph throttles and when the bot stops half-way.
/// </summary>
public sealed class TapBatchTests : IAsyncLifetime
{
    private const string TapPath = "/users/*/authentication/temporaryAccessPassMethods";
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Henrietta, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private int CreatesFor(string userId) => _world.Tenant.RequestLog.Entries.Count(e => e is { Method: "POST", Status: 201 }
        && e.Path == $"/users/{userId}/authentication/temporaryAccessPassMethods");

    private async Task<ApprovalRecord> LatestBatchAsync() =>
        (await _world.Service<ApprovalEngine>().RecentAsync(100, default)).First(r => r.Kind == TapBatch.Kind);

    private async Task<IReadOnlyList<ApprovalRecord>> PartsAsync(string batchId) =>
        [.. (await _world.Service<ApprovalEngine>().RecentAsync(200, default)).Where(r => r.Kind == TapRequest.Kind && r.Tap().BatchId == batchId)];

    /// <summary>A card Henrietta got that answered a click (the invoke body), waiting for the new card with this title.</summary>
    private async Task<(ConnectorCall Call, JsonObject Card)> NewCardAsync(Persona who, string action, int before)
    {
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (Environment.TickCount64 < deadline)
        {
            var cards = _world.CardsFor(who).Where(c => c.Call.Method == "POST" && CardReader.Action(c.Card, action) is not null).ToList();
            if (cards.Count > before) return cards[^1];
            await Task.Delay(20);
        }
        throw new TimeoutException($"No new card with '{action}' reached {who.Name}.");
    }

    private int CardsWith(Persona who, string action) =>
        _world.CardsFor(who).Count(c => c.Call.Method == "POST" && CardReader.Action(c.Card, action) is not null);

    /// <summary>Every part completed with one pass, the one the tenant holds, made once.</summary>
    private async Task AssertOnePassEachAsync(ApprovalRecord batch, IReadOnlyList<string> hires)
    {
        var parts = await new Patience(_world).UntilAsync(batch.Id, r => r.IsFinal) is { State: ApprovalState.Completed }
            ? await PartsAsync(batch.Id)
            : throw new InvalidOperationException("The batch did not complete.");
        Assert.Equal(hires.Count, parts.Count);
        foreach (var part in parts)
        {
            var done = await new Patience(_world).UntilAsync(part.Id, r => r.IsFinal);
            Assert.Equal(ApprovalState.Completed, done.State);
            Assert.Equal(1, done.Tap().PassesCreated);
            Assert.Equal(_world.Tenant.State.GetTap(done.Tap().TargetId)?.Id, done.Tap().MethodId);
        }
        Assert.All(hires, h => Assert.Equal(1, CreatesFor(h)));
        Assert.Equal(hires.Order(), parts.Select(p => p.Tap().TargetId).Order());
    }

    [Fact]
    public async Task Twelve_new_hires_are_checked_in_batches_of_twenty_approved_once_and_each_gets_one_pass_under_throttling()
    {
        // Henrietta picks her twelve reports.
        await _world.SayAsync(Henrietta, "onboard");
        var (_, pick) = await _world.WaitForCardAsync(Henrietta, "Passes for several new hires");
        var picked = CardReader.Data(pick, "Continue");
        picked[TapBatchPickData.ReportsInput] = string.Join(",", Personas.OnboardingBatch);
        var form = CardReader.CardOf(await _world.ClickAsync(Henrietta, TapBatchVerbs.Pick, picked));
        Assert.Contains("Passes for 12 new hires", CardReader.AllText(form), StringComparison.Ordinal);

        // Submitting checks every hire: the shared facts once, each hire's reads beside them, in $batch calls of 20.
        var log = _world.Tenant.RequestLog;
        log.Clear();
        var data = CardReader.Data(form, "Submit request");
        data[TapFormData.Inputs.Reason] = "Onboarding week";
        var filed = CardReader.CardOf(await _world.ClickAsync(Henrietta, TapBatchVerbs.Submit, data));
        var trips = log.RoundTrips;
        var items = log.BatchItems;
        var outside = log.Entries.Count(e => !e.InBatch && !e.Path.EndsWith("/$batch", StringComparison.Ordinal));
        Console.WriteLine($"Batch of 12 validated: {trips} Graph round trips, {items} requests inside $batch, {outside} outside");
        Assert.Equal(0, outside);
        Assert.Equal((int)Math.Ceiling(items / 20.0), trips);
        // 6 shared reads + 6 per hire (72) in 4 calls; the What-If from two places per hire (24) in 2 calls.
        Assert.Equal(102, items);
        Assert.Equal(6, trips);
        var text = CardReader.AllText(filed);
        Assert.Contains("Filed for 12 of 12 people", text, StringComparison.Ordinal);
        Assert.Contains("✓ Aiko Tanaka (aiko.tanaka@contoso.com)", text, StringComparison.Ordinal);
        Assert.Contains("✓ Layla Rahman (layla.rahman@contoso.com)", text, StringComparison.Ordinal);

        // Graph throttles the pass creations: the first hire's three times in a row (429, 429, 503), the sixth's three
        // times, the tenth's twice (Graph's retry handler tries four times).
        _world.Tenant.Faults.Throttle(TapPath, method: "POST", retryAfterSeconds: 0, maxCount: 2);
        _world.Tenant.Faults.Unavailable(TapPath, method: "POST", retryAfterSeconds: 0, maxCount: 1);
        _world.Tenant.Faults.Throttle($"/users/{Personas.OnboardingBatch[5]}/authentication/temporaryAccessPassMethods", method: "POST", retryAfterSeconds: 0, maxCount: 3);
        _world.Tenant.Faults.Unavailable($"/users/{Personas.OnboardingBatch[9]}/authentication/temporaryAccessPassMethods", method: "POST", retryAfterSeconds: 0, maxCount: 2);

        // Both approvers approve at once: one decision.
        var (adeleCall, adeleCard) = await _world.WaitForCardAsync(Adele, "Onboarding passes for 12 people");
        var (alexCall, alexCard) = await _world.WaitForCardAsync(Alex, "Onboarding passes for 12 people");
        Assert.Contains("Requested by: Henrietta Mueller", CardReader.AllText(adeleCard), StringComparison.Ordinal);
        await Task.WhenAll(
            _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(adeleCard, "Approve all 12"), adeleCall.ActivityId!),
            _world.ClickAsync(Alex, ApprovalVerbs.Approve, CardReader.Data(alexCard, "Approve all 12"), alexCall.ActivityId!));
        await _world.IdleAsync();
        // A round of the jobs later finds nothing to do again.
        _world.Clock.Advance(TapJobs.StuckAfter + TimeSpan.FromSeconds(1));
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();

        var batch = await LatestBatchAsync();
        await AssertOnePassEachAsync(batch, Personas.OnboardingBatch);
        Assert.All(_world.Tenant.Faults.Rules, r => Assert.Equal(r.MaxCount, r.Hits)); // every fault was met
        var audit = await _world.Service<IAuditLog>().ListAsync(500);
        Assert.Single(audit, a => a.Action == "tap.batch.approved");
        Assert.Equal(12, audit.Count(a => a.Action == "tap.issued"));
        await _world.Connector.WaitForTextAsync($"approved your onboarding batch ({batch.Reference})");
        Assert.Equal(1, _world.Connector.Calls.Count(c => c.Body?["text"]?.GetValue<string>()?.Contains("approved your onboarding batch", StringComparison.Ordinal) == true));

        // Each hire's pass has its own card in Henrietta's chat; only she can reveal it.
        var (_, aiko) = await _world.WaitForCardAsync(Henrietta, "Your TAP request for Aiko Tanaka");
        var (_, ready) = await _world.WaitForCardAsync(Henrietta, "Reveal pass");
        Assert.Equal(12, _world.CardsFor(Henrietta).Where(c => c.Call.Method == "POST").Select(c => CardReader.AllText(c.Card))
            .Count(t => t.StartsWith("Your TAP request for ", StringComparison.Ordinal)));
        var revealData = CardReader.Data((await _world.WaitForCardAsync(Henrietta, "Your TAP request for Aiko Tanaka")).Card, "Reveal pass");
        Assert.Contains("Only the person who asked", CardReader.MessageOf(await _world.ClickAsync(Adele, TapVerbs.Reveal, revealData)), StringComparison.Ordinal);
        var shown = CardReader.CardOf(await _world.ClickAsync(Henrietta, TapVerbs.Reveal, revealData));
        Assert.Contains("Temporary Access Pass for Aiko Tanaka", CardReader.AllText(shown), StringComparison.Ordinal);
        Assert.Equal(8, TapFlowTests.PassIn(shown).Length);
        _ = aiko;
        _ = ready;
    }

    [Fact]
    public async Task Several_sign_in_names_after_tap_open_one_form_and_people_who_fail_a_check_are_left_out_with_why()
    {
        await _world.SayAsync(Henrietta, "tap aiko.tanaka@contoso.com, bruno.costa@contoso.com and diego.siciliani@contoso.com");
        var (formCall, form) = await _world.WaitForCardAsync(Henrietta, "Passes for 3 new hires");
        Assert.Contains("Aiko Tanaka (aiko.tanaka@contoso.com): starts on", form.ToJsonString(), StringComparison.Ordinal);

        // Aiko starts later than her hire date; the others on theirs. Throttled reads inside the batch are sent again.
        var throttled = _world.Tenant.Faults.Throttle("/users/*/authentication/methods", retryAfterSeconds: 0, maxCount: 2);
        var aikoStart = DateOnly.FromDateTime(_world.Clock.GetUtcNow().UtcDateTime).AddDays(20);
        var data = CardReader.Data(form, "Submit request");
        data[TapBatchFormData.StartDateInput(0)] = aikoStart.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        data[TapFormData.Inputs.Reason] = "Onboarding week";
        var filed = CardReader.AllText(CardReader.CardOf(await _world.ClickAsync(Henrietta, TapBatchVerbs.Submit, data, formCall.ActivityId!)));
        Assert.Contains("Filed for 2 of 3 people", filed, StringComparison.Ordinal);
        Assert.Equal(2, _world.Tenant.Faults.Rules.Single(r => r.Id == throttled.Id).Hits);
        Assert.Contains("✓ Bruno Costa", filed, StringComparison.Ordinal);
        Assert.Contains("✗ Diego Siciliani: left out", filed, StringComparison.Ordinal);
        Assert.Contains("doesn't list you as Diego Siciliani's manager", filed, StringComparison.Ordinal);

        // The approver sees the same, and approves the two.
        var (call, card) = await _world.WaitForCardAsync(Adele, "Onboarding passes for 2 people");
        Assert.Contains("✗ Diego Siciliani: left out", CardReader.AllText(card), StringComparison.Ordinal);
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve all 2"), call.ActivityId!);
        await _world.IdleAsync();

        var batch = await LatestBatchAsync();
        await AssertOnePassEachAsync(batch, [Personas.OnboardingBatch[0], Personas.OnboardingBatch[1]]);
        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
        var aiko = (await PartsAsync(batch.Id)).Single(p => p.Tap().TargetId == Personas.OnboardingBatch[0]);
        Assert.Equal(new DateTimeOffset(aikoStart.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero), aiko.Tap().StartsAt);
        Assert.Equal(aiko.Tap().StartsAt, _world.Tenant.State.GetTap(Personas.OnboardingBatch[0])!.StartDateTime);
        // The batch's card updated for everyone: each pass has its own card, named by the batch's reference and its number.
        var (_, done) = await _world.WaitForCardAsync(Adele, "Each of the 2 passes has its own card");
        Assert.All(await PartsAsync(batch.Id), p => Assert.StartsWith(batch.Reference + "-", p.Reference, StringComparison.Ordinal));
        Assert.Contains($"its request: {batch.Reference}-00", CardReader.AllText(done), StringComparison.Ordinal);
        var (_, bruno) = await _world.WaitForCardAsync(Henrietta, "Your TAP request for Bruno Costa");
        Assert.Contains($"Reference: {batch.Reference}-01", CardReader.AllText(bruno), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_start_is_read_in_the_time_zone_the_client_says_in_clientInfo()
    {
        await _world.SayAsync(Henrietta, "tap aiko.tanaka@contoso.com bruno.costa@contoso.com");
        var (formCall, form) = await _world.WaitForCardAsync(Henrietta, "Passes for 2 new hires");
        var start = DateOnly.FromDateTime(_world.Clock.GetUtcNow().UtcDateTime).AddDays(20);
        var data = CardReader.Data(form, "Submit request");
        data[TapBatchFormData.StartDateInput(0)] = start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        data[TapFormData.Inputs.Reason] = "Onboarding week";

        // Teams names the reader's zone in the clientInfo entity (the activity's localTimezone may be absent).
        var invoke = Activities.Invoke(TapBatchVerbs.Submit, data, _world.Connector.ServiceUrl, Henrietta.AadObjectId, Henrietta.Name,
            Henrietta.ConversationId, formCall.ActivityId!);
        invoke["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "clientInfo", ["locale"] = "en-GB", ["timezone"] = "Europe/Berlin",
        });
        (await _world.Bot.PostActivityAsync(invoke)).EnsureSuccessStatusCode();
        var (call, card) = await _world.WaitForCardAsync(Adele, "Onboarding passes for 2 people");
        await _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve all 2"), call.ActivityId!);
        await _world.IdleAsync();

        var batch = await LatestBatchAsync();
        var aiko = (await PartsAsync(batch.Id)).Single(p => p.Tap().TargetId == Personas.OnboardingBatch[0]);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var eight = start.ToDateTime(new TimeOnly(8, 0));
        Assert.Equal(new DateTimeOffset(eight, berlin.GetUtcOffset(eight)), aiko.Tap().StartsAt);
        Assert.NotEqual(new DateTimeOffset(eight, TimeSpan.Zero), aiko.Tap().StartsAt);
    }

    [Fact]
    public async Task A_batch_approved_five_times_at_once_while_another_approver_rejects_is_decided_once()
    {
        await _world.SayAsync(Henrietta, "tap aiko.tanaka@contoso.com bruno.costa@contoso.com");
        var (formCall, form) = await _world.WaitForCardAsync(Henrietta, "Passes for 2 new hires");
        var data = CardReader.Data(form, "Submit request");
        data[TapFormData.Inputs.Reason] = "Onboarding week";
        await _world.ClickAsync(Henrietta, TapBatchVerbs.Submit, data, formCall.ActivityId!);
        var (adeleCall, adeleCard) = await _world.WaitForCardAsync(Adele, "Onboarding passes for 2 people");
        var (alexCall, alexCard) = await _world.WaitForCardAsync(Alex, "Onboarding passes for 2 people");
        var reject = CardReader.Data(alexCard, "Reject request");
        reject["comment"] = "Laptops are late";

        await Task.WhenAll(Enumerable.Range(0, 5)
            .Select(_ => _world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(adeleCard, "Approve all 2"), adeleCall.ActivityId!))
            .Append(_world.ClickAsync(Alex, ApprovalVerbs.Reject, reject, alexCall.ActivityId!)));
        await _world.IdleAsync();

        var batch = await new Patience(_world).UntilAsync((await LatestBatchAsync()).Id, r => r.IsFinal);
        var audit = await _world.Service<IAuditLog>().ListAsync(200);
        if (batch.State == ApprovalState.Rejected)
        {
            Assert.Empty(await PartsAsync(batch.Id));
            Assert.All(Personas.OnboardingBatch.Take(2), h => Assert.Equal(0, CreatesFor(h)));
        }
        else
        {
            await AssertOnePassEachAsync(batch, [Personas.OnboardingBatch[0], Personas.OnboardingBatch[1]]);
        }
        // One decision, audited once, whoever won.
        Assert.Single(audit, a => a.Action is "tap.batch.approved" or "tap.batch.rejected");
    }

    [Fact]
    public async Task A_batch_the_bot_stopped_half_way_finishes_once_after_a_restart()
    {
        var hires = Personas.OnboardingBatch.Take(4).ToList();
        await _world.SayAsync(Henrietta, "tap " + string.Join(" ", hires.Select(h => h)));
        var (formCall, form) = await _world.WaitForCardAsync(Henrietta, "Passes for 4 new hires");
        var data = CardReader.Data(form, "Submit request");
        data[TapFormData.Inputs.Reason] = "Onboarding week";
        await _world.ClickAsync(Henrietta, TapBatchVerbs.Submit, data, formCall.ActivityId!);
        await _world.IdleAsync();

        // The crash: approved, the batch executing, two of its requests filed, the second one's pass being made.
        var batch = await LatestBatchAsync();
        var engine = _world.Service<ApprovalEngine>();
        await engine.DecideAsync(batch.Id, batch.Version, new Person(Personas.Adele, "Adele Vance"), true, null, default);
        var executing = (await engine.TransitionAsync(batch.Id, ApprovalState.Approved, ApprovalState.Executing, default))!;
        for (var i = 0; i < 2; i++)
            await engine.CreateApprovedAsync(TapBatch.PartId(batch.Id, i), TapRequest.Kind, executing.Requester,
                (executing.Batch().Hires[i].Request! with { BatchId = batch.Id }).ToJson(), executing.Decision!, default);
        await engine.TransitionAsync(TapBatch.PartId(batch.Id, 1), ApprovalState.Approved, ApprovalState.Executing, default);

        await _world.RestartAsync();
        _world.Clock.Advance(TapJobs.StuckAfter + TimeSpan.FromSeconds(1));
        // Two rounds at once (the restarted timer and a manual run, or two instances), under throttling.
        _world.Tenant.Faults.Throttle(TapPath, method: "POST", rate: 0.3, retryAfterSeconds: 0, maxCount: 3);
        var workflow = _world.Service<ApprovalWorkflow>();
        await Task.WhenAll(_world.Service<TapJobs>().RunOnceAsync(default),
            workflow.RecoverAsync(_world.Service<TapBatchKind>(), default), workflow.RecoverAsync(_world.Service<TapRequestKind>(), default));
        await _world.IdleAsync();
        await _world.Service<TapJobs>().RunOnceAsync(default);
        await _world.IdleAsync();

        await AssertOnePassEachAsync(batch, hires);
        var audit = await _world.Service<IAuditLog>().ListAsync(500);
        Assert.Single(audit, a => a.Action == "tap.batch.reconciled");
        Assert.Equal(2, audit.Count(a => a.Action == "tap.approved")); // the two parts the recovery filed
        Assert.Equal(4, audit.Count(a => a.Action == "tap.issued"));
    }

    [Fact]
    public async Task Words_after_tap_that_name_nobody_are_not_taken_for_people()
    {
        await _world.SayAsync(Henrietta, "tap please help me");
        await _world.Connector.WaitForTextAsync("followed by the new hires' sign-in names");
        await _world.SayAsync(Henrietta, "tap aiko.tanaka@contoso.com bruno.costa@contoso.com tomorrow");
        var (_, form) = await _world.WaitForCardAsync(Henrietta, "Passes for 2 new hires");
        Assert.Contains("'tomorrow' is not a sign-in name", CardReader.AllText(form), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a@x.com b@x.com", 2)]
    [InlineData("a@x.com, b@x.com and c@x.com.", 3)]
    [InlineData("for a@x.com;a@x.com", 1)]
    public void Sign_in_names_are_read_from_a_list_however_it_is_written(string text, int count)
    {
        Assert.Equal(count, TapBatches.Split(text).Count);
    }
}

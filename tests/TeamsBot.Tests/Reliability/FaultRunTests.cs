using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.DevTenant.Dev;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using Xunit.Abstractions;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// TAP flows (request, approve, issue, reveal, revoke) and policy operations while half of the Graph calls are throttled
/// or unavailable, some are slow, and Teams throttles now and then. Nothing may be lost, no pass may be created twice,
/// no pass may leak, and no policy change may be half made without the card saying so. FAULT_FLOWS runs more flows.
/// </summary>
public sealed class FaultRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Persona Nestor = BotWorld.Nestor;

    /// <summary>A requester and the people they ask passes for, one request at a time; its own lane.</summary>
    private sealed record Lane(Persona Requester, (string Id, string Upn, string Name)[] Targets, Persona[] Approvers, bool TypesTap);

    private static readonly Lane[] Lanes =
    [
        new(Megan, [(Personas.Diego, "diego.siciliani@contoso.com", "Diego Siciliani")], [Adele, Alex], TypesTap: false),
        new(Megan, [(Personas.Lynne, "lynne.robbins@contoso.com", "Lynne Robbins")], [Alex, Adele], TypesTap: false),
        new(Megan, [(Personas.Johanna, "johanna.lorenz@contoso.com", "Johanna Lorenz")], [Adele, Alex], TypesTap: false),
        new(Nestor, [(Personas.Pradeep, "pradeep.gupta@contoso.com", "Pradeep Gupta")], [Alex, Adele], TypesTap: true),
        // HR may ask for anyone; Miriam holds a directory role, so only the privileged approvers decide.
        new(Christie, [(Personas.Miriam, "miriam.graham@contoso.com", "Miriam Graham")], [Isaiah], TypesTap: true),
    ];

    private BotWorld _world = null!;
    private Patience _people = null!;
    private readonly ConcurrentBag<string> _passes = [];
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private int _connectorFaults;
    private int _notFiled;
    private Random _random = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync(s => s["Tap:MaxRequestsPerHour"] = "100000");
        await _world.InstallAsync(Megan, Nestor, Christie, Adele, Alex, Isaiah, Patti, Lee);
        _people = new Patience(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private static int Setting(string name, int normal) => int.TryParse(Environment.GetEnvironmentVariable(name), out var n) && n > 0 ? n : normal;

    [Fact]
    public async Task Two_hundred_TAP_flows_and_twenty_policy_operations_survive_throttling_outages_and_latency()
    {
        var seed = Setting("FAULT_SEED", 20261125);
        var flows = Setting("FAULT_FLOWS", 200);
        _random = new Random(seed);
        var faults = _world.Tenant.Faults;
        faults.UseSeed(seed);
        // Half of all Graph calls fail (a quarter 429, a third of the rest 503), batch items included; a fifth are slow.
        var throttle = faults.Throttle("/", rate: 0.25, retryAfterSeconds: 0);
        var unavailable = faults.Unavailable("/", rate: 1.0 / 3, retryAfterSeconds: 0);
        var slow = faults.Add(new FaultRule { Path = "/", Kind = FaultKind.Latency, Rate = 0.2, LatencyMilliseconds = 15 });
        var clock = Stopwatch.StartNew();

        var perLane = Enumerable.Range(0, Lanes.Length).Select(i => flows / Lanes.Length + (i < flows % Lanes.Length ? 1 : 0)).ToArray();
        var tapWork = Lanes.Select((lane, i) => Task.Run(() => RunLaneAsync(lane, i, perLane[i])));
        var policyWork = Task.Run(RunPolicyOperationsAsync);
        await Task.WhenAll([.. tapWork, policyWork]);
        var policyOperations = await policyWork;

        var hits = faults.Rules.ToDictionary(r => r.Id!, r => r.Hits);
        faults.Clear();
        await _world.IdleAsync();

        // No lost request: every TAP record ended, and nothing waits half done.
        var records = (await _world.Service<ApprovalEngine>().RecentAsync(1000, default)).Where(r => r.Kind == TapRequest.Kind).ToList();
        Assert.Equal(flows - _notFiled, records.Count);
        Assert.All(records, r => Assert.True(r.IsFinal, $"{r.Reference} is {r.State}"));

        // No duplicate pass: creations in the tenant's log equal the passes the records account for, one per issued request.
        var creates = _world.Tenant.RequestLog.Entries.Count(e => e is { Method: "POST", Status: 201, InBatch: false }
            && e.Path.EndsWith("/authentication/temporaryAccessPassMethods", StringComparison.Ordinal));
        var accounted = records.Sum(r => r.Tap().PassesCreated);
        Assert.Equal(accounted, creates);
        var duplicates = records.Count(r => r.Tap().PassesCreated > 1);
        Assert.Equal(0, duplicates);
        foreach (var lane in Lanes)
            foreach (var target in lane.Targets)
                Assert.Null(_world.Tenant.State.GetTap(target.Id)); // every pass was revoked, or never made

        var secrets = await SecretsFoundAsync();
        Assert.Equal(0, secrets);
        // The jobs may fail a round when Graph does (they say so and run again); nothing else may fail unhandled.
        var errors = WorldChecks.Errors(_world);
        var jobRounds = errors.Count(e => e.Contains("jobs failed; they run again", StringComparison.Ordinal) && e.Contains("DirectoryException", StringComparison.Ordinal));
        Assert.True(errors.Count == jobRounds, string.Join("\n", errors.Where(e => !e.Contains("jobs failed; they run again", StringComparison.Ordinal))));

        output.WriteLine($"fault run (seed {seed}): {flows} TAP flows and {policyOperations} policy operations in {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"  outcomes: {string.Join(", ", _outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine($"  Graph faults injected: {hits[throttle.Id!]} x429, {hits[unavailable.Id!]} x503 (of {_world.Tenant.RequestLog.Entries.Count} Graph calls), " +
            $"{hits[slow.Id!]} slowed; connector faults injected: {_connectorFaults}");
        output.WriteLine($"  errors shown to people (who then tried again): {_people.ErrorsShown}; job rounds failed by Graph (and rerun): {jobRounds}");
        output.WriteLine($"  passes created: {creates}, revealed: {_passes.Count}, duplicates found: {duplicates}, secrets found: {secrets}");
    }

    // ------------------------------------------------------------------ TAP lanes

    private async Task RunLaneAsync(Lane lane, int laneIndex, int count)
    {
        for (var n = 0; n < count; n++)
        {
            var target = lane.Targets[n % lane.Targets.Length];
            var outcome = await RunFlowAsync(lane, target, n, laneIndex);
            _outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
        }
    }

    private void MaybeTroubleTeams()
    {
        // Now and then Teams throttles or is briefly unavailable for the next call, whoever makes it; the bot retries.
        int roll;
        lock (_random) roll = _random.Next(10);
        if (roll >= 2) return;
        if (roll == 0) _world.Connector.FailNext(429, "Throttled", "0");
        else _world.Connector.FailNext(503, null, "0");
        Interlocked.Increment(ref _connectorFaults);
    }

    private int CreatesFor(string userId) => _world.Tenant.RequestLog.Entries.Count(e => e is { Method: "POST", Status: 201, InBatch: false }
        && e.Path == $"/users/{userId}/authentication/temporaryAccessPassMethods");

    private async Task<string> RunFlowAsync(Lane lane, (string Id, string Upn, string Name) target, int n, int laneIndex)
    {
        var who = lane.Requester;
        var createsBefore = CreatesFor(target.Id);

        // The form (typed, or from the card's button) and the request. Both read the directory in a $batch of many items,
        // so with half of all Graph calls failing even ten tries can all fail: then the requester was told ten times
        // and nothing was filed, which is an honest outcome (and counted).
        string formId;
        JsonObject filed;
        try
        {
            MaybeTroubleTeams();
            JsonObject form;
            if (lane.TypesTap && n % 2 == 0)
            {
                var (call, card) = await _people.SayAsync(who, "tap", c => Patience.Says(c, "Request a Temporary Access Pass"));
                (form, formId) = (card, call.ActivityId!);
            }
            else
            {
                formId = $"form-{laneIndex}-{n}";
                form = await _people.ClickAsync(who, TapVerbs.New, [], formId, c => Patience.Says(c, "Request a Temporary Access Pass"));
            }

            var data = CardReader.Data(form, "Submit request");
            data["userUpn"] = target.Upn;
            data["lifetimeMinutes"] = "120";
            data["usableOnce"] = "true";
            data["reason"] = $"Onboarding {n}";
            MaybeTroubleTeams();
            filed = await _people.ClickAsync(who, TapVerbs.Submit, data, formId, c => Patience.Says(c, "Waiting for approval"));
        }
        catch (GaveUpException)
        {
            Interlocked.Increment(ref _notFiled);
            return "not filed: the requester was told each time Graph failed";
        }
        var requestId = CardReader.Data(filed, "Cancel request")["recordId"]!.GetValue<string>();
        var reference = "R-" + requestId[^6..].ToUpperInvariant();

        // The approvers' cards; an approver who doesn't see one asks for what is pending.
        var approver = lane.Approvers[n % lane.Approvers.Length];
        (ConnectorCall Call, JsonObject Card) approval;
        try
        {
            approval = await _people.CardAsync(approver, requestId, c => CardReader.Action(c, "Approve") is not null, 10_000);
        }
        catch (TimeoutException)
        {
            _outcomes.AddOrUpdate("approver asked for pending", 1, (_, c) => c + 1);
            await _people.SayAsync(approver, "pending", c => Patience.Says(c, "Pending TAP approvals"));
            approval = await _people.CardAsync(approver, requestId, c => CardReader.Action(c, "Approve") is not null);
        }

        MaybeTroubleTeams();
        if (n % 13 == 7)
        {
            var reject = CardReader.Data(approval.Card, "Reject request");
            reject["comment"] = "Wrong start date";
            await _people.ClickAsync(approver, ApprovalVerbs.Reject, reject, approval.Call.ActivityId!, c => Patience.Says(c, "Rejected by"));
            await _people.UntilAsync(requestId, r => r.IsFinal);
            Assert.True(await _people.ToldAsync(who, 20_000, "rejected your TAP request", reference), $"{who.Name} was not told {reference} was rejected");
            Assert.Equal(createsBefore, CreatesFor(target.Id));
            return "rejected (requester told)";
        }

        var decided = (Func<JsonObject, bool>)(c => Patience.Says(c, "Approved by") || Patience.Says(c, "Pass created") || Patience.Says(c, "creating the pass"));
        if (n % 7 == 3 && lane.Approvers.Length > 1)
        {
            // Both approvers at once: one decision, one pass.
            var other = lane.Approvers.First(a => a != approver);
            var otherCard = await _people.CardAsync(other, requestId, c => CardReader.Action(c, "Approve") is not null);
            await Task.WhenAll(
                _people.ClickAsync(approver, ApprovalVerbs.Approve, CardReader.Data(approval.Card, "Approve"), approval.Call.ActivityId!, AnyCard),
                _people.ClickAsync(other, ApprovalVerbs.Approve, CardReader.Data(otherCard.Card, "Approve"), otherCard.Call.ActivityId!, AnyCard));
        }
        else
        {
            await _people.ClickAsync(approver, ApprovalVerbs.Approve, CardReader.Data(approval.Card, "Approve"), approval.Call.ActivityId!, decided);
        }

        var done = await _people.UntilAsync(requestId, r => r.IsFinal);
        var created = CreatesFor(target.Id) - createsBefore;
        if (done.State == ApprovalState.Failed)
        {
            // The pass could not be made even after Graph retries: the requester hears why, and nothing is left behind.
            Assert.True(await _people.ToldAsync(who, 20_000, "could not be created"), $"{who.Name} was not told {reference} failed");
            Assert.Null(_world.Tenant.State.GetTap(target.Id));
            Assert.Equal(0, done.Tap().PassesCreated);
            return "issuance failed (requester told)";
        }
        Assert.Equal(ApprovalState.Completed, done.State);
        Assert.True(await _people.ToldAsync(who, 20_000, "approved your TAP request", reference), $"{who.Name} was not told {reference} was approved");
        Assert.Equal(1, created);

        // Reveal once, then revoke (so the next round starts clean).
        MaybeTroubleTeams();
        var revealed = await _people.ClickAsync(who, TapVerbs.Reveal, new JsonObject { ["recordId"] = requestId, ["version"] = done.Version }, formId,
            c => CardReader.Action(c, "Hide now") is not null);
        var pass = TapFlowTests.PassIn(revealed);
        Assert.Equal(8, pass.Length);
        _passes.Add(pass);
        MaybeTroubleTeams();
        await _people.ClickAsync(who, TapVerbs.Revoke, new JsonObject { ["recordId"] = requestId, ["version"] = done.Version }, formId,
            c => Patience.Says(c, "Pass revoked by"));
        Assert.Null(_world.Tenant.State.GetTap(target.Id));
        var final = await _world.Service<ApprovalEngine>().GetAsync(requestId, default);
        Assert.Equal(1, final!.Tap().PassesCreated);
        Assert.Equal(1, CreatesFor(target.Id) - createsBefore);
        return n % 7 == 3 && lane.Approvers.Length > 1 ? "issued after a double approval, revealed, revoked" : "issued, revealed, revoked";

        static bool AnyCard(JsonObject _) => true;
    }

    // ------------------------------------------------------------------ policy operations

    private IReadOnlyList<JsonObject> Ours() => [.. _world.Tenant.State.ConditionalAccessPolicies
        .Where(p => (p["description"]?.GetValue<string>() ?? "").Contains("teamsbot:registration-policy", StringComparison.Ordinal))];

    private async Task<int> RunPolicyOperationsAsync()
    {
        var operations = 0;
        for (var cycle = 0; cycle < 4; cycle++)
        {
            await PlanAndApproveAsync("policy deploy", "Deploy");
            await StatusAsync(Patti);
            await PlanAndApproveAsync("policy promote all because drill: pilot group verified", "Promote");
            await RollbackAsync();
            await ReadAsync(Lee, "audit", "Audit (newest first)");
            operations += 5;
        }
        return operations;
    }

    private Task StatusAsync(Persona who) => ReadAsync(who, "policy status", "Security-info registration policies");

    /// <summary>
    /// A read (status, audit): status alone makes a dozen Graph calls, so with half of them failing it may take many
    /// tries; every failed one told the admin so, which is all a read owes them.
    /// </summary>
    private async Task ReadAsync(Persona who, string command, string title)
    {
        var shown = await _people.TrySayAsync(who, command, c => Patience.Says(c, title));
        _outcomes.AddOrUpdate(shown is null ? $"{command}: only errors shown, after 10 tries" : $"{command}: shown", 1, (_, c) => c + 1);
    }

    private async Task PlanAndApproveAsync(string command, string action)
    {
        var (_, card) = await _people.SayAsync(Patti, command, c => Patience.Says(c, "Plan:") || Patience.Says(c, "Nothing to do"));
        if (Patience.Says(card, "Nothing to do"))
        {
            _outcomes.AddOrUpdate($"policy {action.ToLowerInvariant()}: nothing to do", 1, (_, c) => c + 1);
            return;
        }
        var planData = CardReader.Data(card, "Cancel plan");
        var planId = planData["recordId"]!.GetValue<string>();
        var reference = "R-" + planId[^6..].ToUpperInvariant();
        var before = Ours().Select(p => p.ToJsonString()).ToList();
        (ConnectorCall Call, JsonObject Card) approval;
        while (true)
        {
            if (_people.WasTold(Patti, "nobody got plan " + reference))
            {
                // The bot could not look up the other admins, refused the plan and said so: Patti plans again.
                _outcomes.AddOrUpdate("policy plan not sent to the admins (planner told, planned again)", 1, (_, c) => c + 1);
                Assert.Equal(ApprovalState.Refused, (await _world.Service<ApprovalEngine>().GetAsync(planId, default))!.State);
                await PlanAndApproveAsync(command, action);
                return;
            }
            var found = _world.CardsFor(Lee).LastOrDefault(c => c.Card.ToJsonString().Contains(planId, StringComparison.Ordinal)
                && CardReader.Action(c.Card, "Approve plan") is not null);
            if (found.Card is not null)
            {
                approval = found;
                break;
            }
            await Task.Delay(20);
        }
        MaybeTroubleTeams();
        await _people.ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(approval.Card, "Approve plan"), approval.Call.ActivityId!,
            c => !Patience.Says(c, "Waiting for a second policy admin"));
        var done = await _people.UntilAsync(planId, r => r.IsFinal);
        var plan = done.Plan();
        var applied = plan.Steps.Where(s => s.Done).ToList();

        if (done.State == ApprovalState.Completed)
        {
            Assert.True(await _people.ToldAsync(Patti, 20_000, "it is applied", done.Reference));
            if (action == "Promote") Assert.All(Ours(), p => Assert.Equal("enabled", p["state"]!.GetValue<string>()));
            else Assert.Equal(2, Ours().Count);
            _outcomes.AddOrUpdate($"policy {action.ToLowerInvariant()}: applied", 1, (_, c) => c + 1);
            return;
        }

        // Failed: the card and the planner say exactly what was applied; the tenant shows that and nothing more.
        Assert.Equal(ApprovalState.Failed, done.State);
        Assert.True(await _people.ToldAsync(Patti, 20_000, "was not applied", done.Reference));
        var (_, shown) = await _people.CardAsync(Patti, done.Reference, c => Patience.Says(c, done.Outcome!));
        if (applied.Count == 0)
        {
            Assert.Contains("Nothing was changed", done.Outcome, StringComparison.Ordinal);
            Assert.Equal(before, Ours().Select(p => p.ToJsonString()).ToList());
        }
        else
        {
            foreach (var step in applied) Assert.Contains($"policy {step.Key}: {step.Result}", done.Outcome, StringComparison.Ordinal);
            Assert.Contains("The rest was not", done.Outcome, StringComparison.Ordinal);
        }
        _ = shown;
        _outcomes.AddOrUpdate($"policy {action.ToLowerInvariant()}: not applied, card says what was ({applied.Count} step(s))", 1, (_, c) => c + 1);
        if (action == "Deploy") await PlanAndApproveAsync(command, action); // the admins try again
    }

    private Dictionary<PolicyKey, string> States() => Ours().ToDictionary(
        p => p["description"]!.GetValue<string>().Contains(RegistrationPolicies.Marker(PolicyKey.A), StringComparison.Ordinal) ? PolicyKey.A : PolicyKey.B,
        p => p["state"]!.GetValue<string>());

    private async Task RollbackAsync()
    {
        // Said once at a time, not through Patience: what Lee reads after each try must match what the tenant shows.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var before = States();
            var mark = _world.Connector.Calls.Count;
            await _world.SayAsync(Lee, "policy rollback all");
            var reply = await _people.NextAsync(Lee, mark);
            var card = (reply.Body?["attachments"] as JsonArray)?.OfType<JsonObject>().Select(a => a["content"] as JsonObject).FirstOrDefault();
            var after = States();
            if (card is null)
            {
                // An error message: then nothing may have changed, or Lee would not know a policy went back.
                Assert.True(before.OrderBy(b => b.Key).SequenceEqual(after.OrderBy(a => a.Key)),
                    $"Lee was told '{reply.Body?["text"]}' but the policies went from {string.Join(",", before)} to {string.Join(",", after)}");
                _people.CountError();
                continue;
            }
            // Each line says what happened to one policy; the tenant agrees with every line.
            var text = CardReader.AllText(card);
            foreach (var (key, state) in after)
            {
                if (text.Contains($"Policy {key} is back in report-only", StringComparison.Ordinal)
                    || text.Contains($"Policy {key} is already report-only", StringComparison.Ordinal))
                    Assert.Equal(RegistrationPolicies.ReportOnly, state);
                else
                    Assert.Equal(before[key], state);
            }
            var partly = after.Values.Any(v => v != RegistrationPolicies.ReportOnly);
            _outcomes.AddOrUpdate(partly ? "policy rollback: in part, the card says which" : "policy rollback: done", 1, (_, c) => c + 1);
            if (!partly) return;
        }
        throw new InvalidOperationException("Lee gave up rolling back.");
    }

    // ------------------------------------------------------------------ secrets

    /// <summary>Every pass revealed, searched for in the logs, the audit, what went to Teams and the database files.</summary>
    private async Task<int> SecretsFoundAsync()
    {
        var logs = _world.Logs.AllText();
        var audit = string.Join("\n", (await _world.Service<IAuditLog>().ListAsync(1000)).Select(a => a.ToString()));
        var teams = string.Join("\n", _world.Connector.Calls.Select(c => c.Path + " " + c.Body?.ToJsonString()));
        var graph = string.Join("\n", _world.Tenant.RequestLog.Entries.Select(e => e.Path + "?" + e.Query));
        await _world.Bot.DisposeAsync();
        var files = string.Join("\n", System.IO.Directory.GetFiles(Path.GetDirectoryName(_world.DatabasePath)!)
            .Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        _world.Bot = _world.NewBot();
        var found = 0;
        foreach (var pass in _passes)
            foreach (var (name, text) in new[] { ("logs", logs), ("audit", audit), ("Teams traffic", teams), ("Graph requests", graph), ("database", files) })
                if (text.Contains(pass, StringComparison.Ordinal))
                {
                    found++;
                    output.WriteLine($"a revealed pass was found in the {name}");
                }
        return found;
    }
}

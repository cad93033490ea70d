using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.DevTenant;
using TeamsBot.DevTenant.Dev;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using Xunit.Abstractions;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Reliability.Crash;

/// <summary>
/// The built bot as a real process, killed with SIGKILL at chosen points of the TAP and deploy flows, then started again
/// on the same database. Its jobs (which run at start, once the dead process's lease has run out) must finish every
/// request: one valid pass per request in the tenant, any pass the dead process made but never recorded deleted, the
/// plan applied exactly once, and the people told.
/// </summary>
/// <remarks>
/// A real restart can't jump a fake clock, so the stuck thresholds are settings: long in the process that is killed (it
/// must not recover its own work before dying), a few seconds in the one that takes over (in production both are two
/// minutes, and recovery starts that long after the crash).
/// </remarks>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string TapPath = "/authentication/temporaryAccessPassMethods";
    private readonly TempDir _temp = new();
    private readonly int _port = BotProcess.FreePort();
    private readonly List<string> _passes = [];
    private readonly StringBuilder _logs = new();
    private SimulatedTenant _tenant = null!;
    private FakeConnector _connector = null!;
    private HoldingRelay _graph = null!;
    private HoldingRelay _teams = null!;
    private BotProcess _bot = null!;

    public async Task InitializeAsync()
    {
        _tenant = await SimulatedTenant.StartAsync();
        _connector = await FakeConnector.StartAsync();
        _graph = await HoldingRelay.StartAsync(_tenant.RootUrl);
        _teams = await HoldingRelay.StartAsync(_connector.ServiceUrl[..^"/_connector/".Length]);
    }

    public async Task DisposeAsync()
    {
        if (_bot is not null) await _bot.DisposeAsync();
        await _teams.DisposeAsync();
        await _graph.DisposeAsync();
        await _connector.DisposeAsync();
        await _tenant.DisposeAsync();
        _temp.Dispose();
    }

    private string ServiceUrl => _teams.Url + "/_connector/";
    private string Database => _temp.File("bot.db");

    private Dictionary<string, string> Settings(bool killed) => new()
    {
        ["Bot:AllowUnauthenticatedLocalRequests"] = "true",
        ["Bot:TenantId"] = BotApp.TenantId,
        ["Graph:Mode"] = "Simulated",
        ["Graph:BaseUrl"] = _graph.Url + "/v1.0",
        ["Storage:SqlitePath"] = Database,
        ["Tap:ApproversGroupId"] = "b0000000-0000-4000-8000-000000000001",
        ["Tap:PrivilegedApproversGroupId"] = "b0000000-0000-4000-8000-000000000007",
        ["Tap:RequestersGroupId"] = "b0000000-0000-4000-8000-000000000006",
        ["Policies:AdminsGroupId"] = "b0000000-0000-4000-8000-000000000003",
        ["Tap:JobInterval"] = "00:00:01",
        ["Policies:JobInterval"] = "00:00:01",
        ["Tap:StuckIssuanceAfter"] = killed ? "00:10:00" : "00:00:04",
        ["Policies:StuckApplyAfter"] = killed ? "00:10:00" : "00:00:04",
        ["Logging:LogLevel:Default"] = "Information",
    };

    private async Task StartAsync(bool killed) => _bot = await BotProcess.StartAsync(_port, Settings(killed));

    private void Kill()
    {
        _bot.Kill();
        _logs.Append(_bot.Output);
    }

    // ------------------------------------------------------------------ people

    private async Task InstallAsync(params Persona[] people)
    {
        foreach (var p in people)
        {
            await _bot.SendAsync(Activities.Install(ServiceUrl, p.AadObjectId, p.Name, p.ConversationId));
            await _connector.WaitForAsync(c => Patience.IsTo(c, p) && c.Body?["attachments"] is not null);
        }
    }

    private async Task<JsonObject> ClickAsync(Persona who, string verb, JsonObject data, string replyTo = "card") =>
        (await _bot.SendAsync(Activities.Invoke(verb, data, ServiceUrl, who.AadObjectId, who.Name, who.ConversationId, replyTo)))!;

    private Task SayAsync(Persona who, string text) =>
        _bot.SendAsync(Activities.Message(text, ServiceUrl, who.AadObjectId, who.Name, who.ConversationId));

    private async Task<string> FileAsync(Persona requester, string upn)
    {
        var form = CardReader.CardOf(await ClickAsync(requester, TapVerbs.New, [], "form-" + upn));
        var data = CardReader.Data(form, "Submit request");
        data["userUpn"] = upn;
        data["reason"] = "Starts Monday";
        var filed = CardReader.CardOf(await ClickAsync(requester, TapVerbs.Submit, data, "form-" + upn));
        Assert.Contains("Waiting for approval", CardReader.AllText(filed), StringComparison.Ordinal);
        return CardReader.Data(filed, "Cancel request")["recordId"]!.GetValue<string>();
    }

    private async Task<(ConnectorCall Call, JsonObject Card)> CardAsync(Persona who, string marker, string action, int timeoutMs = Waits.SafetyNetMs)
    {
        var call = await _connector.WaitForAsync(c => Patience.IsTo(c, who) && c.Body?["attachments"]?[0]?["content"] is JsonObject card
            && card.ToJsonString().Contains(marker, StringComparison.Ordinal) && CardReader.Action(card, action) is not null, timeoutMs);
        return (call, call.Body!["attachments"]![0]!["content"]!.AsObject());
    }

    private async Task ApproveAsync(Persona approver, string requestId)
    {
        var (call, card) = await CardAsync(approver, requestId, "Approve");
        var answer = await ClickAsync(approver, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        Assert.Contains($"Approved by {approver.Name}", CardReader.AllText(CardReader.CardOf(answer)), StringComparison.Ordinal);
    }

    private async Task<string> RevealAsync(Persona requester, string requestId)
    {
        // A person tries again when told it failed (a failed replacement gives the reveal back); three tries at most.
        JsonObject answer = [];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var record = await RecordAsync(requestId);
            answer = (await ClickAsync(requester, TapVerbs.Reveal, new JsonObject { ["recordId"] = requestId, ["version"] = record.Version }))!;
            if (answer["type"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive") break;
            output.WriteLine($"reveal told {requester.Name}: {answer["value"]}");
        }
        var revealed = CardReader.CardOf(answer);
        var pass = TapFlowTests.PassIn(revealed);
        Assert.Equal(8, pass.Length);
        _passes.Add(pass);
        return pass;
    }

    private Task<ConnectorCall> ToldAsync(Persona who, string text) =>
        _connector.WaitForAsync(c => Patience.IsTo(c, who) && c.Body?["text"]?.GetValue<string>()?.Contains(text, StringComparison.Ordinal) == true);

    // ------------------------------------------------------------------ the store and the tenant

    private async Task<ApprovalRecord> RecordAsync(string id) =>
        (await new ApprovalStore(new SqliteDocumentStore(Database), TimeProvider.System).GetAsync(id, default))!.Value.Record;

    private async Task<ApprovalRecord> UntilAsync(string id, ApprovalState state, int timeoutMs = Waits.SafetyNetMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var record = await RecordAsync(id);
            if (record.State == state) return record;
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"{record.Reference} stayed {record.State} ({record.Outcome}).\n{_bot.Output}");
            await Task.Delay(100);
        }
    }

    private IReadOnlyList<RequestLogEntry> TapCalls(string userId, string method) => [.. _tenant.RequestLog.Entries
        .Where(e => e.Method == method && !e.InBatch && e.Path.StartsWith($"/users/{userId}{TapPath}", StringComparison.Ordinal))];

    private int Created(string userId) => TapCalls(userId, "POST").Count(e => e.Status == 201);

    private IReadOnlyList<JsonObject> Ours() => [.. _tenant.State.ConditionalAccessPolicies
        .Where(p => (p["description"]?.GetValue<string>() ?? "").Contains("teamsbot:registration-policy", StringComparison.Ordinal))];

    /// <summary>The pass in the tenant is the one the record names, and the only one the user has.</summary>
    private async Task AssertOneValidPassAsync(string userId, string requestId)
    {
        var record = await RecordAsync(requestId);
        Assert.Equal(ApprovalState.Completed, record.State);
        var tap = _tenant.State.GetTap(userId);
        Assert.NotNull(tap);
        Assert.Equal(record.Tap().MethodId, tap.Id);
        Assert.True(tap.StartDateTime.AddMinutes(tap.LifetimeInMinutes) > DateTimeOffset.UtcNow, "the pass has expired");
    }

    private async Task AssertNoSecretsAsync()
    {
        _logs.Append(_bot.Output);
        await _bot.DisposeAsync();
        var files = string.Join("\n", System.IO.Directory.GetFiles(_temp.Path).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        var teams = string.Join("\n", _connector.Calls.Select(c => c.Body?.ToJsonString()));
        foreach (var pass in _passes)
        {
            Assert.DoesNotContain(pass, _logs.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(pass, files, StringComparison.Ordinal);
            Assert.DoesNotContain(pass, teams, StringComparison.Ordinal);
        }
    }

    // ------------------------------------------------------------------ tests

    [Fact]
    public async Task Killed_with_work_in_every_state_the_restarted_bot_finishes_each_request_once()
    {
        var clock = Stopwatch.StartNew();
        await StartAsync(killed: true);
        await InstallAsync(Megan, Adele, Alex, Patti, Lee);

        // Johanna: the pass is made; Megan has not revealed it yet (it lives in the killed process's memory only).
        var johanna = await FileAsync(Megan, "johanna.lorenz@contoso.com");
        await ApproveAsync(Adele, johanna);
        await UntilAsync(johanna, ApprovalState.Completed);
        var johannaFirst = _tenant.State.GetTap(Personas.Johanna)!.Id;

        // The deploy plan: policy A made; policy B made in the tenant, but Graph's answer never arrives.
        _graph.HoldAfter(r => r.Method == "POST" && r.Path == "/v1.0/identity/conditionalAccess/policies", skip: 1);
        await SayAsync(Patti, "policy deploy");
        await _connector.WaitForCardAsync("Plan: Deploy");
        var (planCall, planCard) = await CardAsync(Lee, "Plan: Deploy", "Approve plan");
        var planId = CardReader.Data(planCard, "Approve plan")["recordId"]!.GetValue<string>();
        await ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(planCard, "Approve plan"), planCall.ActivityId!);
        await _graph.UntilHeldAsync(1);
        Assert.Equal(2, Ours().Count);

        // Lynne: approved; her pass made in the tenant, the answer lost with the process.
        _graph.HoldAfter(r => r.Method == "POST" && r.Path == $"/v1.0/users/{Personas.Lynne}{TapPath}");
        var lynne = await FileAsync(Megan, "lynne.robbins@contoso.com");
        await ApproveAsync(Alex, lynne);
        await _graph.UntilHeldAsync(2);
        var orphan = _tenant.State.GetTap(Personas.Lynne)!.Id;

        // Diego: filed; the approvers' cards are still on their way.
        _teams.HoldBefore(r => r.Method == "POST" && (r.Path.Value!.Contains("personal-adele.vance", StringComparison.Ordinal)
            || r.Path.Value.Contains("personal-alex.wilber", StringComparison.Ordinal)));
        var diego = await FileAsync(Megan, "diego.siciliani@contoso.com");
        await _teams.UntilHeldAsync(1);

        Kill();
        Assert.Equal(ApprovalState.Executing, (await RecordAsync(lynne)).State);
        Assert.Equal(ApprovalState.Executing, (await RecordAsync(planId)).State);
        Assert.Equal(ApprovalState.Pending, (await RecordAsync(diego)).State);
        _graph.Release();
        _teams.Release();
        var killedAt = clock.Elapsed;
        await StartAsync(killed: false);

        // Lynne: the pass nobody knew of is deleted and one pass made; Megan hears it and sees it.
        await UntilAsync(lynne, ApprovalState.Completed);
        await AssertOneValidPassAsync(Personas.Lynne, lynne);
        Assert.NotEqual(orphan, _tenant.State.GetTap(Personas.Lynne)!.Id);
        Assert.Contains(TapCalls(Personas.Lynne, "DELETE"), e => e.Path.EndsWith(orphan, StringComparison.Ordinal) && e.Status == 204);
        Assert.Equal(2, Created(Personas.Lynne)); // the second only because the first never reached the bot:
        Assert.Equal(2, _graph.Undelivered);     // the relay kept that answer (and policy B's)
        await ToldAsync(Megan, "approved your TAP request for Lynne Robbins");
        await RevealAsync(Megan, lynne);
        Assert.Equal(2, Created(Personas.Lynne));

        // The plan: finished, policy B taken over, not made twice.
        var plan = await UntilAsync(planId, ApprovalState.Completed);
        Assert.Equal(2, Ours().Count);
        Assert.All(Ours(), p => Assert.Equal(RegistrationPolicies.ReportOnly, p["state"]!.GetValue<string>()));
        await ToldAsync(Patti, $"approved plan {plan.Reference}; it is applied");
        var recoveredAt = clock.Elapsed;

        // Johanna: nobody can see the pass the killed process held, so Reveal replaces it, deleting the old one first.
        await RevealAsync(Megan, johanna);
        await AssertOneValidPassAsync(Personas.Johanna, johanna);
        var deleted = TapCalls(Personas.Johanna, "DELETE").First(e => e.Path.EndsWith(johannaFirst, StringComparison.Ordinal) && e.Status == 204);
        var made = TapCalls(Personas.Johanna, "POST").Where(e => e.Status == 201).Last();
        Assert.True(deleted.Sequence < made.Sequence, "the old pass was deleted before the new one was made");
        Assert.Equal(2, (await RecordAsync(johanna)).Tap().PassesCreated);

        // Diego: still waiting, nothing lost; Adele asks what is pending and approves; Megan reveals.
        Assert.Equal(ApprovalState.Pending, (await RecordAsync(diego)).State);
        await SayAsync(Adele, "pending");
        await ApproveAsync(Adele, diego);
        await UntilAsync(diego, ApprovalState.Completed);
        await RevealAsync(Megan, diego);
        await AssertOneValidPassAsync(Personas.Diego, diego);
        Assert.Equal(1, Created(Personas.Diego));

        var records = await new ApprovalStore(new SqliteDocumentStore(Database), TimeProvider.System).RecentAsync(100, default);
        Assert.All(records, r => Assert.Equal(ApprovalState.Completed, r.State));
        await AssertNoSecretsAsync();
        output.WriteLine($"crash (work in every state): killed at {killedAt.TotalSeconds:F1} s, recovered by {recoveredAt.TotalSeconds:F1} s, " +
            $"all done in {clock.Elapsed.TotalSeconds:F1} s; {records.Count} requests completed, {_passes.Count} passes revealed, " +
            $"orphans deleted 1, duplicate passes 0, duplicate policies 0, secrets found 0");
    }

    [Fact]
    public async Task Killed_while_Graph_holds_pass_creation_and_a_deployment_the_restarted_bot_completes_both()
    {
        var clock = Stopwatch.StartNew();
        await StartAsync(killed: true);
        await InstallAsync(Nestor, Adele, Alex, Patti, Lee);

        // Graph is slow: the pass and the first policy wait in the tenant before anything is made.
        var tapHold = _tenant.Faults.Delay("/users/*" + TapPath, TimeSpan.FromMinutes(1), method: "POST");
        var policyHold = _tenant.Faults.Delay("/identity/conditionalAccess/policies", TimeSpan.FromMinutes(1), method: "POST");
        var pradeep = await FileAsync(Nestor, "pradeep.gupta@contoso.com");
        await ApproveAsync(Alex, pradeep);
        await SayAsync(Patti, "policy deploy");
        var (planCall, planCard) = await CardAsync(Lee, "Plan: Deploy", "Approve plan");
        var planId = CardReader.Data(planCard, "Approve plan")["recordId"]!.GetValue<string>();
        await ClickAsync(Lee, ApprovalVerbs.Approve, CardReader.Data(planCard, "Approve plan"), planCall.ActivityId!);
        await UntilHitAsync(tapHold.Id!);
        await UntilHitAsync(policyHold.Id!);

        Kill();
        _tenant.Faults.Clear();
        await StartAsync(killed: false);

        await UntilAsync(pradeep, ApprovalState.Completed);
        await AssertOneValidPassAsync(Personas.Pradeep, pradeep);
        Assert.Equal(1, Created(Personas.Pradeep)); // the held creation died with its caller
        await ToldAsync(Nestor, "approved your TAP request for Pradeep Gupta");
        await RevealAsync(Nestor, pradeep);

        var plan = await UntilAsync(planId, ApprovalState.Completed);
        Assert.Equal(2, Ours().Count);
        await ToldAsync(Patti, $"approved plan {plan.Reference}; it is applied");
        await AssertNoSecretsAsync();
        output.WriteLine($"crash (Graph holding the calls): both recovered, all done in {clock.Elapsed.TotalSeconds:F1} s; passes made 1, policies 2");
    }

    private async Task UntilHitAsync(string ruleId)
    {
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (_tenant.Faults.Rules.Single(r => r.Id == ruleId).Hits == 0)
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("The call never reached the tenant.\n" + _bot.Output);
            await Task.Delay(20);
        }
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.DevTenant;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Storage;
using Xunit.Abstractions;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Scale;

/// <summary>
/// Two bot processes on one Azure Table Storage (Azurite), one simulated tenant and one fake Teams connector: as an
/// organisation runs the bot on several instances behind a load balancer.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public SimulatedTenant Tenant { get; private set; } = null!;
    public FakeConnector Connector { get; private set; } = null!;
    public BotProcess A { get; private set; } = null!;
    public BotProcess B { get; private set; } = null!;
    /// <summary>The test's own view of the shared store (a third client of the same table).</summary>
    public IDocumentStore Store { get; private set; } = null!;
    public TimeSpan AzuriteStart { get; private set; }
    public TimeSpan BotsStart { get; private set; }

    public async Task InitializeAsync()
    {
        var azurite = await Azurite.GetAsync();
        AzuriteStart = azurite.StartTime;
        Tenant = await SimulatedTenant.StartAsync();
        Connector = await FakeConnector.StartAsync();
        var prefix = Azurite.NewTablePrefix();
        Store = new AzureTableDocumentStore(azurite.Client(), new AzureTablesOptions { TablePrefix = prefix }.TableName);

        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Bot__AllowUnauthenticatedLocalRequests"] = "true",
            ["Bot__AppId"] = "",
            ["Bot__TenantId"] = BotApp.TenantId,
            ["Graph__Mode"] = "Simulated",
            ["Graph__BaseUrl"] = Tenant.BaseUrl,
            ["Storage__Provider"] = "AzureTables",
            ["Storage__AzureTables__ConnectionString"] = azurite.ConnectionString,
            ["Storage__AzureTables__TablePrefix"] = prefix,
            ["Tap__ApproversGroupId"] = "b0000000-0000-4000-8000-000000000001",
            ["Tap__PrivilegedApproversGroupId"] = "b0000000-0000-4000-8000-000000000007",
            ["Tap__RequestersGroupId"] = "b0000000-0000-4000-8000-000000000006",
            ["Policies__AdminsGroupId"] = "b0000000-0000-4000-8000-000000000003",
            ["Policies__WhatIfGuestUserId"] = Personas.Joni,
            ["BreakGlass__UserIds__0"] = Personas.BreakGlass1,
            ["BreakGlass__UserIds__1"] = Personas.BreakGlass2,
            ["BreakGlass__GroupId"] = "b0000000-0000-4000-8000-000000000004",
            ["Logging__LogLevel__TeamsBot.Storage.Leases"] = "Debug",
        };
        var started = Stopwatch.StartNew();
        var both = await Task.WhenAll(BotProcess.StartAsync("A", environment), BotProcess.StartAsync("B", environment));
        BotsStart = started.Elapsed;
        (A, B) = (both[0], both[1]);
    }

    public async Task DisposeAsync()
    {
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        await Connector.DisposeAsync();
        await Tenant.DisposeAsync();
    }
}

public sealed class TwoInstancesTests(TwoInstances world, ITestOutputHelper output) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task The_same_request_approved_through_both_instances_at_once_gives_one_decision_and_one_pass()
    {
        output.WriteLine($"Azurite up in {world.AzuriteStart.TotalSeconds:F1} s; two bot processes answering in {world.BotsStart.TotalSeconds:F1} s " +
            $"(pids {world.A.ProcessId}, {world.B.ProcessId})");
        // Each approver talks to a different instance; the conversation references they leave are shared.
        await InstallAsync(world.A, Megan);
        await InstallAsync(world.A, Adele);
        await InstallAsync(world.B, Alex);

        // Megan gets the form from A and submits it through B.
        await SayAsync(world.A, Megan, "tap");
        var (formCall, form) = await WaitForCardAsync(Megan, "Submit request");
        var data = CardReader.Data(form, "Submit request");
        data["userUpn"] = "lynne.robbins@contoso.com";
        data["lifetimeMinutes"] = "120";
        data["usableOnce"] = "true";
        data["reason"] = "First day on Monday";
        var submitted = await ClickAsync(world.B, Megan, TapVerbs.Submit, data, formCall.ActivityId!);
        Assert.Contains("Waiting for approval", CardReader.AllText(CardReader.CardOf(submitted)), StringComparison.Ordinal);

        var (adeleCall, adeleCard) = await WaitForCardAsync(Adele, "TAP request for Lynne Robbins");
        var (alexCall, alexCard) = await WaitForCardAsync(Alex, "TAP request for Lynne Robbins");

        // Both approve at the same moment, each through a different process.
        var both = await Task.WhenAll(
            ClickAsync(world.A, Adele, ApprovalVerbs.Approve, CardReader.Data(adeleCard, "Approve"), adeleCall.ActivityId!),
            ClickAsync(world.B, Alex, ApprovalVerbs.Approve, CardReader.Data(alexCard, "Approve"), alexCall.ActivityId!));

        var engine = new ApprovalEngine(new ApprovalStore(world.Store, TimeProvider.System), TimeProvider.System);
        var record = await WaitAsync(async () => (await engine.RecentAsync(10, default)).SingleOrDefault(r => r.IsFinal));
        Assert.Equal(ApprovalState.Completed, record.State);
        var decider = record.Decision!.By.Name;
        Assert.Contains(decider, new[] { Adele.Name, Alex.Name });
        Assert.All(both, b => Assert.Contains($"Approved by {decider}", CardReader.AllText(CardReader.CardOf(b)), StringComparison.Ordinal));

        var audit = await new AuditLog(world.Store).ListAsync(200);
        var decisions = audit.Count(a => a.Action is "tap.approved" or "tap.rejected");
        var passes = world.Tenant.RequestLog.Entries.Count(e => e.Method == "POST" && e.Path.EndsWith("/temporaryAccessPassMethods", StringComparison.Ordinal));
        output.WriteLine($"decisions = {decisions}, passes created = {passes}, decided by {decider}");
        Assert.Equal(1, decisions);
        Assert.Equal(1, passes);
        Assert.Single(audit, a => a.Action == "tap.issued");
        Assert.NotNull(world.Tenant.State.GetTap(Personas.Lynne));
    }

    [Fact]
    public async Task The_tap_jobs_run_on_one_instance_only()
    {
        // Both processes try the lease when they start (and every minute): one takes it, the other stands aside.
        bool AboutTapJobs(string line) => line.Contains("Lease tap-jobs", StringComparison.Ordinal);
        await world.A.WaitForLineAsync(AboutTapJobs);
        await world.B.WaitForLineAsync(AboutTapJobs);

        var lease = JsonSerializer.Deserialize<Lease>((await world.Store.GetAsync("leases", "tap-jobs"))!.Json)!;
        var holders = new[] { world.A, world.B }.Where(p => p.Lines.Any(l => AboutTapJobs(l) && l.Contains("taken by " + lease.Owner, StringComparison.Ordinal))).ToList();
        var standing = new[] { world.A, world.B }.Where(p => p.Lines.Any(l => AboutTapJobs(l) && l.Contains("does not run it", StringComparison.Ordinal))).ToList();
        output.WriteLine($"lease tap-jobs: owner {lease.Owner}, until {lease.ExpiresAt:O}");
        foreach (var p in new[] { world.A, world.B })
            output.WriteLine($"{p.Name} (pid {p.ProcessId}): " + string.Join(" | ", p.Lines.Where(AboutTapJobs)));

        var holder = Assert.Single(holders);
        Assert.Contains($":{holder.ProcessId}:", lease.Owner, StringComparison.Ordinal);
        var other = Assert.Single(standing);
        Assert.NotSame(holder, other);
        Assert.DoesNotContain(other.Lines, l => AboutTapJobs(l) && l.Contains("taken by", StringComparison.Ordinal));
        Assert.True(lease.ExpiresAt > DateTimeOffset.UtcNow);
    }

    private async Task InstallAsync(BotProcess bot, Persona who)
    {
        (await bot.PostActivityAsync(Activities.Install(world.Connector.ServiceUrl, who.AadObjectId, who.Name, who.ConversationId))).EnsureSuccessStatusCode();
        await world.Connector.WaitForAsync(c => c.Path.Contains(Uri.EscapeDataString(who.ConversationId), StringComparison.Ordinal)
            && c.Body?["attachments"] is not null);
    }

    private async Task SayAsync(BotProcess bot, Persona who, string text) =>
        (await bot.PostActivityAsync(Activities.Message(text, world.Connector.ServiceUrl, who.AadObjectId, who.Name, who.ConversationId)))
            .EnsureSuccessStatusCode();

    private async Task<JsonObject> ClickAsync(BotProcess bot, Persona who, string verb, JsonObject data, string replyToId)
    {
        var response = await bot.PostActivityAsync(Activities.Invoke(verb, data, world.Connector.ServiceUrl, who.AadObjectId, who.Name,
            who.ConversationId, replyToId));
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private IEnumerable<(ConnectorCall Call, JsonObject Card)> CardsFor(Persona who) =>
        world.Connector.Calls.Where(c => c.Path.Contains(Uri.EscapeDataString(who.ConversationId), StringComparison.Ordinal))
            .SelectMany(c => (c.Body?["attachments"] as JsonArray ?? []).OfType<JsonObject>().Select(a => (c, a["content"] as JsonObject)))
            .Where(x => x.Item2 is not null).Select(x => (x.c, x.Item2!));

    private async Task<(ConnectorCall Call, JsonObject Card)> WaitForCardAsync(Persona who, string containing)
    {
        var found = await WaitAsync(() => Task.FromResult(
            CardsFor(who).Where(x => x.Card.ToJsonString().Contains(containing, StringComparison.Ordinal)).Select(x => Tuple.Create(x.Call, x.Card)).LastOrDefault()));
        return (found.Item1, found.Item2);
    }

    private async Task<T> WaitAsync<T>(Func<Task<T?>> probe, int timeoutMs = Waits.SafetyNetMs) where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < timeoutMs)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Nothing came within {timeoutMs} ms.\nA:\n{world.A.Output}\nB:\n{world.B.Output}");
    }
}

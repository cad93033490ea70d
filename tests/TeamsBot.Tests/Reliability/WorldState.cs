using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Policies;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// What the bot and the tenant hold that an input could change: approval records, idempotency keys, deployments,
/// audit entries (denials aside: refusing is worth a record), conversation references, passes and CA policies.
/// </summary>
public sealed record WorldSnapshot(IReadOnlyDictionary<string, string> Items)
{
    private static readonly string[] Collections = ["approvals", "idempotency", "policyDeployments"];

    public static async Task<WorldSnapshot> TakeAsync(BotWorld world, bool references)
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        var store = world.Service<IDocumentStore>();
        foreach (var collection in references ? [.. Collections, "conversationReferences"] : Collections)
            foreach (var d in await AllAsync(store, collection))
                items[$"{collection}/{d.Key}"] = d.Json;
        foreach (var d in await AllAsync(store, "audit"))
            if (JsonNode.Parse(d.Json)?["Action"]?.GetValue<string>() is { } action && !action.EndsWith(".denied", StringComparison.Ordinal))
                items[$"audit/{d.Key}"] = d.Json;
        foreach (var user in world.Tenant.State.Users)
            if (world.Tenant.State.GetTap(user.Id) is { } tap) items[$"tenant/tap/{user.Id}"] = tap.ToString();
        foreach (var policy in world.Tenant.State.ConditionalAccessPolicies)
            items[$"tenant/ca/{policy["id"]}"] = policy.ToJsonString();
        return new WorldSnapshot(items);
    }

    /// <summary>Every document of a collection, page by page (a page holds at most 1000).</summary>
    public static async Task<IReadOnlyList<StoredDocument>> AllAsync(IDocumentStore store, string collection)
    {
        var all = new List<StoredDocument>();
        while (true)
        {
            var page = await store.ListAsync(collection, new DocumentPage(1000, AfterKey: all.Count == 0 ? null : all[^1].Key));
            all.AddRange(page);
            if (page.Count < 1000) return all;
        }
    }

    /// <summary>What differs, for a failure message; empty when nothing does.</summary>
    public IReadOnlyList<string> Differences(WorldSnapshot after)
    {
        var keys = Items.Keys.Union(after.Items.Keys).Order(StringComparer.Ordinal);
        return [.. keys.Where(k => Items.GetValueOrDefault(k) != after.Items.GetValueOrDefault(k))
            .Select(k => $"{k}: {Short(Items.GetValueOrDefault(k))} -> {Short(after.Items.GetValueOrDefault(k))}")];

        static string Short(string? s) => s is null ? "(none)" : s.Length > 300 ? s[..300] + "…" : s;
    }
}

public static class WorldChecks
{
    /// <summary>Log entries at Error or above: an unhandled exception in a turn or in background work lands here.</summary>
    public static IReadOnlyList<string> Errors(BotWorld world) => Errors(world.Logs);

    public static IReadOnlyList<string> Errors(CapturedLogs logs) =>
        [.. logs.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Level} {r.Category}: {r.Message} {r.Exception}")];

    /// <summary>
    /// A pending TAP request (Megan for Diego), an issued one (Megan for Lynne, approved by Adele) and a pending deploy
    /// plan (Patti), with the people who act on them installed: real targets for card data.
    /// </summary>
    public static async Task<FuzzTargets> SeedRecordsAsync(BotWorld world)
    {
        await world.InstallAsync(Megan, Adele, Alex, Patti, Lee);
        await TapFlowTests.RequestAsync(world, Megan, "lynne.robbins@contoso.com");
        var (call, card) = await world.WaitForCardAsync(Adele, "TAP request for Lynne Robbins");
        await world.ClickAsync(Adele, ApprovalVerbs.Approve, CardReader.Data(card, "Approve"), call.ActivityId!);
        await world.IdleAsync();
        var issued = await TapFlowTests.LatestRequestAsync(world);
        Assert.Equal(ApprovalState.Completed, issued.State);

        await TapFlowTests.RequestAsync(world, Megan, "diego.siciliani@contoso.com");
        var pending = await TapFlowTests.LatestRequestAsync(world);
        Assert.Equal(ApprovalState.Pending, pending.State);

        await PolicyFlowTests.PlanAsync(world, Patti, "policy deploy", "Plan: Deploy");
        await world.WaitForCardAsync(Lee, "Approve plan");
        await world.IdleAsync();
        var plan = (await world.Service<ApprovalEngine>().RecentAsync(10, default)).First(r => r.Kind == PolicyPlan.Kind);
        Assert.Equal(ApprovalState.Pending, plan.State);
        return new FuzzTargets(world.Connector.ServiceUrl, pending.Id, pending.Version, issued.Id, plan.Id, plan.Version);
    }

    /// <summary>How many iterations a property runs: FUZZ_ITERATIONS when set (for long runs on demand), else the default.</summary>
    public static int Iterations(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) && n > 0 ? n : normal;

    /// <summary>FUZZ_SEED replays a run (CsCheck prints the seed of any failure); without it every run draws new inputs.</summary>
    public static string? Seed() => Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } s ? s : null;

    public static JsonObject? InvokeBody(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

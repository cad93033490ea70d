using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Load;

/// <summary>
/// A click that starts work, arriving many times (a double click, a flaky network, Teams retrying): one record, one
/// audit entry, one card per approver, and every click answered with what was filed.
/// </summary>
public sealed class RepeatedClickTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Henrietta, Adele, Alex, Patti, Lee);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task One_form_submitted_ten_times_at_once_and_three_times_after_files_one_request()
    {
        var (data, formId) = await FilledFormAsync("diego.siciliani@contoso.com");

        var together = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _world.ClickAsync(Megan, TapVerbs.Submit, data.DeepClone().AsObject(), formId)));
        var after = new List<JsonObject>();
        for (var i = 0; i < 3; i++) after.Add(await _world.ClickAsync(Megan, TapVerbs.Submit, data.DeepClone().AsObject(), formId));
        await _world.IdleAsync();

        var record = Assert.Single(await Records(TapRequest.Kind));
        foreach (var answer in together.Concat(after))
        {
            var text = CardReader.AllText(CardReader.CardOf(answer));
            Assert.Contains("Your TAP request for Diego Siciliani", text, StringComparison.Ordinal);
            Assert.Contains(record.Reference, text, StringComparison.Ordinal);
        }
        Assert.Single(await AuditAsync("tap.requested"));
        Assert.Equal(1, ApprovalCardsPosted(Adele, "TAP request for Diego Siciliani"));
        Assert.Equal(1, ApprovalCardsPosted(Alex, "TAP request for Diego Siciliani"));
    }

    [Fact]
    public async Task One_onboarding_batch_form_submitted_ten_times_at_once_and_three_times_after_files_one_batch()
    {
        await _world.SayAsync(Henrietta, "tap aiko.tanaka@contoso.com bruno.costa@contoso.com");
        var (formCall, form) = await _world.WaitForCardAsync(Henrietta, "Passes for 2 new hires");
        var data = CardReader.Data(form, "Submit request");
        data[TapFormData.Inputs.Reason] = "Onboarding week";

        var together = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => _world.ClickAsync(Henrietta, TapBatchVerbs.Submit, data.DeepClone().AsObject(), formCall.ActivityId!)));
        var after = new List<JsonObject>();
        for (var i = 0; i < 3; i++) after.Add(await _world.ClickAsync(Henrietta, TapBatchVerbs.Submit, data.DeepClone().AsObject(), formCall.ActivityId!));
        await _world.IdleAsync();

        var batch = Assert.Single(await Records(TapBatch.Kind));
        foreach (var answer in together.Concat(after))
        {
            var text = CardReader.AllText(CardReader.CardOf(answer));
            Assert.Contains("Your onboarding passes for 2 people", text, StringComparison.Ordinal);
            Assert.Contains(batch.Reference, text, StringComparison.Ordinal);
        }
        Assert.Single(await AuditAsync("tap.batch.requested"));
        Assert.Equal(1, ApprovalCardsPosted(Adele, "Onboarding passes for 2 people"));
        Assert.Equal(1, ApprovalCardsPosted(Alex, "Onboarding passes for 2 people"));
    }

    [Fact]
    public async Task Two_forms_for_one_person_at_once_file_one_request_and_the_other_is_told_why()
    {
        var (first, firstId) = await FilledFormAsync("johanna.lorenz@contoso.com");
        var (second, secondId) = await FilledFormAsync("johanna.lorenz@contoso.com");

        var answers = await Task.WhenAll(
            _world.ClickAsync(Megan, TapVerbs.Submit, first, firstId),
            _world.ClickAsync(Megan, TapVerbs.Submit, second, secondId));
        await _world.IdleAsync();

        var record = Assert.Single(await Records(TapRequest.Kind));
        var texts = answers.Select(a => CardReader.AllText(CardReader.CardOf(a))).ToList();
        Assert.Single(texts, t => t.Contains("Your TAP request for Johanna Lorenz", StringComparison.Ordinal));
        Assert.Single(texts, t => t.Contains("Johanna Lorenz already has a", StringComparison.Ordinal));
        Assert.Single(await AuditAsync("tap.requested"));
        Assert.Equal(1, ApprovalCardsPosted(Adele, "TAP request for Johanna Lorenz"));
        Assert.Contains(record.Reference, texts.Single(t => t.Contains("Your TAP request", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_plan_asked_for_ten_times_at_once_and_three_times_after_files_one_plan()
    {
        var together = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _world.ClickAsync(Patti, PolicyVerbs.Deploy, [], "status-card")));
        var after = new List<JsonObject>();
        for (var i = 0; i < 3; i++) after.Add(await _world.ClickAsync(Patti, PolicyVerbs.Deploy, [], "status-card"));
        await _world.IdleAsync();

        var plan = Assert.Single(await Records(PolicyPlan.Kind));
        foreach (var answer in together.Concat(after))
        {
            var text = CardReader.AllText(CardReader.CardOf(answer));
            Assert.Contains("Plan: Deploy the registration policies", text, StringComparison.Ordinal);
            Assert.Contains(plan.Reference, text, StringComparison.Ordinal);
        }
        Assert.Single(await AuditAsync("policy.deploy-planned"));
        Assert.Equal(1, ApprovalCardsPosted(Lee, "Plan: Deploy the registration policies"));

        // Typed again, by the planner and by the other admin: the plan that waits, not a second one.
        await _world.SayAsync(Patti, "policy deploy");
        await _world.SayAsync(Lee, "policy deploy");
        await _world.IdleAsync();
        Assert.Single(await Records(PolicyPlan.Kind));
        Assert.Contains(_world.CardsFor(Lee), c => c.Call.Method == "POST" && CardReader.AllText(c.Card).Contains("Patti Fernandez filed this plan already", StringComparison.Ordinal));

        // Once the plan is no longer open, the same change can be planned again.
        await _world.ClickAsync(Patti, ApprovalVerbs.Cancel, new JsonObject { ["recordId"] = plan.Id, ["version"] = plan.Version });
        await _world.ClickAsync(Patti, PolicyVerbs.Deploy, [], "status-card");
        await _world.IdleAsync();
        Assert.Equal(2, (await Records(PolicyPlan.Kind)).Count);
    }

    private async Task<(JsonObject Data, string FormId)> FilledFormAsync(string upn)
    {
        var before = Forms().Count;
        await _world.SayAsync(Megan, "tap");
        await _world.Connector.WaitForAsync(_ => Forms().Count > before);
        var (call, form) = Forms()[^1];
        var data = CardReader.Data(form, "Submit request");
        data["userUpn"] = upn;
        data["lifetimeMinutes"] = "120";
        data["usableOnce"] = "true";
        data["reason"] = "First day on Monday";
        return (data, call.ActivityId!);
    }

    private List<(ConnectorCall Call, JsonObject Card)> Forms() =>
        [.. _world.CardsFor(Megan).Where(c => c.Call.Method == "POST" && CardReader.Action(c.Card, "Submit request") is not null)];

    private async Task<IReadOnlyList<ApprovalRecord>> Records(string kind) =>
        [.. (await _world.Service<ApprovalEngine>().RecentAsync(100, default)).Where(r => r.Kind == kind)];

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action) =>
        [.. (await _world.Service<IAuditLog>().ListAsync(200)).Where(e => e.Action == action)];

    private int ApprovalCardsPosted(Persona approver, string containing) =>
        _world.CardsFor(approver).Count(c => c.Call.Method == "POST" && CardReader.AllText(c.Card).Contains(containing, StringComparison.Ordinal));
}

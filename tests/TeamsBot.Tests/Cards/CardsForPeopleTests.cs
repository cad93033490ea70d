using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Policies;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Policies;
using TeamsBot.Tests.Tap;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Cards;

/// <summary>Cards as their readers meet them: in their time zone, saying what is true in the tenant, offering the next step.</summary>
public sealed class CardsForPeopleTests : IAsyncLifetime
{
    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex, Patti, Lee);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>A message from Megan's Teams client in Berlin, in German, as Teams sends it (the clientInfo entity).</summary>
    private async Task SayFromBerlinAsync(string text)
    {
        var message = Activities.Message(text, _world.Connector.ServiceUrl, Megan.AadObjectId, Megan.Name, Megan.ConversationId);
        message["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "clientInfo", ["locale"] = "de-DE", ["country"] = "DE", ["platform"] = "Web", ["timezone"] = "Europe/Berlin",
        });
        message["locale"] = "de-DE";
        (await _world.Bot.PostActivityAsync(message)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Times_are_shown_in_the_readers_time_zone_and_locale_and_the_start_is_entered_in_it()
    {
        await SayFromBerlinAsync("tap");
        var (formCall, form) = await _world.WaitForCardAsync(Megan, "Submit request");
        Assert.Contains("at (UTC+01:00, Europe/Berlin)", CardReader.AllText(form) + string.Join("|", CardReader.VisibleTexts(form)), StringComparison.Ordinal);

        // 09:00 in Berlin on a winter day is 08:00 UTC.
        var data = CardReader.Data(form, "Submit request");
        data[TapFormData.Inputs.OtherUpn] = "diego.siciliani@contoso.com";
        data[TapFormData.Inputs.StartDate] = _world.Clock.GetUtcNow().AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        data[TapFormData.Inputs.StartTime] = "09:00";
        data[TapFormData.Inputs.Reason] = "First day";
        var invoke = Activities.Invoke(TapVerbs.Submit, data, _world.Connector.ServiceUrl, Megan.AadObjectId, Megan.Name, Megan.ConversationId, formCall.ActivityId!);
        invoke["entities"] = new JsonArray(new JsonObject { ["type"] = "clientInfo", ["locale"] = "de-DE", ["timezone"] = "Europe/Berlin" });
        var answer = JsonNode.Parse(await (await _world.Bot.PostActivityAsync(invoke)).Content.ReadAsStringAsync())!.AsObject();
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal(8, record.Tap().StartsAt.UtcDateTime.Hour);
        Assert.Equal(0, record.Tap().StartsAt.UtcDateTime.Minute);

        // Megan reads her card in her zone and language; Adele, whose client said nothing, in UTC.
        var mine = CardReader.AllText(CardReader.CardOf(answer));
        Assert.Contains("09:00 (UTC+01:00)", mine, StringComparison.Ordinal);
        var weekday = TimeZoneInfo.ConvertTime(record.Tap().StartsAt, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"))
            .ToString("ddd", System.Globalization.CultureInfo.GetCultureInfo("de-DE"));
        Assert.Contains(weekday + ",", mine, StringComparison.Ordinal);
        var (_, adeles) = await _world.WaitForCardAsync(Adele, "TAP request for Diego Siciliani");
        Assert.Contains("8:00 AM UTC", CardReader.AllText(adeles), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tap_for_someone_who_cannot_get_a_pass_says_so_at_once_without_a_form()
    {
        await _world.SayAsync(Megan, "tap nobody@contoso.com");
        var (_, card) = await _world.WaitForCardAsync(Megan, "No pass for nobody@contoso.com");
        Assert.Contains("can't find", CardReader.AllText(card), StringComparison.Ordinal);
        Assert.DoesNotContain("Input.", card.ToJsonString(), StringComparison.Ordinal);

        await _world.SayAsync(Megan, "tap pradeep.gupta@contoso.com"); // Nestor's report, not Megan's
        var (_, notMine) = await _world.WaitForCardAsync(Megan, "No pass for pradeep.gupta@contoso.com");
        Assert.Contains("only for your own direct reports", CardReader.AllText(notMine), StringComparison.Ordinal);

        await _world.SayAsync(Megan, "tap diego.siciliani@contoso.com"); // hers: the form, filled in
        var (_, form) = await _world.WaitForCardAsync(Megan, "Submit request");
        Assert.Contains("Request a Temporary Access Pass", CardReader.AllText(form), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_offers_the_next_step_and_never_contradicts_the_tenant()
    {
        JsonObject Status() => CardReader.CardOf(_world.ClickAsync(Patti, PolicyVerbs.Status, [], "status").GetAwaiter().GetResult());

        var empty = Status();
        Assert.NotNull(CardReader.Action(empty, "Plan a deployment"));

        await PolicyFlows.DeployAsync(_world);
        var reportOnly = Status();
        Assert.Contains("State: Report-only since", CardReader.AllText(reportOnly), StringComparison.Ordinal);
        Assert.NotNull(CardReader.Action(reportOnly, "Plan turning both on"));
        Assert.Null(CardReader.Action(reportOnly, "Plan a deployment"));

        // The tenant loses both policies (deleted in the portal): the bot's record only says what was.
        foreach (var policy in _world.Tenant.State.ConditionalAccessPolicies.ToList())
            _world.Tenant.State.RemoveConditionalAccessPolicy(policy["id"]!.GetValue<string>());
        var gone = CardReader.AllText(Status());
        Assert.Contains("Not deployed: the bot deployed it", gone, StringComparison.Ordinal);
        Assert.Contains("it is gone from the tenant", gone, StringComparison.Ordinal);
        Assert.DoesNotContain("Report-only since", gone, StringComparison.Ordinal);
    }
}

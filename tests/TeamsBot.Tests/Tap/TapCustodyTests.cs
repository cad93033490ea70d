using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Tap;

/// <summary>
/// Custody of a pass after it was made, through /api/messages, the real Graph SDK and the simulated tenant: the hire
/// registers a method of their own (the pass is deleted, the manager and the approver told once), an unused pass
/// reminds once and tells once when it ended; also across a restart and with two rounds of the watch at once.
/// </summary>
public sealed class TapCustodyTests : IAsyncLifetime
{
    private const string Registered = "registered Phone at";
    private const string Reminder = "hasn't registered a sign-in method yet";
    private const string ExpiredUnused = "expired at";

    private BotWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await BotWorld.StartAsync();
        await _world.InstallAsync(Megan, Adele, Alex);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>The hire adds a mobile phone, as they would at My Security Info: a Graph call to the tenant.</summary>
    internal static async Task RegisterPhoneAsync(BotWorld world, string userId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{world.Tenant.BaseUrl}/users/{userId}/authentication/phoneMethods")
        {
            Content = JsonContent.Create(new { phoneNumber = "+1 2065550123", phoneType = "mobile" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "the-hire");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Notices posted to a persona (new cards, not updates of the request card) that contain the words.</summary>
    private int NoticesTo(Persona who, string words) =>
        _world.CardsFor(who).Count(c => c.Call.Method == "POST" && CardReader.AllText(c.Card).Contains(words, StringComparison.Ordinal));

    /// <summary>Two rounds of the watch at once (as on two instances), then a round of the job itself.</summary>
    private async Task WatchTwiceAtOnceAsync()
    {
        var custody = _world.Service<TapCustody>();
        await Task.WhenAll(custody.WatchAsync(default), custody.WatchAsync(default));
        await _world.Service<TapCustodyJob>().RunOnceAsync(default);
        await _world.IdleAsync();
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action) =>
        [.. (await _world.Service<IAuditLog>().ListAsync(500)).Where(a => a.Action == action)];

    [Fact]
    public async Task A_hire_who_registers_a_method_gets_the_pass_deleted_and_the_manager_and_approver_are_told_once()
    {
        var (revealData, formCall) = await TapFlowTests.ApprovedForDiegoAsync(_world, restart: false);
        Assert.NotNull(_world.Tenant.State.GetTap(Personas.Diego));
        await RegisterPhoneAsync(_world, Personas.Diego);

        await WatchTwiceAtOnceAsync();
        await WatchTwiceAtOnceAsync();

        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
        Assert.Single(_world.Tenant.RequestLog.Entries, e => e.Method == "DELETE" && e.Status == 204 && e.Path.Contains("/temporaryAccessPassMethods/", StringComparison.Ordinal));
        Assert.Equal(1, NoticesTo(Megan, "Diego Siciliani " + Registered));
        Assert.Equal(1, NoticesTo(Adele, "Diego Siciliani " + Registered));
        Assert.Equal(0, NoticesTo(Alex, Registered));
        Assert.Single(await AuditAsync("tap.registered"));
        Assert.Single(await AuditAsync("tap.deleted"));
        Assert.Single(await AuditAsync("tap.registration-told"));

        // Every card of the request says so, and the pass can no longer be revealed.
        var (_, updated) = await _world.WaitForCardAsync(Megan, "the pass was deleted");
        Assert.Null(CardReader.Action(updated, "Reveal pass"));
        Assert.Null(CardReader.Action(updated, "Revoke pass"));
        await _world.WaitForCardAsync(Adele, "the pass was deleted");
        var reveal = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Reveal, revealData, formCall.ActivityId!));
        Assert.Contains(Registered, CardReader.AllText(reveal), StringComparison.Ordinal);
        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
    }

    [Fact]
    public async Task A_registration_seen_before_a_restart_deletes_the_pass_and_tells_once_after_it()
    {
        await TapFlowTests.ApprovedForDiegoAsync(_world, restart: false);
        await RegisterPhoneAsync(_world, Personas.Diego);

        // The round sees the registration but Graph won't delete the pass: nobody is told while the pass still exists.
        var refuse = _world.Tenant.Faults.Unavailable("/users/*/authentication/temporaryAccessPassMethods/", method: "DELETE", retryAfterSeconds: 0);
        await _world.Service<TapCustody>().WatchAsync(default);
        var record = await TapFlowTests.LatestRequestAsync(_world);
        Assert.Equal("phone", record.Tap().RegisteredMethod);
        Assert.Null(record.Tap().PassDeletedAt);
        Assert.NotNull(_world.Tenant.State.GetTap(Personas.Diego));
        Assert.Equal(0, NoticesTo(Megan, Registered));
        _world.Tenant.Faults.Remove(refuse.Id!);

        // The bot restarts (memory gone, records kept); its rounds finish the steps once.
        await _world.RestartAsync();
        await WatchTwiceAtOnceAsync();
        await _world.RestartAsync();
        await WatchTwiceAtOnceAsync();

        Assert.Null(_world.Tenant.State.GetTap(Personas.Diego));
        Assert.Equal(1, NoticesTo(Megan, Registered));
        Assert.Equal(1, NoticesTo(Adele, Registered));
        Assert.Single(await AuditAsync("tap.registered"));
        Assert.Single(await AuditAsync("tap.deleted"));
        Assert.Single(await AuditAsync("tap.registration-told"));
    }

    [Fact]
    public async Task An_unused_pass_reminds_once_before_it_ends_tells_once_after_and_offers_a_new_request()
    {
        var (_, formCall) = await TapFlowTests.ApprovedForDiegoAsync(_world, restart: false);
        var tap = (await TapFlowTests.LatestRequestAsync(_world)).Tap();
        // A 120-minute pass: the reminder comes a quarter of its lifetime (30 minutes) before its end, not an hour.
        Assert.Equal(TimeSpan.FromMinutes(30), _world.Service<TapCustody>().ReminderLead(tap));

        _world.Clock.Advance(tap.EndsAt - TimeSpan.FromMinutes(31) - _world.Clock.GetUtcNow());
        await WatchTwiceAtOnceAsync();
        Assert.Equal(0, NoticesTo(Megan, Reminder));

        _world.Clock.Advance(TimeSpan.FromMinutes(2));
        await WatchTwiceAtOnceAsync();
        await _world.RestartAsync();
        await WatchTwiceAtOnceAsync();
        Assert.Equal(1, NoticesTo(Megan, Reminder));
        Assert.Single(await AuditAsync("tap.reminded"));

        _world.Clock.Advance(tap.EndsAt + TimeSpan.FromMinutes(1) - _world.Clock.GetUtcNow());
        await WatchTwiceAtOnceAsync();
        await _world.RestartAsync();
        await WatchTwiceAtOnceAsync();
        Assert.Equal(1, NoticesTo(Megan, "The pass for Diego Siciliani " + ExpiredUnused));
        Assert.Equal(0, NoticesTo(Adele, ExpiredUnused));
        Assert.Single(await AuditAsync("tap.expired-unused"));
        Assert.Equal(1, NoticesTo(Megan, Reminder));

        // The notice and the request card offer a new request: the form, filled in for Diego again.
        var notice = _world.CardsFor(Megan).Last(c => c.Call.Method == "POST" && CardReader.AllText(c.Card).Contains(ExpiredUnused, StringComparison.Ordinal));
        var (_, card) = await _world.WaitForCardAsync(Megan, "before Diego Siciliani registered a sign-in method.");
        Assert.NotNull(CardReader.Action(card, "Request a new pass"));
        var form = CardReader.CardOf(await _world.ClickAsync(Megan, TapVerbs.Renew, CardReader.Data(notice.Card, "Request a new pass"), formCall.ActivityId!));
        Assert.Contains("Request a Temporary Access Pass", CardReader.AllText(form), StringComparison.Ordinal);
        Assert.Equal(Personas.Diego, InputValue(form, TapFormData.Inputs.Report));
        Assert.Contains("expired before Diego Siciliani registered", InputValue(form, TapFormData.Inputs.Reason), StringComparison.Ordinal);
        // Someone else's click gets no form.
        Assert.Contains("Only the person who asked", CardReader.MessageOf(await _world.ClickAsync(Adele, TapVerbs.Renew, CardReader.Data(notice.Card, "Request a new pass"))),
            StringComparison.Ordinal);
    }

    private static string? InputValue(System.Text.Json.Nodes.JsonNode? node, string id) => node switch
    {
        System.Text.Json.Nodes.JsonObject o when o["id"]?.GetValue<string>() == id => o["value"]?.GetValue<string>(),
        System.Text.Json.Nodes.JsonObject o => o.Select(kv => InputValue(kv.Value, id)).FirstOrDefault(v => v is not null),
        System.Text.Json.Nodes.JsonArray a => a.Select(x => InputValue(x, id)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    [Fact]
    public void A_method_of_the_hire_s_own_is_one_registered_since_the_pass_was_made()
    {
        var issued = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var tap = new TapRequest("u", "diego@contoso.com", "Diego", null, null, null, ["phone"], issued, 120, true, "r", "g", false,
            MethodId: "tap-1", IssuedAt: issued);
        RegisteredMethod Method(string type, DateTimeOffset? at) => new(type + "-id", type, at);

        Assert.Null(TapCustody.OwnMethod(tap, [Method("password", issued.AddHours(1)), Method("temporaryAccessPass", issued),
            Method("email", issued.AddHours(1)), Method("microsoftAuthenticator", issued.AddHours(-1))]));
        Assert.Equal("fido2", TapCustody.OwnMethod(tap, [Method("microsoftAuthenticator", issued.AddHours(2)), Method("fido2", issued.AddHours(1))])?.Type);
        // Graph may leave the date out: a type the hire did not have when the request was filed counts, one they had does not.
        Assert.Null(TapCustody.OwnMethod(tap, [Method("phone", null)]));
        Assert.Equal("softwareOath", TapCustody.OwnMethod(tap, [Method("softwareOath", null)])?.Type);
    }

    [Fact]
    public void The_watch_interval_and_the_reminder_lead_must_be_positive()
    {
        var result = new TapOptionsValidator().Validate(null, new TapOptions { RegistrationWatchInterval = TimeSpan.Zero, ExpiryReminderLead = TimeSpan.FromMinutes(-1) });
        Assert.True(result.Failed);
        Assert.Contains("Tap:RegistrationWatchInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Tap:ExpiryReminderLead", result.FailureMessage, StringComparison.Ordinal);
    }
}

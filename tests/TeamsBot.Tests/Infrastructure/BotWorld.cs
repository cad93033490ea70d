using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using TeamsBot.DevTenant;
using TeamsBot.Work;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>A seed persona as the bot sees them in Teams: their Entra id, name and 1:1 conversation.</summary>
public sealed record Persona(string AadObjectId, string Name, string Upn)
{
    public string ConversationId => "a:personal-" + Upn.Split('@')[0];
}

/// <summary>
/// The whole bot in one test: the real host (local mode, SQLite file), the simulated tenant on loopback reached by the
/// real Graph SDK, a fake connector standing in for Teams, a fake clock, and the logs.
/// </summary>
public sealed class BotWorld : IAsyncDisposable
{
    public static readonly Persona Megan = new(Personas.Megan, "Megan Bowen", "megan.bowen@contoso.com");
    public static readonly Persona Nestor = new(Personas.Nestor, "Nestor Wilke", "nestor.wilke@contoso.com");
    public static readonly Persona Adele = new(Personas.Adele, "Adele Vance", "adele.vance@contoso.com");
    public static readonly Persona Alex = new(Personas.Alex, "Alex Wilber", "alex.wilber@contoso.com");
    public static readonly Persona Patti = new(Personas.Patti, "Patti Fernandez", "patti.fernandez@contoso.com");
    public static readonly Persona Lee = new(Personas.Lee, "Lee Gu", "lee.gu@contoso.com");
    public static readonly Persona Isaiah = new(Personas.Isaiah, "Isaiah Langer", "isaiah.langer@contoso.com");
    public static readonly Persona Christie = new(Personas.Christie, "Christie Cline", "christie.cline@contoso.com");
    public static readonly Persona Henrietta = new(Personas.Henrietta, "Henrietta Mueller", "henrietta.mueller@contoso.com");

    /// <summary>The seed's Teams app in the organization's catalog (Bot:TeamsAppId).</summary>
    public const string TeamsAppId = "7b3f0c4d-2e1a-4b5c-8d9e-0f1a2b3c4d5e";

    private static readonly Persona[] All = [Megan, Nestor, Adele, Alex, Patti, Lee, Isaiah, Christie, Henrietta];

    private readonly TempDir _temp = new();

    private BotWorld(SimulatedTenant tenant, FakeConnector connector, FakeTimeProvider clock)
    {
        Tenant = tenant;
        Connector = connector;
        Clock = clock;
    }

    public SimulatedTenant Tenant { get; }
    public FakeConnector Connector { get; }
    public FakeTimeProvider Clock { get; }
    public CapturedLogs Logs { get; } = new();
    public BotApp Bot { get; set; } = null!;
    public string DatabasePath => _temp.File("bot.db");

    public static async Task<BotWorld> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var world = new BotWorld(await SimulatedTenant.StartAsync(), await FakeConnector.StartAsync(), clock);
        // Teams opens a chat only with someone who has the app; a persona's chat has the persona's id.
        world.Connector.AppInstalledFor = user => world.Tenant.State.IsTeamsAppInstalled(user);
        world.Connector.ChatIdFor = user => All.FirstOrDefault(p => string.Equals(p.AadObjectId, user, StringComparison.OrdinalIgnoreCase))?.ConversationId
            ?? "a:created-" + user;
        world.Bot = world.NewBot(configure);
        return world;
    }

    /// <summary>A bot process on the same database and tenant (as after a restart): memory is gone, records stay.</summary>
    public BotApp NewBot(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = BotApp.Local(DatabasePath);
        settings["Graph:Mode"] = "Simulated";
        settings["Graph:BaseUrl"] = Tenant.BaseUrl;
        settings["Bot:TeamsAppId"] = TeamsAppId;
        settings["Tap:ApproversGroupId"] = "b0000000-0000-4000-8000-000000000001";
        settings["Tap:PrivilegedApproversGroupId"] = "b0000000-0000-4000-8000-000000000007";
        settings["Tap:RequestersGroupId"] = "b0000000-0000-4000-8000-000000000006";
        settings["Policies:AdminsGroupId"] = "b0000000-0000-4000-8000-000000000003";
        settings["Policies:WhatIfGuestUserId"] = Personas.Joni;
        // Tests run the jobs' rounds themselves; the timers stay quiet so that no round lands in a count or a race.
        settings["Tap:JobInterval"] = "1.00:00:00";
        settings["Tap:RegistrationWatchInterval"] = "1.00:00:00";
        settings["Policies:JobInterval"] = "1.00:00:00";
        settings["BreakGlass:UserIds:0"] = Personas.BreakGlass1;
        settings["BreakGlass:UserIds:1"] = Personas.BreakGlass2;
        settings["BreakGlass:GroupId"] = "b0000000-0000-4000-8000-000000000004";
        configure?.Invoke(settings);
        var bot = new BotApp(settings, "Development", services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            Logs.Use(services);
        });
        bot.CreateClient().Dispose(); // start it
        return bot;
    }

    public async Task RestartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        await Bot.DisposeAsync();
        Bot = NewBot(configure);
    }

    public T Service<T>() where T : notnull => Bot.Services.GetRequiredService<T>();

    public Task IdleAsync() => Service<BackgroundWork>().DrainAsync(Waits.SafetyNet);

    /// <summary>People open the bot in Teams (so the app is installed for them) and get its welcome.</summary>
    public async Task InstallAsync(params Persona[] people)
    {
        foreach (var person in people) Tenant.State.InstallTeamsApp(person.AadObjectId);
        foreach (var person in people)
            await Bot.PostActivityAsync(Activities.Install(Connector.ServiceUrl, person.AadObjectId, person.Name, person.ConversationId));
        foreach (var person in people)
            await Connector.WaitForAsync(c => c.Path.Contains(Uri.EscapeDataString(person.ConversationId), StringComparison.Ordinal)
                && c.Body?["attachments"] is not null);
    }

    public async Task SayAsync(Persona who, string text)
    {
        var response = await Bot.PostActivityAsync(Activities.Message(text, Connector.ServiceUrl, who.AadObjectId, who.Name, who.ConversationId));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Clicks an Action.Execute as <paramref name="who"/> and returns the invoke body {statusCode,type,value}.</summary>
    public async Task<JsonObject> ClickAsync(Persona who, string verb, JsonObject data, string replyToId = "card-x", string? conversationId = null)
    {
        var response = await Bot.PostActivityAsync(Activities.Invoke(verb, data, Connector.ServiceUrl, who.AadObjectId, who.Name,
            conversationId ?? who.ConversationId, replyToId));
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Cards sent to a persona's chat (posted or updated), oldest first.</summary>
    public IReadOnlyList<(ConnectorCall Call, JsonObject Card)> CardsFor(Persona who) =>
        [.. Connector.Calls.Where(c => c.Path.Contains(Uri.EscapeDataString(who.ConversationId), StringComparison.Ordinal))
            .SelectMany(c => (c.Body?["attachments"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(a => (c, a["content"] as JsonObject)))
            .Where(x => x.Item2 is not null).Select(x => (x.c, x.Item2!))];

    public async Task<(ConnectorCall Call, JsonObject Card)> WaitForCardAsync(Persona who, string containing, int timeoutMs = Waits.SafetyNetMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            var found = CardsFor(who).LastOrDefault(x => x.Card.ToJsonString().Contains(containing, StringComparison.Ordinal));
            if (found.Card is not null) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException($"No card containing '{containing}' reached {who.Name}. Cards: " +
            string.Join(" | ", CardsFor(who).Select(c => c.Call.Method + " " + CardReader.AllText(c.Card).Replace('\n', ' '))) + "\nLogs:\n" + Logs.AllText());
    }

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Connector.DisposeAsync();
        await Tenant.DisposeAsync();
        _temp.Dispose();
    }
}

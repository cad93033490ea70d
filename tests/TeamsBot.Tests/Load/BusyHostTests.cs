using System.Text.Json.Nodes;
using TeamsBot.Tests.Infrastructure;
using TeamsBot.Tests.Reliability;
using Xunit.Abstractions;
using static TeamsBot.Tests.Infrastructure.BotWorld;

namespace TeamsBot.Tests.Load;

/// <summary>A freshly started bot on a host whose cores are all busy: every ordinary command gets a real answer.</summary>
public sealed class BusyHostTests(ITestOutputHelper output)
{
    private static readonly (Persona Who, string Text)[] Commands =
    [
        (Megan, "help"), (Megan, "hi"), (Megan, "tap"), (Megan, "tap diego.siciliani@contoso.com"),
        (Megan, "request a tap for johanna.lorenz@contoso.com"), (Megan, "I need a temporary access pass"), (Megan, "my requests"),
        (Megan, "my tap requests"), (Megan, "new tap"), (Megan, "can i get a tap for lynne.robbins@contoso.com"),
        (Nestor, "help"), (Nestor, "tap"), (Nestor, "my requests"), (Nestor, "get a tap for pradeep.gupta@contoso.com"),
        (Adele, "pending"), (Adele, "approvals"), (Adele, "pending approvals"), (Adele, "menu"),
        (Alex, "pending requests"), (Alex, "start"),
        (Patti, "policy status"), (Patti, "policy"), (Patti, "policy deploy"), (Patti, "audit"), (Patti, "audit 5"),
        (Patti, "policy promote A"), (Patti, "policy rollback B"), (Patti, "policy promote all because the pilot went well"),
        (Lee, "policy status"), (Lee, "audit 10"),
    ];

    [Fact]
    public async Task Thirty_different_commands_at_once_into_a_fresh_bot_on_busy_cores_all_get_real_answers()
    {
        Assert.Equal(30, Commands.Select(c => (c.Who.Name, c.Text)).Distinct().Count());
        using var load = CpuLoad.OnEveryCore();
        await using var world = await BotWorld.StartAsync();

        // Each command in a chat of its own, so that every answer can be told apart.
        var sent = Commands.Select((c, i) => (c.Who, c.Text, Conversation: $"a:busy-{i}")).ToList();
        await Task.WhenAll(sent.Select(async c =>
        {
            var response = await world.Bot.PostActivityAsync(Activities.Message(c.Text, world.Connector.ServiceUrl, c.Who.AadObjectId, c.Who.Name, c.Conversation));
            response.EnsureSuccessStatusCode();
        }));
        await world.IdleAsync();

        var failures = new List<string>();
        foreach (var (who, text, conversation) in sent)
        {
            var replies = world.Connector.Calls.Where(call => call.Method == "POST"
                && call.Path.Contains(Uri.EscapeDataString(conversation), StringComparison.Ordinal)).ToList();
            var said = string.Join(" | ", replies.Select(Said));
            if (replies.Count == 0) failures.Add($"{who.Name} '{text}': no answer");
            else if (said.Contains("Something went wrong", StringComparison.Ordinal) || said.Contains("didn't understand", StringComparison.Ordinal))
                failures.Add($"{who.Name} '{text}': {said}");
        }
        var errors = WorldChecks.Errors(world);
        output.WriteLine($"load: {load.Tool}; {sent.Count} commands, {failures.Count} without a real answer, {errors.Count} errors logged");
        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\nLogs:\n" + world.Logs.AllText());
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static string Said(ConnectorCall call) =>
        call.Body?["text"]?.GetValue<string>() is { Length: > 0 } text ? text
        : (call.Body?["attachments"] as JsonArray)?.OfType<JsonObject>().Select(a => CardReader.AllText(a["content"])).FirstOrDefault() ?? "";
}

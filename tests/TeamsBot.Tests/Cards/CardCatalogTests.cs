using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TeamsBot.Protocol.Routing;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Cards;

/// <summary>
/// Every card the bot can send, from each feature's samples: each Action.Execute has a verb with a handler, and the
/// cards are written out (with the list of handled verbs) for the official Adaptive Cards parser to check
/// (tests/cards/check-cards.mjs, run by the test command).
/// </summary>
public sealed class CardCatalogTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    public static string OutputDirectory =>
        Environment.GetEnvironmentVariable("CARD_SAMPLES_DIR") is { Length: > 0 } dir ? dir
            : Path.Combine(Path.GetTempPath(), "teamsbot-card-samples");

    [Fact]
    public async Task Every_card_sample_uses_only_handled_verbs_and_is_written_for_the_parser_check()
    {
        await using var bot = new BotApp(BotApp.Local(_temp.File("bot.db")), "Development");
        var samples = CardSamples.All(bot.Services).ToList();
        var verbs = bot.Services.GetRequiredService<BotRoutes>().Verbs.ToHashSet();

        Assert.NotEmpty(samples);
        Assert.Equal(samples.Count, samples.Select(s => s.Name).Distinct().Count());
        foreach (var (name, card) in samples)
        {
            Assert.Equal("1.5", card["version"]?.GetValue<string>());
            foreach (var verb in ExecuteVerbs(card))
                Assert.True(verb is not null && verbs.Contains(verb), $"Card '{name}' has an Action.Execute with verb '{verb}' that no handler serves.");
        }

        System.IO.Directory.CreateDirectory(OutputDirectory);
        foreach (var stale in System.IO.Directory.GetFiles(OutputDirectory, "*.json")) File.Delete(stale);
        foreach (var (name, card) in samples)
            await File.WriteAllTextAsync(Path.Combine(OutputDirectory, name + ".json"), card.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(OutputDirectory, "verbs.json"), JsonSerializer.Serialize(verbs.Order().ToArray()));
    }

    [Fact]
    public void The_verb_walk_finds_verbs_in_show_cards_and_action_sets()
    {
        var card = JsonNode.Parse("""
            {"type":"AdaptiveCard","body":[{"type":"ActionSet","actions":[{"type":"Action.Execute","verb":"a"}]}],
             "actions":[{"type":"Action.ShowCard","card":{"type":"AdaptiveCard","actions":[{"type":"Action.Execute","verb":"b"},{"type":"Action.Execute"}]}}]}
            """)!;
        Assert.Equal(new[] { "a", "b", "(none)" }, ExecuteVerbs(card).Select(v => v ?? "(none)").ToArray());
    }

    private static IEnumerable<string?> ExecuteVerbs(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"]?.GetValue<string>() == "Action.Execute") yield return o["verb"]?.GetValue<string>();
                foreach (var (_, child) in o)
                    foreach (var verb in ExecuteVerbs(child)) yield return verb;
                break;
            case JsonArray a:
                foreach (var child in a)
                    foreach (var verb in ExecuteVerbs(child)) yield return verb;
                break;
        }
    }
}

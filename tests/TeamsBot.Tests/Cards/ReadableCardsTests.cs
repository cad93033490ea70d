using System.Text.RegularExpressions;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Cards;

/// <summary>
/// Every card speaks the language of the domain to the people who read it: no object ids, no Graph enum literals or
/// field paths, no internal encodings in what they see. Ids live in the collapsed details part.
/// </summary>
public sealed partial class ReadableCardsTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>What gives internals away, and why.</summary>
    private static readonly (Regex Pattern, string What)[] Internals =
    [
        (Guid(), "an object id"),
        (new Regex("urn:", RegexOptions.IgnoreCase), "a urn"),
        (new Regex("::"), "an internal encoding"),
        (CamelCase(), "a Graph field or enum value"),
        (new Regex(@"\b(mfa|AllTrusted|GuestsOrExternalUsers)\b|\bblock\b(?! access)|\bAll\b(?= except)"), "a Graph enum value"),
        (new Regex(@"[\[{]\s*"""), "JSON"),
    ];

    [Fact]
    public async Task No_card_shows_ids_graph_values_or_internal_encodings_outside_its_details()
    {
        await using var bot = new BotApp(BotApp.Local(_temp.File("bot.db")), "Development");
        var problems = new List<string>();
        foreach (var (name, card) in CardSamples.All(bot.Services))
            foreach (var text in CardReader.VisibleTexts(card))
                foreach (var (pattern, what) in Internals)
                    if (pattern.Match(text) is { Success: true } m)
                        problems.Add($"{name}: {what} '{m.Value}' in \"{text}\"");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_checks_find_what_they_look_for()
    {
        string[] leaks = ["users a0000000-0000-4000-8000-000000000008", "urn:user:registersecurityinfo", "A:create::policy=",
            "enabledForReportingButNotEnforced → enabled", "Grant: mfa", "All except AllTrusted", "[\"mfa\"]"];
        Assert.All(leaks, leak => Assert.Contains(Internals, i => i.Pattern.IsMatch(leak)));
        string[] fine = ["Require multifactor authentication", "Block access", "Report-only", "Any location except trusted ones",
            "All users except guests", "Sat, 12 Dec 2026, 09:00 (UTC+01:00)", "R-4F2A9C"];
        Assert.All(fine, text => Assert.DoesNotContain(Internals, i => i.Pattern.IsMatch(text)));
    }

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    // builtInControls, excludeLocations, enabledForReportingButNotEnforced: words people don't write.
    [GeneratedRegex(@"\b[a-z]+(?:[A-Z][a-z0-9]+){1,}\b")]
    private static partial Regex CamelCase();
}

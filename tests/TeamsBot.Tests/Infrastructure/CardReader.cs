using System.Text.Json.Nodes;

namespace TeamsBot.Tests.Infrastructure;

// Also compiled into bench/Flows, which drives the same cards over HTTP.
/// <summary>Reading the bot's cards in tests and in the flow benchmark.</summary>
public static class CardReader
{
    /// <summary>Every TextBlock text and fact of a card, in order.</summary>
    public static IReadOnlyList<string> Texts(JsonNode? node)
    {
        var texts = new List<string>();
        Walk(node);
        return texts;

        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    if (o["type"]?.GetValue<string>() == "TextBlock") texts.Add(o["text"]!.GetValue<string>());
                    if (o["title"] is JsonValue title && o["value"] is JsonValue value) texts.Add($"{title}: {value}");
                    foreach (var (_, child) in o) Walk(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child);
                    break;
            }
        }
    }

    public static string AllText(JsonNode? card) => string.Join("\n", Texts(card));

    /// <summary>
    /// What a reader sees without asking for more: TextBlocks, facts, input labels and placeholders, choice titles and
    /// action titles; not the hidden details part (elements with <c>isVisible: false</c>, the card of a "Details"
    /// button), nor action data.
    /// </summary>
    public static IReadOnlyList<string> VisibleTexts(JsonNode? card)
    {
        var texts = new List<string>();
        Walk(card);
        return texts;

        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    if (o["isVisible"] is JsonValue visible && visible.TryGetValue(out bool shown) && !shown) return;
                    var type = o["type"]?.GetValue<string>();
                    if (type == "Action.ShowCard" && o["title"]?.GetValue<string>() == "Details") return;
                    if (o["id"]?.GetValue<string>() == "pass") return; // the pass itself: random text, not words
                    if (type == "TextBlock") texts.Add(o["text"]!.GetValue<string>());
                    if (o["title"] is JsonValue title && title.TryGetValue(out string? t)) texts.Add(o["value"] is JsonValue value ? $"{t}: {value}" : t);
                    foreach (var key in new[] { "label", "placeholder", "errorMessage" })
                        if (o[key] is JsonValue v && v.TryGetValue(out string? text)) texts.Add(text);
                    foreach (var (key, child) in o)
                    {
                        if (key == "choices" && child is JsonArray choices)
                            texts.AddRange(choices.OfType<JsonObject>().Select(c => c["title"]?.GetValue<string>() ?? ""));
                        else if (key is not "data" and not "id" and not "verb" and not "value" and not "style") Walk(child);
                    }
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child);
                    break;
            }
        }
    }

    /// <summary>The Action.Execute with this title, anywhere in the card.</summary>
    public static JsonObject? Action(JsonNode? card, string title)
    {
        switch (card)
        {
            case JsonObject o:
                if (o["type"]?.GetValue<string>() == "Action.Execute" && o["title"]?.GetValue<string>() == title) return o;
                foreach (var (_, child) in o)
                    if (Action(child, title) is { } found) return found;
                return null;
            case JsonArray a:
                foreach (var child in a)
                    if (Action(child, title) is { } found) return found;
                return null;
            default:
                return null;
        }
    }

    /// <summary>The data of the action with this title, copied (so a test can add inputs to it).</summary>
    public static JsonObject Data(JsonNode? card, string title) =>
        (Action(card, title) ?? throw new InvalidOperationException($"No action '{title}' in card: {AllText(card)}"))["data"]!.DeepClone().AsObject();

    public static JsonObject CardOf(JsonObject invokeBody) =>
        invokeBody["type"]!.GetValue<string>() == "application/vnd.microsoft.card.adaptive"
            ? invokeBody["value"]!.AsObject()
            : throw new InvalidOperationException("The invoke answered a message, not a card: " + invokeBody["value"]);

    public static string MessageOf(JsonObject invokeBody) =>
        invokeBody["type"]!.GetValue<string>() == "application/vnd.microsoft.activity.message"
            ? invokeBody["value"]!.GetValue<string>()
            : throw new InvalidOperationException("The invoke answered a card, not a message: " + AllText(invokeBody["value"]));
}

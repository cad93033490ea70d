using System.Text.RegularExpressions;

namespace TeamsBot.Protocol;

public static partial class ActivityExtensions
{
    /// <summary>
    /// The message text as the user meant it: mentions of the bot (<c>&lt;at&gt;Bot&lt;/at&gt;</c>) removed, whitespace
    /// collapsed and trimmed.
    /// </summary>
    public static string CommandText(this Activity activity)
    {
        var text = activity.Text ?? string.Empty;
        foreach (var entity in activity.Entities ?? [])
        {
            // Entities are free-form JSON: anything not shaped like a mention is skipped, not trusted.
            if (entity is null || Text(entity["type"]) != "mention") continue;
            var mentionedId = entity["mentioned"] is JsonObject mentioned ? Text(mentioned["id"]) : null;
            if (mentionedId is null || !string.Equals(mentionedId, activity.Recipient?.Id, StringComparison.OrdinalIgnoreCase)) continue;
            var mentionText = Text(entity["text"]);
            if (!string.IsNullOrEmpty(mentionText))
                text = text.Replace(mentionText, " ", StringComparison.OrdinalIgnoreCase);
        }
        // Any <at>..</at> left is about the bot too in a 1:1 chat, or a client that left out the entity.
        text = AtTag().Replace(text, " ");
        // Teams sends some messages as HTML (e-mail addresses become mailto links): keep only the text.
        text = System.Net.WebUtility.HtmlDecode(Tag().Replace(text, " "));
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>
    /// The user's time zone and locale: the <c>clientInfo</c> entity Teams sends with messages and invokes
    /// (<c>timezone</c>, <c>locale</c>), else the activity's own <c>localTimezone</c> and <c>locale</c>.
    /// </summary>
    public static (string? TimeZone, string? Locale) ClientInfo(this Activity activity)
    {
        foreach (var entity in activity.Entities ?? [])
        {
            if (entity is null || Text(entity["type"]) != "clientInfo") continue;
            return (Text(entity["timezone"]) ?? activity.LocalTimezone, Text(entity["locale"]) ?? activity.Locale);
        }
        return (activity.LocalTimezone, activity.Locale);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The Action.Execute carried by an <c>adaptiveCard/action</c> invoke, or null when it is something else.</summary>
    public static CardAction? CardAction(this Activity activity)
    {
        if (activity.Value is not JsonObject value || value["action"] is not JsonObject action) return null;
        var type = action["type"] is JsonValue t && t.TryGetValue(out string? ts) ? ts : null;
        var verb = action["verb"] is JsonValue v && v.TryGetValue(out string? vs) ? vs : null;
        var data = action["data"] as JsonObject ?? [];
        return new CardAction(type, verb, data);
    }

    [GeneratedRegex("<at[^>]*>.*?</at>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex AtTag();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>An Action.Execute as the client sent it: the verb and the card data merged with the inputs.</summary>
public sealed record CardAction(string? Type, string? Verb, JsonObject Data)
{
    /// <summary>
    /// The data as the typed record its card builder wrote, or null when the client sent something else. Inputs arrive
    /// as strings from some clients and as numbers or booleans from others: every plain value is read as its text
    /// first, so a record holds strings for inputs and numbers it parses leniently.
    /// </summary>
    public T? Read<T>(JsonTypeInfo<T> type) where T : class
    {
        var text = new JsonObject();
        foreach (var (key, value) in Data)
            text[key] = value switch
            {
                JsonValue v when v.TryGetValue(out string? s) => s,
                JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
                JsonValue v => v.ToJsonString(),
                _ => value?.DeepClone(),
            };
        try
        {
            return text.Deserialize(type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

namespace TeamsBot.Cards;

/// <summary>
/// Small typed builders for Adaptive Cards 1.5 (the version Teams renders for bots). Every card the bot sends is made
/// from these, from a record's current state, so a card never holds more than the record says.
/// </summary>
public static class Card
{
    public const string Version = "1.5";

    public static JsonObject Create(IEnumerable<JsonNode?> body, IEnumerable<JsonNode?>? actions = null)
    {
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = Version,
            ["body"] = Array(body),
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        var actionArray = Array(actions ?? []);
        if (actionArray.Count > 0) card["actions"] = actionArray;
        return card;
    }

    /// <summary>A time in the reader's time zone and format, labelled with the zone (<see cref="Reader"/>).</summary>
    public static string When(DateTimeOffset? at) => at is { } t ? Reader.Current.When(t) : "";

    public static JsonObject Title(string text) => Text(text, size: "Large", weight: "Bolder");

    public static JsonObject Text(string text, string? size = null, string? weight = null, string? color = null, bool subtle = false,
        string? id = null, bool separator = false)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (separator) block["separator"] = true;
        if (size is not null) block["size"] = size;
        if (weight is not null) block["weight"] = weight;
        if (color is not null) block["color"] = color;
        if (subtle) block["isSubtle"] = true;
        if (id is not null) block["id"] = id;
        return block;
    }

    /// <summary>A warning or error line (attention colour).</summary>
    public static JsonObject Problem(string text) => Text("⚠ " + text, color: "Attention", weight: "Bolder");

    public static JsonObject Good(string text) => Text(text, color: "Good", weight: "Bolder");

    public static JsonObject Facts(params (string Title, string? Value)[] facts) => new()
    {
        ["type"] = "FactSet",
        ["facts"] = Array(facts.Where(f => !string.IsNullOrEmpty(f.Value))
            .Select(f => (JsonNode)new JsonObject { ["title"] = f.Title, ["value"] = f.Value })),
    };

    public static JsonObject Container(IEnumerable<JsonNode?> items, string? style = null, bool separator = false)
    {
        var container = new JsonObject { ["type"] = "Container", ["items"] = Array(items) };
        if (style is not null) container["style"] = style;
        if (separator) container["separator"] = true;
        return container;
    }

    public static JsonObject Columns(params JsonObject[] columns) => new() { ["type"] = "ColumnSet", ["columns"] = Array(columns) };

    public static JsonObject Column(IEnumerable<JsonNode?> items, string width = "stretch") =>
        new() { ["type"] = "Column", ["width"] = width, ["items"] = Array(items) };

    public static JsonObject Actions(params JsonObject[] actions) => new() { ["type"] = "ActionSet", ["actions"] = Array(actions) };

    /// <summary>An Action.Execute. <paramref name="data"/> names the record and version it acts on.</summary>
    public static JsonObject Execute(string title, string verb, JsonObject? data = null, string? style = null)
    {
        var action = new JsonObject
        {
            ["type"] = "Action.Execute",
            ["title"] = title,
            ["verb"] = verb,
            ["data"] = data is null ? new JsonObject() : Own(data),
        };
        if (style is not null) action["style"] = style;
        return action;
    }

    /// <summary>An Action.ShowCard whose card holds more inputs and its own actions (e.g. a rejection comment).</summary>
    public static JsonObject ShowCard(string title, IEnumerable<JsonNode?> body, IEnumerable<JsonNode?> actions) => new()
    {
        ["type"] = "Action.ShowCard",
        ["title"] = title,
        ["card"] = new JsonObject { ["type"] = "AdaptiveCard", ["body"] = Array(body), ["actions"] = Array(actions) },
    };

    public static JsonObject InputText(string id, string label, string? value = null, string? placeholder = null, bool required = false,
        string? errorMessage = null, int? maxLength = null, bool multiline = false)
    {
        var input = Input("Input.Text", id, label, required, errorMessage);
        if (value is not null) input["value"] = value;
        if (placeholder is not null) input["placeholder"] = placeholder;
        if (maxLength is not null) input["maxLength"] = maxLength;
        if (multiline) input["isMultiline"] = true;
        return input;
    }

    public static JsonObject InputNumber(string id, string label, int value, int min, int max, string? errorMessage = null)
    {
        var input = Input("Input.Number", id, label, true, errorMessage);
        input["value"] = value;
        input["min"] = min;
        input["max"] = max;
        return input;
    }

    public static JsonObject InputDate(string id, string label, DateOnly? value, bool required = false)
    {
        var input = Input("Input.Date", id, label, required, null);
        if (value is { } v) input["value"] = v.ToString("yyyy-MM-dd");
        return input;
    }

    public static JsonObject InputTime(string id, string label, TimeOnly? value, bool required = false)
    {
        var input = Input("Input.Time", id, label, required, null);
        if (value is { } v) input["value"] = v.ToString("HH:mm");
        return input;
    }

    public static JsonObject InputToggle(string id, string title, bool value, string? label = null)
    {
        var input = new JsonObject
        {
            ["type"] = "Input.Toggle",
            ["id"] = id,
            ["title"] = title,
            ["value"] = value ? "true" : "false",
            ["valueOn"] = "true",
            ["valueOff"] = "false",
        };
        if (label is not null) input["label"] = label;
        return input;
    }

    public static JsonObject ChoiceSet(string id, string label, IEnumerable<(string Title, string Value)> choices, string? value = null,
        bool required = false, string? placeholder = null, string? errorMessage = null)
    {
        var input = Input("Input.ChoiceSet", id, label, required, errorMessage);
        input["style"] = "compact";
        input["choices"] = Array(choices.Select(c => (JsonNode)new JsonObject { ["title"] = c.Title, ["value"] = c.Value }));
        if (value is not null) input["value"] = value;
        if (placeholder is not null) input["placeholder"] = placeholder;
        return input;
    }

    private static JsonObject Input(string type, string id, string label, bool required, string? errorMessage)
    {
        var input = new JsonObject { ["type"] = type, ["id"] = id, ["label"] = label };
        if (required)
        {
            input["isRequired"] = true;
            input["errorMessage"] = errorMessage ?? $"{label} is required.";
        }
        return input;
    }

    private static JsonArray Array(IEnumerable<JsonNode?> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
            if (item is not null) array.Add(Own(item));
        return array;
    }

    /// <summary>A node that can be placed in a card: a node already in another card is copied.</summary>
    private static T Own<T>(T node) where T : JsonNode => node.Parent is null ? node : (T)node.DeepClone();
}

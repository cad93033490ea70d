namespace TeamsBot.Protocol;

/// <summary>
/// A Bot Framework activity: the fields this bot reads or writes, typed; everything else kept in
/// <see cref="Properties"/> so that an activity round-trips unchanged.
/// </summary>
public sealed class Activity
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("localTimezone")] public string? LocalTimezone { get; set; }
    [JsonPropertyName("serviceUrl")] public string? ServiceUrl { get; set; }
    [JsonPropertyName("channelId")] public string? ChannelId { get; set; }
    [JsonPropertyName("from")] public ChannelAccount? From { get; set; }
    [JsonPropertyName("recipient")] public ChannelAccount? Recipient { get; set; }
    [JsonPropertyName("conversation")] public ConversationAccount? Conversation { get; set; }
    [JsonPropertyName("channelData")] public JsonObject? ChannelData { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("textFormat")] public string? TextFormat { get; set; }
    [JsonPropertyName("locale")] public string? Locale { get; set; }
    [JsonPropertyName("attachments")] public List<Attachment>? Attachments { get; set; }
    [JsonPropertyName("entities")] public List<JsonObject>? Entities { get; set; }
    [JsonPropertyName("value")] public JsonNode? Value { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("replyToId")] public string? ReplyToId { get; set; }
    [JsonPropertyName("membersAdded")] public List<ChannelAccount>? MembersAdded { get; set; }
    [JsonPropertyName("membersRemoved")] public List<ChannelAccount>? MembersRemoved { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Properties { get; set; }

    /// <summary>The tenant of the conversation, as Teams states it (conversation first, then channelData).</summary>
    [JsonIgnore]
    public string? TenantId =>
        Conversation?.TenantId is { Length: > 0 } t ? t
        : ChannelData?["tenant"] is JsonObject tenant && tenant["id"] is JsonValue v && v.TryGetValue(out string? id) ? id : null;

    /// <summary>The Teams channel (19:...) this activity came from, when it came from a team channel.</summary>
    [JsonIgnore]
    public string? TeamsChannelId =>
        ChannelData?["channel"] is JsonObject channel && channel["id"] is JsonValue v && v.TryGetValue(out string? id) ? id : null;

    public static Activity CreateMessage(string? text = null) => new() { Type = ActivityTypes.Message, Text = text };
}

public sealed class ChannelAccount
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("aadObjectId")] public string? AadObjectId { get; set; }
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed class ConversationAccount
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("conversationType")] public string? ConversationType { get; set; }
    [JsonPropertyName("tenantId")] public string? TenantId { get; set; }
    [JsonPropertyName("isGroup")] public bool? IsGroup { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed class Attachment
{
    [JsonPropertyName("contentType")] public string? ContentType { get; set; }
    [JsonPropertyName("content")] public JsonNode? Content { get; set; }
    [JsonPropertyName("contentUrl")] public string? ContentUrl { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }

    public static Attachment AdaptiveCard(JsonObject card) =>
        new() { ContentType = ContentTypes.AdaptiveCard, Content = card };
}

public static class ActivityTypes
{
    public const string Message = "message";
    public const string Invoke = "invoke";
    public const string ConversationUpdate = "conversationUpdate";
    public const string InstallationUpdate = "installationUpdate";
    public const string Typing = "typing";
}

public static class ContentTypes
{
    public const string AdaptiveCard = "application/vnd.microsoft.card.adaptive";
    public const string ActivityMessage = "application/vnd.microsoft.activity.message";
    public const string Error = "application/vnd.microsoft.error";
    public const string PreconditionFailed = "application/vnd.microsoft.error.preconditionFailed";
}

/// <summary>Answer of the Bot Connector to send/reply/update.</summary>
public sealed class ResourceResponse
{
    [JsonPropertyName("id")] public string? Id { get; set; }
}

public sealed class ConversationResourceResponse
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("activityId")] public string? ActivityId { get; set; }
    [JsonPropertyName("serviceUrl")] public string? ServiceUrl { get; set; }
}

public sealed class ConversationParameters
{
    [JsonPropertyName("isGroup")] public bool IsGroup { get; set; }
    [JsonPropertyName("bot")] public ChannelAccount? Bot { get; set; }
    [JsonPropertyName("members")] public List<ChannelAccount>? Members { get; set; }
    [JsonPropertyName("tenantId")] public string? TenantId { get; set; }
    [JsonPropertyName("activity")] public Activity? Activity { get; set; }
    [JsonPropertyName("channelData")] public JsonObject? ChannelData { get; set; }
}

public sealed class ConnectorErrorResponse
{
    [JsonPropertyName("error")] public ConnectorError? Error { get; set; }
}

public sealed class ConnectorError
{
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary>The body of an <c>adaptiveCard/action</c> invoke answer: <c>{statusCode,type,value}</c>.</summary>
public sealed class AdaptiveCardInvokeResponse
{
    [JsonPropertyName("statusCode")] public int StatusCode { get; set; } = 200;
    [JsonPropertyName("type")] public string Type { get; set; } = ContentTypes.ActivityMessage;
    [JsonPropertyName("value")] public JsonNode? Value { get; set; }

    public static AdaptiveCardInvokeResponse Card(JsonObject card) =>
        new() { StatusCode = 200, Type = ContentTypes.AdaptiveCard, Value = card };

    public static AdaptiveCardInvokeResponse Message(string text) =>
        new() { StatusCode = 200, Type = ContentTypes.ActivityMessage, Value = JsonValue.Create(text) };

    public static AdaptiveCardInvokeResponse Error(int status, string code, string message) =>
        new() { StatusCode = status, Type = ContentTypes.Error, Value = new JsonObject { ["code"] = code, ["message"] = message } };
}

// A key given twice is refused (400), not resolved: parsers disagree on which copy wins, and card data read later would throw.
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = false,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(Activity))]
[JsonSerializable(typeof(ResourceResponse))]
[JsonSerializable(typeof(ConversationResourceResponse))]
[JsonSerializable(typeof(ConversationParameters))]
[JsonSerializable(typeof(ConnectorErrorResponse))]
[JsonSerializable(typeof(AdaptiveCardInvokeResponse))]
public sealed partial class ProtocolJson : JsonSerializerContext;

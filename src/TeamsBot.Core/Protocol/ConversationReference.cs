namespace TeamsBot.Protocol;

/// <summary>What the bot needs to write into a conversation later: taken from an authenticated activity.</summary>
public sealed record ConversationReference(
    string ServiceUrl,
    string ConversationId,
    string? ConversationType,
    string? TenantId,
    string? ChannelId,
    string? BotId,
    string? UserId,
    string? UserAadObjectId,
    string? UserName,
    string? TeamsChannelId,
    string? TimeZone = null,
    string? Locale = null)
{
    public bool IsPersonal => ConversationType is null or "personal";

    public static ConversationReference? From(Activity activity)
    {
        if (activity.ServiceUrl is not { Length: > 0 } serviceUrl || activity.Conversation?.Id is not { Length: > 0 } conversationId)
            return null;
        // Replies and later cards are posted there: anything but a web address is no activity the connector sent.
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            return null;
        var (timeZone, locale) = activity.ClientInfo();
        return new ConversationReference(serviceUrl, conversationId, activity.Conversation.ConversationType, activity.TenantId,
            activity.ChannelId, activity.Recipient?.Id, activity.From?.Id, activity.From?.AadObjectId, activity.From?.Name,
            activity.TeamsChannelId, timeZone, locale);
    }

    /// <summary>Same place to write to, read the same way (names may change without mattering).</summary>
    public bool SameRoute(ConversationReference other) =>
        ServiceUrl == other.ServiceUrl && ConversationId == other.ConversationId && UserId == other.UserId && BotId == other.BotId
        && TenantId == other.TenantId && TimeZone == other.TimeZone && Locale == other.Locale;

    /// <summary>How a card posted here is read: the user's zone in a 1:1 chat, UTC where many read it.</summary>
    [JsonIgnore]
    public Cards.Reader Reader => IsPersonal ? Cards.Reader.From(TimeZone, Locale) : Cards.Reader.Utc;
}

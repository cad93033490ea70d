using TeamsBot.Protocol.Connector;

namespace TeamsBot.Protocol.Routing;

/// <summary>Who is acting, as the authenticated activity says (never from card data).</summary>
public sealed record Caller(string AadObjectId, string Name, string? TeamsUserId, string TenantId);

/// <summary>Where a posted card is, enough to update it later, and how it is read there (time zone, locale).</summary>
public sealed record CardLocation(string ServiceUrl, string ConversationId, string ActivityId, string? TimeZone = null, string? Locale = null);

/// <summary>One inbound activity being handled, and the ways to answer in its conversation.</summary>
public sealed class TurnContext(Activity activity, Caller? caller, ConversationReference reference, IConnectorClient connector,
    string correlationId)
{
    public Activity Activity { get; } = activity;

    /// <summary>The acting user, or null when the activity names none (e.g. some system events).</summary>
    public Caller? Caller { get; } = caller;

    public ConversationReference Reference { get; } = reference;
    public IConnectorClient Connector { get; } = connector;

    /// <summary>Short id that ties a user-visible error to the log entry.</summary>
    public string CorrelationId { get; } = correlationId;

    public bool IsPersonalChat => Reference.IsPersonal;

    /// <summary>The card whose button was clicked (an invoke answers in it), or the card a submit came from.</summary>
    public CardLocation? AnsweredCard => Activity.ReplyToId is { Length: > 0 and <= 256 } id ? Here(id) : null;

    /// <summary>Where a card just sent into this conversation is.</summary>
    public CardLocation Here(string activityId) =>
        new(Reference.ServiceUrl, Reference.ConversationId, activityId, Reader.ZoneId, Reader.LocaleName);

    /// <summary>Who reads what this turn draws: the user in a 1:1 chat; everyone (UTC) in a channel.</summary>
    public Cards.Reader Reader { get; } = reference.Reader;

    public Task<string?> SendAsync(Activity outgoing, CancellationToken ct = default)
    {
        Address(outgoing);
        return Connector.SendAsync(Reference.ServiceUrl, Reference.ConversationId, outgoing, ct);
    }

    public Task<string?> SendTextAsync(string text, CancellationToken ct = default) =>
        SendAsync(Activity.CreateMessage(text), ct);

    /// <summary>Sends a card on its own (no text beside it), so that its id can be used to update it later.</summary>
    public Task<string?> SendCardAsync(JsonObject card, CancellationToken ct = default) =>
        SendAsync(new Activity { Type = ActivityTypes.Message, Attachments = [Attachment.AdaptiveCard(card)] }, ct);

    public Task UpdateCardAsync(string activityId, JsonObject card, CancellationToken ct = default)
    {
        var outgoing = new Activity { Type = ActivityTypes.Message, Attachments = [Attachment.AdaptiveCard(card)] };
        Address(outgoing);
        return Connector.UpdateAsync(Reference.ServiceUrl, Reference.ConversationId, activityId, outgoing, ct);
    }

    private void Address(Activity outgoing)
    {
        outgoing.Type ??= ActivityTypes.Message;
        outgoing.From ??= Activity.Recipient is { } bot ? new ChannelAccount { Id = bot.Id, Name = bot.Name } : null;
        outgoing.Conversation ??= new ConversationAccount { Id = Reference.ConversationId };
        outgoing.ChannelId ??= Activity.ChannelId;
    }
}

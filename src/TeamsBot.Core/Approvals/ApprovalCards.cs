using TeamsBot.Cards;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Connector;
using TeamsBot.Storage;

namespace TeamsBot.Approvals;

public static class Audiences
{
    public const string Requester = "requester";
    public const string Approver = "approver";
    public const string Channel = "channel";
}

/// <summary>
/// Posts approval cards where they must go and re-renders every posted card when the record changes, so that all
/// cards about a record say the same thing.
/// </summary>
public sealed class ApprovalCards(
    IEnumerable<IApprovalKind> kinds,
    ApprovalEngine engine,
    IConnectorClient connector,
    IConversationReferences references,
    Outreach outreach,
    ILogger<ApprovalCards> logger)
{
    private readonly Dictionary<string, IApprovalKind> _kinds = kinds.ToDictionary(k => k.Name);

    /// <summary>The record's card for one audience, drawn for <paramref name="reader"/> (time zone, locale).</summary>
    public JsonObject Render(ApprovalRecord record, string audience, Reader reader)
    {
        using var drawing = Reader.Use(reader);
        return _kinds[record.Kind].Render(record, audience);
    }

    /// <summary>
    /// Posts the record's card into a user's 1:1 chat, opening it first when the user never opened the bot. Null when
    /// posted; else why the user could not be reached.
    /// </summary>
    public async Task<string?> PostToUserAsync(ApprovalRecord record, string audience, string userAadId, CancellationToken ct)
    {
        var reach = await outreach.ReachAsync(userAadId, ct);
        if (reach.Chat is not { } chat) return reach.WhyNot;
        return await PostAsync(record, audience, userAadId, chat.ServiceUrl, chat.ConversationId, chat.Reader,
            () => references.ForgetUserAsync(userAadId, ct), ct);
    }

    /// <summary>
    /// Like <see cref="PostToUserAsync"/>, but done without posting when the user already has this record's card for
    /// that audience (a fan-out run again after an interruption).
    /// </summary>
    public async Task<string?> PostToUserOnceAsync(ApprovalRecord record, string audience, string userAadId, CancellationToken ct) =>
        record.CardPosts.Any(p => p.Audience == audience && string.Equals(p.UserId, userAadId, StringComparison.OrdinalIgnoreCase))
            ? null
            : await PostToUserAsync(record, audience, userAadId, ct);

    /// <summary>Like <see cref="PostToChannelAsync"/>, but true without posting when the channel already has the card.</summary>
    public async Task<bool> PostToChannelOnceAsync(ApprovalRecord record, string channelId, CancellationToken ct) =>
        record.CardPosts.Any(p => p.Audience == Audiences.Channel && p.ConversationId == channelId)
        || await PostToChannelAsync(record, channelId, ct);

    /// <summary>Posts the record's card into a Teams channel the bot was added to; false when it is unknown.</summary>
    public async Task<bool> PostToChannelAsync(ApprovalRecord record, string channelId, CancellationToken ct)
    {
        var reference = await references.ForConversationAsync(channelId, ct);
        if (reference is null)
        {
            logger.LogWarning("Approvals channel {ChannelId} is configured but the bot has not been added to it", channelId);
            return false;
        }
        return await PostAsync(record, Audiences.Channel, null, reference.ServiceUrl, channelId, Reader.Utc, null, ct) is null;
    }

    /// <summary>
    /// Re-renders every card posted about the record, the clicked one too: an invoke's answer replaces the card only in
    /// the clicking client, while other members of a channel, and the clicker's other devices, see the posted card.
    /// </summary>
    public async Task RefreshAllAsync(ApprovalRecord record, CancellationToken ct)
    {
        foreach (var post in record.CardPosts)
        {
            try
            {
                var activity = new Activity { Type = ActivityTypes.Message, Attachments = [Attachment.AdaptiveCard(Render(record, post.Audience, post.Reader))] };
                await connector.UpdateAsync(post.ServiceUrl, post.ConversationId, post.ActivityId, activity, ct);
            }
            catch (ConnectorException ex)
            {
                logger.LogWarning("Card {ActivityId} of {RecordId} could not be updated: {Code} {Status}", post.ActivityId, record.Id, ex.Code, ex.Status);
            }
        }
    }

    /// <summary>Sends a card (not tied to a record) to a user's 1:1 chat, opening it when needed.</summary>
    public async Task SendCardToUserAsync(string userAadId, JsonObject card, CancellationToken ct)
    {
        var reach = await outreach.ReachAsync(userAadId, ct);
        if (reach.Chat is not { } chat)
        {
            logger.LogWarning("Card to {UserId} not delivered: {Reason}", userAadId, reach.WhyNot);
            return;
        }
        await SendCardAsync(chat.ServiceUrl, chat.ConversationId, card, ct);
    }

    /// <summary>Sends a card to a channel or chat the bot knows.</summary>
    public async Task SendCardToConversationAsync(string conversationId, JsonObject card, CancellationToken ct)
    {
        var reference = await references.ForConversationAsync(conversationId, ct);
        if (reference is not null) await SendCardAsync(reference.ServiceUrl, conversationId, card, ct);
    }

    private async Task SendCardAsync(string serviceUrl, string conversationId, JsonObject card, CancellationToken ct)
    {
        try
        {
            await connector.SendAsync(serviceUrl, conversationId, new Activity { Type = ActivityTypes.Message, Attachments = [Attachment.AdaptiveCard(card)] }, ct);
        }
        catch (ConnectorException ex)
        {
            logger.LogWarning("Card to {ConversationId} not delivered: {Code} {Status}", conversationId, ex.Code, ex.Status);
        }
    }

    /// <summary>Sends a plain notice to a user's 1:1 chat (e.g. "your request was approved"), opening it when needed.</summary>
    public async Task NotifyUserAsync(string userAadId, string text, CancellationToken ct)
    {
        var reach = await outreach.ReachAsync(userAadId, ct);
        if (reach.Chat is not { } reference)
        {
            logger.LogWarning("Notice to {UserId} not delivered: {Reason}", userAadId, reach.WhyNot);
            return;
        }
        try
        {
            await connector.SendAsync(reference.ServiceUrl, reference.ConversationId, Activity.CreateMessage(text), ct);
        }
        catch (ConnectorException ex)
        {
            logger.LogWarning("Notice to {UserId} not delivered: {Code}", userAadId, ex.Code);
            if (ex.ConversationGone) await references.ForgetUserAsync(userAadId, ct);
        }
    }

    /// <summary>Posts the card and keeps it among the record's cards; null when posted, else what Teams said.</summary>
    private async Task<string?> PostAsync(ApprovalRecord record, string audience, string? userId, string serviceUrl, string conversationId,
        Reader reader, Func<Task>? onGone, CancellationToken ct)
    {
        try
        {
            var activity = new Activity { Type = ActivityTypes.Message, Attachments = [Attachment.AdaptiveCard(Render(record, audience, reader))] };
            var id = await connector.SendAsync(serviceUrl, conversationId, activity, ct);
            if (id is null) return "Teams gave the card no id";
            var current = await engine.AddCardAsync(record.Id, new CardPost(audience, userId, serviceUrl, conversationId, id, reader.ZoneId, reader.LocaleName), ct);
            // The record may have moved on while the card was on its way (a decision, a cancel): bring it up to date,
            // since the fan-out of that change did not know this card yet.
            if (current is not null && current.Version != record.Version)
                await connector.UpdateAsync(serviceUrl, conversationId, id,
                    new Activity { Type = ActivityTypes.Message, Attachments = [Attachment.AdaptiveCard(Render(current, audience, reader))] }, ct);
            return null;
        }
        catch (ConnectorException ex)
        {
            logger.LogWarning("Card for {RecordId} not delivered to {Audience}: {Code} {Status}", record.Id, audience, ex.Code, ex.Status);
            if (ex.ConversationGone && onGone is not null) await onGone();
            return ex.ConversationGone
                ? $"Teams no longer lets me write to them ({ex.Code ?? ((int)ex.Status).ToString(CultureInfo.InvariantCulture)}): they may have removed TeamsBot"
                : $"Teams did not take the card ({ex.Code ?? ((int)ex.Status).ToString(CultureInfo.InvariantCulture)})";
        }
    }
}

using System.Net;

namespace TeamsBot.Protocol.Connector;

/// <summary>A Bot Connector call failed; <see cref="Code"/> is the Teams error code when it gave one.</summary>
public sealed class ConnectorException(HttpStatusCode status, string? code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode Status { get; } = status;
    public string? Code { get; } = code;

    /// <summary>The conversation can no longer be reached: drop its reference and use another route.</summary>
    public bool ConversationGone => Code is "BotNotInConversationRoster" or "ConversationBlockedByUser" or "ForbiddenOperationException"
        or "ConversationNotFound";

    internal static string Describe(HttpStatusCode status, string? code) => code switch
    {
        "BotNotInConversationRoster" => "The bot is not installed for this user or team (BotNotInConversationRoster).",
        "ConversationBlockedByUser" => "The user has blocked the bot (ConversationBlockedByUser).",
        "ForbiddenOperationException" => "The bot is not installed in this personal scope (ForbiddenOperationException).",
        "MessageSizeTooBig" => "The message is too large for Teams (MessageSizeTooBig).",
        "ActivityNotFoundInConversation" => "The message to update no longer exists (ActivityNotFoundInConversation).",
        "ConversationNotFound" => "The conversation no longer exists (ConversationNotFound).",
        "BotDisabledByAdmin" => "An admin has disabled the bot (BotDisabledByAdmin).",
        "InvalidBotApiHost" => "The service URL is wrong for this cloud (InvalidBotApiHost).",
        "Throttled" => "Teams is throttling the bot (Throttled).",
        "BotNotRegistered" => "The bot is not registered with the Bot Connector (BotNotRegistered).",
        _ => $"The Bot Connector answered {(int)status} {code}".TrimEnd() + ".",
    };
}

using TeamsBot.Directory;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Connector;

namespace TeamsBot.Approvals;

/// <summary>Where a person can be written to (their 1:1 chat with the bot), or why they can't be.</summary>
public sealed record Reach(ConversationReference? Chat, string? WhyNot);

/// <summary>
/// Reaches people who never opened the bot. Teams lets a bot message a user only when its app is installed for them:
/// the bot installs itself through Graph (409 "already installed" is fine; no install event is awaited, none is
/// guaranteed), opens the 1:1 chat through the Bot Connector (<c>POST /v3/conversations</c> at the service URL of the
/// tenant's latest activity, the member named by Entra object id, <c>tenantId</c> set) and keeps the chat's reference
/// (Learn: "Proactive installation of apps using Graph API to send messages"; spec/bot-protocol.md "Proactive 1:1").
/// </summary>
public sealed class Outreach(
    IConversationReferences references,
    ITeamsAppInstallations installations,
    IConnectorClient connector,
    IOptions<BotOptions> options,
    ILogger<Outreach> logger)
{
    /// <summary>Where to open a chat when no activity from the tenant says which region serves it (Bot Framework REST reference).</summary>
    public const string GlobalServiceUrl = "https://smba.trafficmanager.net/teams/";

    public async Task<Reach> ReachAsync(string userAadId, CancellationToken ct)
    {
        if (await references.ForUserAsync(userAadId, ct) is { } known) return new Reach(known, null);
        var bot = options.Value;
        if (string.IsNullOrEmpty(bot.TeamsAppId))
            return new Reach(null, "they haven't opened TeamsBot in Teams yet (with Bot:TeamsAppId set, I would add it for them)");
        if (string.IsNullOrEmpty(bot.TenantId)) return new Reach(null, "Bot:TenantId is not set, so I can't open a chat with them");

        AppInstallResult install;
        try
        {
            install = await installations.InstallForUserAsync(userAadId, bot.TeamsAppId, ct);
        }
        catch (DirectoryException ex)
        {
            logger.LogWarning("Installing the app for {UserId} failed: {Kind} {GraphCode}", userAadId, ex.Kind, ex.GraphCode);
            return new Reach(null, ex.Message);
        }
        if (install.Outcome == AppInstall.Refused)
        {
            logger.LogWarning("Installing the app for {UserId} was refused", userAadId);
            return new Reach(null, install.Reason ?? "Teams would not add TeamsBot for them.");
        }

        var serviceUrl = await references.ServiceUrlForTenantAsync(bot.TenantId, ct) ?? GlobalServiceUrl;
        ConversationResourceResponse created;
        try
        {
            created = await connector.CreatePersonalConversationAsync(serviceUrl, userAadId, bot.TenantId, ct);
        }
        catch (ConnectorException ex)
        {
            logger.LogWarning("No 1:1 chat with {UserId}: {Status} {Code}", userAadId, (int)ex.Status, ex.Code);
            return new Reach(null, $"Teams would not open a chat with them ({ex.Code ?? ((int)ex.Status).ToString(CultureInfo.InvariantCulture)})");
        }
        if (created.Id is not { Length: > 0 } conversationId) return new Reach(null, "Teams opened no chat with them");
        var chat = new ConversationReference(created.ServiceUrl is { Length: > 0 } url ? url : serviceUrl, conversationId, "personal", bot.TenantId,
            "msteams", string.IsNullOrEmpty(bot.AppId) ? null : "28:" + bot.AppId, null, userAadId, null, null);
        await references.RememberAsync(chat, ct);
        logger.LogInformation("Opened a 1:1 chat with {UserId} ({Install})", userAadId, install.Outcome);
        return new Reach(chat, null);
    }
}

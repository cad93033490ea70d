using TeamsBot.Identity;

namespace TeamsBot.Protocol;

/// <summary>Section <c>Bot</c>: the bot's identity (<see cref="BotIdentityOptions"/>) and how activities are authenticated.</summary>
public sealed class BotOptions : BotIdentityOptions
{    public const string PublicCloudOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    public const string PublicCloudTokenIssuer = "https://api.botframework.com";

    /// <summary>Bot Framework's OpenID metadata: the keys of tokens issued by <see cref="TokenIssuer"/>.</summary>
    public string OpenIdMetadataUrl { get; set; } = PublicCloudOpenIdMetadataUrl;
    public string TokenIssuer { get; set; } = PublicCloudTokenIssuer;

    /// <summary>
    /// Entra's OpenID metadata: the keys of tokens Entra issued for the Bot Framework tenants and the bot's own tenant.
    /// <c>{tenant}</c> stands for the issuing tenant's id. Empty: <c>{AuthorityHost}{tenant}/v2.0/.well-known/openid-configuration</c>.
    /// </summary>
    public string? EntraOpenIdMetadataUrl { get; set; }

    /// <summary>
    /// The app's id in the organization's Teams app catalog (not the manifest id): with it the bot installs itself for
    /// approvers and admins who never opened it, then messages them. Empty: only people who opened the bot are reached.
    /// </summary>
    public string? TeamsAppId { get; set; }

    /// <summary>Scope of outbound connector tokens.</summary>
    public string ConnectorScope { get; set; } = "https://api.botframework.com/.default";

    /// <summary>
    /// Local mode: accept activities without a token and reply without one. Refused outside Development or on a
    /// non-loopback address.
    /// </summary>
    public bool AllowUnauthenticatedLocalRequests { get; set; }

    /// <summary>How often signing keys are re-read even when nothing forces it (the spec asks for at least daily).</summary>
    public TimeSpan SigningKeysRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The least time between two refreshes forced by an unknown key id.</summary>
    public TimeSpan SigningKeysMinimumForcedRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest activity accepted, in bytes.</summary>
    public int MaxActivityBytes { get; set; } = 512 * 1024;

    public bool AuthenticationEnabled => !AllowUnauthenticatedLocalRequests;
}

namespace TeamsBot.Protocol;

/// <summary>Section <c>Bot</c>: who the bot is and how it authenticates, in and out.</summary>
public sealed class BotOptions
{
    public const string Section = "Bot";
    public const string PublicCloudOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    public const string PublicCloudTokenIssuer = "https://api.botframework.com";

    /// <summary>The Entra app id (client id) of the bot; the audience of inbound tokens.</summary>
    public string? AppId { get; set; }

    /// <summary>The home tenant: activities from any other tenant are politely refused.</summary>
    public string? TenantId { get; set; }

    /// <summary>Bot Framework's OpenID metadata: the keys of tokens issued by <see cref="TokenIssuer"/>.</summary>
    public string OpenIdMetadataUrl { get; set; } = PublicCloudOpenIdMetadataUrl;
    public string TokenIssuer { get; set; } = PublicCloudTokenIssuer;

    /// <summary>
    /// Entra's OpenID metadata: the keys of tokens Entra issued for the Bot Framework tenants and the bot's own tenant.
    /// <c>{tenant}</c> stands for the issuing tenant's id. Empty: <c>{AuthorityHost}{tenant}/v2.0/.well-known/openid-configuration</c>.
    /// </summary>
    public string? EntraOpenIdMetadataUrl { get; set; }

    /// <summary>Scope of outbound connector tokens.</summary>
    public string ConnectorScope { get; set; } = "https://api.botframework.com/.default";

    /// <summary>
    /// Entra authority host (sovereign clouds differ): outbound tokens come from it, and inbound Entra-issued tokens
    /// (issuer <c>{AuthorityHost}{tenant}/v2.0</c>) are checked with its keys.
    /// </summary>
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com/";

    public ClientCredentialOptions ClientCredential { get; set; } = new();

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

/// <summary>The bot's own credential, in the shape Microsoft.Identity.Web users know.</summary>
public sealed class ClientCredentialOptions
{
    /// <summary><c>ClientSecret</c>, <c>Certificate</c> or <c>ManagedIdentity</c>.</summary>
    public string? SourceType { get; set; }
    public string? ClientSecret { get; set; }
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
    /// <summary>Client id of the user-assigned managed identity (defaults to the app id).</summary>
    public string? ManagedIdentityClientId { get; set; }
}

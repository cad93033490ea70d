using Azure.Core;
using Azure.Identity;

namespace TeamsBot.Identity;

/// <summary>
/// Section <c>Bot</c>, the part that says who the bot is: its Entra app, home tenant and credential. One identity serves
/// the Bot Connector, Microsoft Graph and Azure Table Storage.
/// </summary>
public class BotIdentityOptions
{
    public const string Section = "Bot";

    /// <summary>The Entra app id (client id) of the bot; the audience of inbound tokens.</summary>
    public string? AppId { get; set; }

    /// <summary>The home tenant: activities from any other tenant are politely refused.</summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// Entra authority host (sovereign clouds differ): outbound tokens come from it, and inbound Entra-issued tokens
    /// (issuer <c>{AuthorityHost}{tenant}/v2.0</c>) are checked with its keys.
    /// </summary>
    public string AuthorityHost { get; set; } = "https://login.microsoftonline.com/";

    public ClientCredentialOptions ClientCredential { get; set; } = new();
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

/// <summary>The bot's Entra credential: a client secret, a certificate or a managed identity.</summary>
public static class BotCredential
{
    /// <summary>The credential, or null when the bot runs without an app id (local mode).</summary>
    public static TokenCredential? Create(BotIdentityOptions bot)
    {
        if (string.IsNullOrWhiteSpace(bot.AppId)) return null;
        var c = bot.ClientCredential;
        var authority = new Uri(bot.AuthorityHost);
        return c.SourceType switch
        {
            "ClientSecret" => new ClientSecretCredential(Require("Bot:TenantId", bot.TenantId, c.SourceType), bot.AppId,
                Require("Bot:ClientCredential:ClientSecret", c.ClientSecret, c.SourceType), new ClientSecretCredentialOptions { AuthorityHost = authority }),
            "Certificate" => new ClientCertificateCredential(Require("Bot:TenantId", bot.TenantId, c.SourceType), bot.AppId,
                Require("Bot:ClientCredential:CertificatePath", c.CertificatePath, c.SourceType), new ClientCertificateCredentialOptions { AuthorityHost = authority }),
            "ManagedIdentity" => new ManagedIdentityCredential(
                ManagedIdentityId.FromUserAssignedClientId(string.IsNullOrWhiteSpace(c.ManagedIdentityClientId) ? bot.AppId : c.ManagedIdentityClientId)),
            _ => throw new InvalidOperationException(
                $"Bot:ClientCredential:SourceType '{c.SourceType}' is not valid: use ClientSecret, Certificate or ManagedIdentity."),
        };
    }

    /// <summary>The credential from the <c>Bot</c> section of <paramref name="configuration"/>.</summary>
    public static TokenCredential? Create(IConfiguration configuration) =>
        Create(configuration.GetSection(BotIdentityOptions.Section).Get<BotIdentityOptions>() ?? new BotIdentityOptions());

    // Names the key, never the value.
    private static string Require(string key, string? value, string? sourceType) => string.IsNullOrWhiteSpace(value)
        ? throw new InvalidOperationException($"{key} is required when Bot:ClientCredential:SourceType is {sourceType}.")
        : value;
}

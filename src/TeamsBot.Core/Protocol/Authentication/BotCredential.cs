using Azure.Core;
using Azure.Identity;

namespace TeamsBot.Protocol.Authentication;

/// <summary>
/// The bot's Entra credential from <see cref="BotOptions"/>: a client secret, a certificate or a managed identity. One
/// identity serves the Bot Connector and Microsoft Graph.
/// </summary>
public static class BotCredential
{
    /// <summary>The credential, or null when the bot runs without an app id (local mode).</summary>
    public static TokenCredential? Create(BotOptions bot)
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

    // Names the key, never the value.
    private static string Require(string key, string? value, string? sourceType) => string.IsNullOrWhiteSpace(value)
        ? throw new InvalidOperationException($"{key} is required when Bot:ClientCredential:SourceType is {sourceType}.")
        : value;
}

using Azure.Core;
using Azure.Identity;

namespace TeamsBot.Protocol.Authentication;

/// <summary>Builds the bot's Entra credential from <see cref="BotOptions"/>: secret, certificate or managed identity.</summary>
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
            "ClientSecret" => new ClientSecretCredential(bot.TenantId, bot.AppId, c.ClientSecret,
                new ClientSecretCredentialOptions { AuthorityHost = authority }),
            "Certificate" => new ClientCertificateCredential(bot.TenantId, bot.AppId, c.CertificatePath,
                new ClientCertificateCredentialOptions { AuthorityHost = authority }),
            "ManagedIdentity" => new ManagedIdentityCredential(
                ManagedIdentityId.FromUserAssignedClientId(c.ManagedIdentityClientId ?? bot.AppId)),
            _ => throw new InvalidOperationException(
                "Bot:ClientCredential:SourceType must be ClientSecret, Certificate or ManagedIdentity."),
        };
    }
}

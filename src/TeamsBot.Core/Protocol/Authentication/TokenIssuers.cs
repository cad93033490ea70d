namespace TeamsBot.Protocol.Authentication;

/// <summary>One issuer whose tokens the bot accepts, and the OpenID metadata that holds its signing keys.</summary>
/// <param name="Issuer">The exact <c>iss</c> value.</param>
/// <param name="BotFramework">Issued by the Bot Connector itself: its keys carry channel endorsements.</param>
/// <param name="TenantId">For an Entra issuer, the tenant it issues for; the token's <c>tid</c>, when present, must match.</param>
/// <param name="MetadataUrl">Where the keys are; a token is checked against these keys only.</param>
/// <param name="MetadataSetting">The setting the metadata URL comes from, to name in messages.</param>
public sealed record AcceptedIssuer(string Issuer, bool BotFramework, string? TenantId, string MetadataUrl, string MetadataSetting);

/// <summary>
/// The issuers of inbound tokens: the Bot Connector (<see cref="BotOptions.TokenIssuer"/>, keys from
/// <see cref="BotOptions.OpenIdMetadataUrl"/>), and Entra for the Bot Framework tenants and the bot's own tenant, in
/// both the v1 (<c>https://sts.windows.net/{tenant}/</c>) and the v2 (<c>{AuthorityHost}{tenant}/v2.0</c>) form, keys
/// from that tenant's Entra metadata. Any other issuer, another tenant's included, is refused before a key is looked up.
/// </summary>
/// <remarks>
/// What Microsoft's current SDKs accept, as read in their public source:
/// <list type="bullet">
/// <item>M365 Agents SDK (microsoft/Agents-for-net, HEAD f813fa4 of 2026-08-21), <c>AddAgentAspNetAuthentication</c> in
/// <c>src/samples/Shared/AspNetExtensions.cs</c>: default <c>ValidIssuers</c> are <c>https://api.botframework.com</c>,
/// <c>https://sts.windows.net/{t}/</c> and <c>https://login.microsoftonline.com/{t}/v2.0</c> for
/// <c>d6d49420-f39b-4df7-a1dc-d59a935871db</c>, <c>f8cdef31-a31e-4b4a-93e4-5f571e91255a</c> and
/// <c>69e9b82d-4842-4902-8d1e-abc5b98a55e8</c>, plus the same two templates
/// (<c>AuthenticationConstants.ValidTokenIssuerUrlTemplateV1/V2</c>) for <c>TokenValidation:TenantId</c>. Bot
/// Framework-issued tokens are checked with <c>login.botframework.com/v1/.well-known/openidconfiguration</c>, every other
/// issuer with Entra's (<c>login.microsoftonline.com/common/v2.0/.well-known/openid-configuration</c>); audiences must
/// be GUIDs (client ids); clock skew 5 minutes; <c>EnableAadSigningKeyIssuerValidation()</c>; for non-Bot Framework
/// tokens, the <c>tid</c> must agree with the issuer (<c>IsTenantIdIssuerValid</c>).</item>
/// <item>Teams SDK for .NET (microsoft/teams.net), tag v2.1.0 (5e45b03),
/// <c>Libraries/Microsoft.Teams.Plugins/Microsoft.Teams.Plugins.AspNetCore/Extensions/TeamsValidationSettings.cs</c>: the
/// messaging scheme accepts the same Bot Framework, <c>d6d49420</c>, <c>f8cdef31</c> and <c>69e9b82d</c> issuers
/// (labelled there "Emulator Auth v3.1/v3.2" and "Copilot Auth") with one metadata document, Bot Framework's; the
/// bot tenant's issuers only in a second scheme for tab functions; audiences <c>{clientId}</c> and
/// <c>api://{clientId}</c>.
/// Its <c>main</c> (24285d7 of 2026-08-05, <c>src/Microsoft.Teams.Core/Hosting/JwtExtensions.cs</c>) picks the keys by
/// issuer: the Bot Framework metadata for <c>https://api.botframework.com</c>, else
/// <c>{Instance}{tid}/v2.0/.well-known/openid-configuration</c>; accepts <c>{Instance}{tenant}/v2.0</c> and
/// <c>https://sts.windows.net/{tenant}/</c> for the configured tenant; audiences <c>{clientId}</c>,
/// <c>api://{clientId}</c>, <c>api://botid-{clientId}</c>; <c>EnableAadSigningKeyIssuerValidation()</c>.</item>
/// <item>The Bot Connector authentication doc (MicrosoftDocs/bot-docs,
/// <c>articles/rest-api/bot-framework-rest-connector-authentication.md</c>, "Emulator to bot") names
/// <c>https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/</c> with the keys of
/// <c>login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration</c>; <c>f8cdef31</c> is the tenant
/// Bot Framework auth v3.2 moved to (microsoft/botframework-sdk pull request 3543).</item>
/// </list>
/// Taken here: the issuers above for the two Bot Framework tenants and the bot's tenant, each checked with its own
/// tenant's Entra keys (as teams.net <c>main</c>; the keys are Entra's either way). Not taken: the <c>69e9b82d</c>
/// (Copilot) tenant, which is not Teams; <c>api://</c> audiences, which the Agents SDK refuses to configure (GUIDs
/// only) and teams.net accepts for tab and user tokens, not for the Bot Connector's: the audience stays the app id.
/// </remarks>
public static class TokenIssuers
{
    /// <summary>The Bot Framework's Entra tenants: botframework.com's, and the one Bot Framework auth v3.2 moved to.</summary>
    public static readonly IReadOnlyList<string> BotFrameworkTenants =
        ["d6d49420-f39b-4df7-a1dc-d59a935871db", "f8cdef31-a31e-4b4a-93e4-5f571e91255a"];

    /// <summary>Stands for the tenant id in <see cref="BotOptions.EntraOpenIdMetadataUrl"/>.</summary>
    public const string TenantPlaceholder = "{tenant}";

    public static string EntraV1Issuer(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    public static string EntraV2Issuer(BotOptions bot, string tenantId) => $"{AuthorityHost(bot)}{tenantId}/v2.0";

    /// <summary>Where the keys of tokens Entra issues for <paramref name="tenantId"/> are published.</summary>
    public static string EntraMetadataUrl(BotOptions bot, string tenantId) => string.IsNullOrWhiteSpace(bot.EntraOpenIdMetadataUrl)
        ? $"{AuthorityHost(bot)}{tenantId}/v2.0/.well-known/openid-configuration"
        : bot.EntraOpenIdMetadataUrl.Replace(TenantPlaceholder, tenantId, StringComparison.OrdinalIgnoreCase);

    /// <summary>The setting an Entra metadata URL comes from.</summary>
    public static string EntraMetadataSetting(BotOptions bot) =>
        string.IsNullOrWhiteSpace(bot.EntraOpenIdMetadataUrl) ? "Bot:AuthorityHost" : "Bot:EntraOpenIdMetadataUrl";

    /// <summary>Every accepted issuer. The bot's tenant counts only when <see cref="BotOptions.TenantId"/> is a GUID.</summary>
    public static IReadOnlyList<AcceptedIssuer> For(BotOptions bot)
    {
        var issuers = new List<AcceptedIssuer> { new(bot.TokenIssuer, true, null, bot.OpenIdMetadataUrl, "Bot:OpenIdMetadataUrl") };
        var tenants = new List<string>(BotFrameworkTenants);
        // Entra writes tenant ids in lower case; a configured one may not be.
        if (Guid.TryParse(bot.TenantId, out var own) && !tenants.Contains(own.ToString()))
            tenants.Add(own.ToString());
        var setting = EntraMetadataSetting(bot);
        foreach (var tenant in tenants)
        {
            var metadata = EntraMetadataUrl(bot, tenant);
            issuers.Add(new(EntraV1Issuer(tenant), false, tenant, metadata, setting));
            issuers.Add(new(EntraV2Issuer(bot, tenant), false, tenant, metadata, setting));
        }
        return issuers;
    }

    private static string AuthorityHost(BotOptions bot) => bot.AuthorityHost.EndsWith('/') ? bot.AuthorityHost : bot.AuthorityHost + "/";
}

using TeamsBot.Protocol;
using TeamsBot.Protocol.Authentication;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Protocol;

/// <summary>
/// Which issuers are accepted and where their keys are read, from the settings; and the Entra metadata URL checked at
/// start like <c>Bot:OpenIdMetadataUrl</c>.
/// </summary>
public sealed class TokenIssuerSettingsTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void By_default_each_Entra_issuer_is_checked_with_its_tenants_metadata_at_the_authority_host()
    {
        // A configured tenant id in capitals still matches the lower-case one Entra writes.
        var issuers = TokenIssuers.For(new BotOptions { AppId = BotApp.AppId, TenantId = BotApp.TenantId.ToUpperInvariant() });

        var expected = new List<(string, bool, string?, string)>
        {
            ("https://api.botframework.com", true, null, "https://login.botframework.com/v1/.well-known/openidconfiguration"),
        };
        foreach (var tenant in new[] { TestIssuer.BotFrameworkTenant, TestIssuer.BotFrameworkTenant2, BotApp.TenantId })
        {
            var metadata = $"https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration";
            expected.Add(($"https://sts.windows.net/{tenant}/", false, tenant, metadata));
            expected.Add(($"https://login.microsoftonline.com/{tenant}/v2.0", false, tenant, metadata));
        }
        Assert.Equal(expected, issuers.Select(i => (i.Issuer, i.BotFramework, i.TenantId, i.MetadataUrl)));
    }

    [Theory]
    [InlineData("https://login.microsoftonline.us", "https://login.microsoftonline.us/{0}/v2.0/.well-known/openid-configuration", "https://login.microsoftonline.us/{0}/v2.0", null)]
    [InlineData("https://login.microsoftonline.us/", "https://login.microsoftonline.us/{0}/v2.0/.well-known/openid-configuration", "https://login.microsoftonline.us/{0}/v2.0", null)]
    [InlineData("https://login.microsoftonline.com/", "https://keys.contoso.com/{0}/oidc", "https://login.microsoftonline.com/{0}/v2.0", "https://keys.contoso.com/{tenant}/oidc")]
    [InlineData("https://login.microsoftonline.com/", "https://keys.contoso.com/oidc", "https://login.microsoftonline.com/{0}/v2.0", "https://keys.contoso.com/oidc")]
    public void The_authority_host_or_the_Entra_metadata_setting_says_where_Entra_keys_are(string authorityHost, string metadata,
        string v2Issuer, string? entraMetadataUrl)
    {
        var issuers = TokenIssuers.For(new BotOptions
        {
            AppId = BotApp.AppId, TenantId = BotApp.TenantId, AuthorityHost = authorityHost, EntraOpenIdMetadataUrl = entraMetadataUrl,
        });

        var own = issuers.Where(i => i.TenantId == BotApp.TenantId).ToList();
        Assert.Equal([$"https://sts.windows.net/{BotApp.TenantId}/", string.Format(null, v2Issuer, BotApp.TenantId)], own.Select(i => i.Issuer));
        Assert.All(own, i => Assert.Equal(string.Format(null, metadata, BotApp.TenantId), i.MetadataUrl));
        Assert.All(own, i => Assert.Equal(entraMetadataUrl is null ? "Bot:AuthorityHost" : "Bot:EntraOpenIdMetadataUrl", i.MetadataSetting));
    }

    [Fact]
    public void Without_a_tenant_only_the_Bot_Framework_tenants_are_accepted_from_Entra()
    {
        var issuers = TokenIssuers.For(new BotOptions { AppId = BotApp.AppId });

        Assert.Equal(5, issuers.Count);
        Assert.Equal([TestIssuer.BotFrameworkTenant, TestIssuer.BotFrameworkTenant2], issuers.Where(i => !i.BotFramework).Select(i => i.TenantId).Distinct());
    }

    public static TheoryData<string, string, string> RefusedSettings => new()
    {
        { "Bot:EntraOpenIdMetadataUrl", "http://login.example.com/{tenant}/v2.0/.well-known/openid-configuration", "Bot:EntraOpenIdMetadataUrl must use https" },
        { "Bot:EntraOpenIdMetadataUrl", "not a url", "Bot:EntraOpenIdMetadataUrl is not an absolute URL" },
        { "Bot:EntraOpenIdMetadataUrl", "https://login.botframework.com/v1/.well-known/openidconfiguration", "Bot:EntraOpenIdMetadataUrl must not name Bot:OpenIdMetadataUrl" },
        { "Bot:AuthorityHost", "http://login.example.com/", "Bot:AuthorityHost must use https" },
    };

    [Theory]
    [MemberData(nameof(RefusedSettings))]
    public void A_wrong_Entra_metadata_url_stops_the_bot_at_start_naming_the_setting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bot:AppId"] = BotApp.AppId,
            ["Bot:TenantId"] = BotApp.TenantId,
            ["Bot:ClientCredential:SourceType"] = "ClientSecret",
            ["Bot:ClientCredential:ClientSecret"] = "test-secret-value",
            ["Bot:OpenIdMetadataUrl"] = BotOptions.PublicCloudOpenIdMetadataUrl,
            ["Storage:SqlitePath"] = _temp.File("bot.db"),
            [key] = value,
        };
        using var bot = new BotApp(settings, environment: "Production");

        var error = bot.StartFailure();

        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("test-secret-value", error.ToString(), StringComparison.Ordinal);
    }
}

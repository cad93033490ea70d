using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Protocol;

/// <summary>
/// The issuers of inbound tokens: the Bot Connector (<c>https://api.botframework.com</c>, Bot Framework's keys) and Entra
/// for the Bot Framework tenants and the bot's own tenant (v1 and v2 issuer, that tenant's Entra keys), through the real
/// pipeline against the loopback issuer that serves both metadata documents. A token is checked with its own issuer's
/// keys only. An accepted activity is an unknown command: the bot answers 200 and replies.
/// </summary>
public sealed class TokenIssuerTests : IAsyncLifetime
{
    private AuthenticatedBot _world = null!;
    private TestIssuer Issuer => _world.Issuer;
    private FakeConnector Connector => _world.Connector;
    private BotApp Bot => _world.Bot;
    private CapturedLogs Logs => _world.Logs;

    public async Task InitializeAsync() => _world = await AuthenticatedBot.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string? authorization, string? serviceUrl = null) =>
        Bot.PostActivityAsync(Activities.Message("zzz-unknown", serviceUrl ?? Connector.ServiceUrl), authorization);

    private string Entra(string tenant = BotApp.TenantId, bool v2 = true) => Issuer.EntraToken(tenant, BotApp.AppId, Connector.ServiceUrl, v2);

    private List<string> Rejections() => Logs.Collector.GetSnapshot()
        .Where(r => r.Message.StartsWith("Inbound token rejected", StringComparison.Ordinal)).Select(r => r.Message).ToList();

    private static readonly string[] Tenants = [TestIssuer.BotFrameworkTenant, TestIssuer.BotFrameworkTenant2, BotApp.TenantId];

    public static TheoryData<string> AcceptedIssuers => new()
    {
        TestIssuer.Issuer,
        TestIssuer.StsIssuer(TestIssuer.BotFrameworkTenant),
        TestIssuer.LoginIssuer(TestIssuer.BotFrameworkTenant),
        TestIssuer.StsIssuer(TestIssuer.BotFrameworkTenant2),
        TestIssuer.LoginIssuer(TestIssuer.BotFrameworkTenant2),
        TestIssuer.StsIssuer(BotApp.TenantId),
        TestIssuer.LoginIssuer(BotApp.TenantId),
    };

    [Theory]
    [MemberData(nameof(AcceptedIssuers))]
    public async Task A_valid_token_from_each_accepted_issuer_is_accepted_with_the_keys_of_its_own_metadata(string issuer)
    {
        var tenant = Tenants.SingleOrDefault(t => issuer.Contains(t, StringComparison.Ordinal));
        var token = tenant is null
            ? Issuer.Token(BotApp.AppId, Connector.ServiceUrl)
            : Issuer.EntraToken(tenant, BotApp.AppId, Connector.ServiceUrl, v2: issuer.StartsWith("https://login.", StringComparison.Ordinal));

        var response = await PostAsync("Bearer " + token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Connector.WaitForTextAsync("didn't understand");
        Assert.Empty(Rejections());
        // The keys came from that issuer's metadata, and no other was read.
        Assert.Equal(tenant is null ? 1 : 0, Issuer.MetadataReads);
        foreach (var t in Tenants) Assert.Equal(t == tenant ? 1 : 0, Issuer.EntraMetadataReads(t));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_Entra_token_issued_for_another_tenant_is_refused_before_any_key_is_read(bool v2)
    {
        var other = Guid.NewGuid().ToString();

        var response = await PostAsync("Bearer " + Issuer.EntraToken(other, BotApp.AppId, Connector.ServiceUrl, v2));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("InvalidIssuer", Assert.Single(Rejections()), StringComparison.Ordinal);
        Assert.Equal(0, Issuer.EntraMetadataReads(other));
        Assert.Equal(0, Issuer.MetadataReads);
        await Task.Delay(100);
        Assert.Empty(Connector.Calls);
    }

    public static TheoryData<string, string> MissingIssuers => new()
    {
        { "no iss", "InvalidIssuer" },
        { "iss null", "InvalidIssuer" },
        { "iss empty", "InvalidIssuer" },
        { "iss a number", "MalformedToken" },
    };

    [Theory]
    [MemberData(nameof(MissingIssuers))]
    public async Task A_signed_token_without_a_string_issuer_is_refused_with_401(string @case, string expectedReason)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = new JsonObject
        {
            ["aud"] = BotApp.AppId,
            ["serviceurl"] = Connector.ServiceUrl,
            ["nbf"] = now.AddMinutes(-10).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(50).ToUnixTimeSeconds(),
        };
        switch (@case)
        {
            case "iss null": payload["iss"] = null; break;
            case "iss empty": payload["iss"] = ""; break;
            case "iss a number": payload["iss"] = 42; break;
        }

        var response = await PostAsync("Bearer " + Issuer.Signed(payload));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expectedReason, Assert.Single(Rejections()), StringComparison.Ordinal);
        Assert.Equal(0, Issuer.MetadataReads);
    }

    public static TheoryData<string, string> CrossedKeys => new()
    {
        { "entra issuer, bot framework key", "UnknownSigningKey" },
        { "entra issuer, bot framework key under the entra key's id", "InvalidSignature" },
        { "bot framework issuer, entra key", "UnknownSigningKey" },
        { "bot framework issuer, entra key under the teams key's id", "InvalidSignature" },
    };

    [Theory]
    [MemberData(nameof(CrossedKeys))]
    public async Task A_token_signed_with_the_other_sources_key_is_refused(string @case, string expectedReason)
    {
        var url = Connector.ServiceUrl;
        var token = @case switch
        {
            "entra issuer, bot framework key" => Issuer.EntraToken(BotApp.TenantId, BotApp.AppId, url, key: Issuer.TeamsKey),
            "entra issuer, bot framework key under the entra key's id" => Issuer.EntraToken(BotApp.TenantId, BotApp.AppId, url,
                key: new RsaSecurityKey(Issuer.TeamsKey.Rsa) { KeyId = Issuer.EntraKey.KeyId }),
            "bot framework issuer, entra key" => Issuer.Token(BotApp.AppId, url, key: Issuer.EntraKey),
            "bot framework issuer, entra key under the teams key's id" => Issuer.Token(BotApp.AppId, url,
                key: new RsaSecurityKey(Issuer.EntraKey.Rsa) { KeyId = Issuer.TeamsKey.KeyId }),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var response = await PostAsync("Bearer " + token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expectedReason, Assert.Single(Rejections()), StringComparison.Ordinal);
        await Task.Delay(100);
        Assert.Empty(Connector.Calls);
    }

    public static TheoryData<string, string> RejectedEntraCases => new()
    {
        { "expired 10 minutes", "Expired" },
        { "not valid for 10 minutes", "NotYetValid" },
        { "wrong audience", "InvalidAudience" },
        { "api:// audience", "InvalidAudience" },
        { "unknown kid", "UnknownSigningKey" },
        { "serviceurl claim different", "ServiceUrlClaimMismatch" },
        { "serviceurl claim missing", "ServiceUrlClaimMismatch" },
        { "tid of another tenant", "TenantMismatch" },
        { "key published for another tenant", "SigningKeyIssuerMismatch" },
        { "payload altered", "InvalidSignature" },
    };

    [Theory]
    [MemberData(nameof(RejectedEntraCases))]
    public async Task Invalid_Entra_tokens_are_rejected_with_401_and_nothing_is_done(string @case, string expectedReason)
    {
        var url = Connector.ServiceUrl;
        var tenant = BotApp.TenantId;
        var otherTenantKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "other-tenant-key" };
        Issuer.PublishEntra(otherTenantKey, TestIssuer.LoginIssuer(Guid.NewGuid().ToString()));
        var token = @case switch
        {
            "expired 10 minutes" => Issuer.EntraToken(tenant, BotApp.AppId, url, notBefore: DateTime.UtcNow.AddHours(-1),
                expires: DateTime.UtcNow.AddMinutes(-10)),
            "not valid for 10 minutes" => Issuer.EntraToken(tenant, BotApp.AppId, url, notBefore: DateTime.UtcNow.AddMinutes(10),
                expires: DateTime.UtcNow.AddMinutes(70)),
            "wrong audience" => Issuer.EntraToken(tenant, Guid.NewGuid().ToString(), url),
            "api:// audience" => Issuer.EntraToken(tenant, "api://" + BotApp.AppId, url),
            "unknown kid" => Issuer.EntraToken(tenant, BotApp.AppId, url, key: Issuer.UnpublishedEntraKey),
            "serviceurl claim different" => Issuer.EntraToken(tenant, BotApp.AppId, "https://smba.trafficmanager.net/emea/"),
            "serviceurl claim missing" => Issuer.EntraToken(tenant, BotApp.AppId, url, includeServiceUrl: false),
            "tid of another tenant" => Issuer.EntraToken(tenant, BotApp.AppId, url, tid: TestIssuer.BotFrameworkTenant),
            "key published for another tenant" => Issuer.EntraToken(tenant, BotApp.AppId, url, key: otherTenantKey),
            "payload altered" => Altered(Entra()),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var response = await PostAsync("Bearer " + token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expectedReason, Assert.Single(Rejections()), StringComparison.Ordinal);
        Assert.DoesNotContain(token, Logs.AllText(), StringComparison.Ordinal);
        await Task.Delay(100);
        Assert.Empty(Connector.Calls);
    }

    [Fact]
    public async Task Unknown_key_id_forces_one_refresh_of_the_Entra_metadata_and_a_key_published_since_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Bearer " + Entra())).StatusCode);
        var readsBefore = Issuer.EntraMetadataReads(BotApp.TenantId);

        Issuer.PublishEntra(Issuer.UnpublishedEntraKey);
        var token = Issuer.EntraToken(BotApp.TenantId, BotApp.AppId, Connector.ServiceUrl, key: Issuer.UnpublishedEntraKey);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Bearer " + token)).StatusCode);
        Assert.Equal(readsBefore + 1, Issuer.EntraMetadataReads(BotApp.TenantId));

        // The next unknown key id within the throttle reads nothing more; Bot Framework's metadata was never needed.
        var unknown = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "never-published" };
        var refused = Issuer.EntraToken(BotApp.TenantId, BotApp.AppId, Connector.ServiceUrl, key: unknown);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("Bearer " + refused)).StatusCode);
        Assert.Equal(readsBefore + 1, Issuer.EntraMetadataReads(BotApp.TenantId));
        Assert.Equal(0, Issuer.MetadataReads);
    }

    [Fact]
    public async Task An_Entra_token_accepted_before_is_still_checked_for_each_activity_and_refused_once_its_key_is_withdrawn()
    {
        var old = "Bearer " + Entra(TestIssuer.BotFrameworkTenant, v2: false);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(old)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(old)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(old, serviceUrl: "https://smba.trafficmanager.net/emea/")).StatusCode);
        Assert.Contains("ServiceUrlClaimMismatch", Assert.Single(Rejections()), StringComparison.Ordinal);

        // Rotation at Entra: a token signed by the new key makes the bot refresh that tenant's keys.
        Issuer.WithdrawEntra(Issuer.EntraKey);
        Issuer.PublishEntra(Issuer.UnpublishedEntraKey);
        var rotated = "Bearer " + Issuer.EntraToken(TestIssuer.BotFrameworkTenant, BotApp.AppId, Connector.ServiceUrl, v2: false,
            key: Issuer.UnpublishedEntraKey);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(rotated)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(old)).StatusCode);
        Assert.Contains("UnknownSigningKey", Rejections()[^1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(rotated)).StatusCode);
        Assert.DoesNotContain(old[7..], Logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(rotated[7..], Logs.AllText(), StringComparison.Ordinal);
    }

    /// <summary>A valid token whose payload was changed after signing.</summary>
    private static string Altered(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["serviceurl"] = "https://evil.example.com/";
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }
}

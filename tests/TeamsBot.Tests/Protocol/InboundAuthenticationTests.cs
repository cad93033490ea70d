using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Protocol;

/// <summary>
/// Every check of the Bot Framework's inbound token rules, through the real ASP.NET pipeline, against a loopback issuer.
/// An accepted activity is an unknown command: the bot answers 200 and replies.
/// </summary>
public sealed class InboundAuthenticationTests : IAsyncLifetime
{
    private AuthenticatedBot _world = null!;
    private TestIssuer Issuer => _world.Issuer;
    private FakeConnector Connector => _world.Connector;
    private BotApp Bot => _world.Bot;
    private CapturedLogs Logs => _world.Logs;
    private Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock => _world.Clock;

    public async Task InitializeAsync() => _world = await AuthenticatedBot.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string? authorization, string? serviceUrl = null) =>
        Bot.PostActivityAsync(Activities.Message("zzz-unknown", serviceUrl ?? Connector.ServiceUrl), authorization);

    private string Valid() => Issuer.Token(BotApp.AppId, Connector.ServiceUrl);

    [Fact]
    public async Task Token_with_correct_claims_signed_by_an_endorsed_key_is_accepted()
    {
        var response = await PostAsync("Bearer " + Valid());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Connector.WaitForTextAsync("didn't understand");
    }

    [Fact]
    public async Task Token_expired_two_minutes_ago_is_accepted_within_clock_skew()
    {
        var token = Issuer.Token(BotApp.AppId, Connector.ServiceUrl, notBefore: DateTime.UtcNow.AddHours(-1),
            expires: DateTime.UtcNow.AddMinutes(-2));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Bearer " + token)).StatusCode);
    }

    public static TheoryData<string, string> RejectedCases => new()
    {
        { "no header", "MissingAuthorizationHeader" },
        { "basic scheme", "NotBearerScheme" },
        { "garbage", "MalformedToken" },
        { "alg none", "InvalidSignature" },
        { "hs256 with public key", "InvalidSignature" },
        { "unknown kid", "UnknownSigningKey" },
        { "known kid different key", "InvalidSignature" },
        { "expired 10 minutes", "Expired" },
        { "not valid for 10 minutes", "NotYetValid" },
        { "wrong issuer", "InvalidIssuer" },
        { "wrong audience", "InvalidAudience" },
        { "serviceurl claim different", "ServiceUrlClaimMismatch" },
        { "serviceurl claim missing", "ServiceUrlClaimMismatch" },
        { "payload altered", "InvalidSignature" },
    };

    [Theory]
    [MemberData(nameof(RejectedCases))]
    public async Task Invalid_tokens_are_rejected_with_401_and_nothing_is_done(string @case, string expectedReason)
    {
        var url = Connector.ServiceUrl;
        string? header = @case switch
        {
            "no header" => null,
            "basic scheme" => "Basic " + Convert.ToBase64String("user:pass"u8.ToArray()),
            "garbage" => "Bearer not-a-jwt.at.all!",
            "alg none" => "Bearer " + TestIssuer.UnsignedToken(BotApp.AppId, url, Issuer.TeamsKey.KeyId),
            "hs256 with public key" => "Bearer " + Issuer.HmacWithPublicKeyToken(BotApp.AppId, url),
            "unknown kid" => "Bearer " + Issuer.Token(BotApp.AppId, url, key: Issuer.UnpublishedKey),
            "known kid different key" => "Bearer " + Issuer.Token(BotApp.AppId, url,
                key: new RsaSecurityKey(RSA.Create(2048)) { KeyId = Issuer.TeamsKey.KeyId }),
            "expired 10 minutes" => "Bearer " + Issuer.Token(BotApp.AppId, url, notBefore: DateTime.UtcNow.AddHours(-1),
                expires: DateTime.UtcNow.AddMinutes(-10)),
            "not valid for 10 minutes" => "Bearer " + Issuer.Token(BotApp.AppId, url, notBefore: DateTime.UtcNow.AddMinutes(10),
                expires: DateTime.UtcNow.AddMinutes(70)),
            "wrong issuer" => "Bearer " + Issuer.Token(BotApp.AppId, url, issuer: "https://evil.example.com"),
            "wrong audience" => "Bearer " + Issuer.Token(Guid.NewGuid().ToString(), url),
            "serviceurl claim different" => "Bearer " + Issuer.Token(BotApp.AppId, "https://smba.trafficmanager.net/emea/"),
            "serviceurl claim missing" => "Bearer " + Issuer.Token(BotApp.AppId, url, includeServiceUrl: false),
            "payload altered" => "Bearer " + Issuer.TamperedToken(BotApp.AppId, url),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var response = await PostAsync(header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var rejection = Assert.Single(Logs.Collector.GetSnapshot(), r => r.Message.StartsWith("Inbound token rejected", StringComparison.Ordinal));
        if (expectedReason.Length > 0) Assert.Contains(expectedReason, rejection.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Logs.Collector.GetSnapshot(), r => header is not null && header.Length > 20 && r.Message.Contains(header[7..], StringComparison.Ordinal));
        await Task.Delay(100);
        Assert.Empty(Connector.Calls);
    }

    [Fact]
    public async Task Key_not_endorsed_for_the_channel_is_refused_with_403_and_nothing_is_done()
    {
        // The Bot Connector authentication spec: a token without the channel's endorsement is answered 403 Forbidden.
        var header = "Bearer " + Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: Issuer.OtherChannelKey);

        var response = await PostAsync(header);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var rejection = Assert.Single(Logs.Collector.GetSnapshot(), r => r.Message.StartsWith("Inbound token rejected", StringComparison.Ordinal));
        Assert.Contains("KeyNotEndorsedForChannel", rejection.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Logs.Collector.GetSnapshot(), r => r.Message.Contains(header[7..], StringComparison.Ordinal));
        await Task.Delay(100);
        Assert.Empty(Connector.Calls);
    }

    [Fact]
    public async Task Unknown_key_id_forces_one_refresh_and_a_key_published_since_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Bearer " + Valid())).StatusCode);
        var readsBefore = Issuer.MetadataReads;

        Issuer.Publish(Issuer.UnpublishedKey, "msteams");
        var token = Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: Issuer.UnpublishedKey);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("Bearer " + token)).StatusCode);
        Assert.Equal(readsBefore + 1, Issuer.MetadataReads);
    }

    [Fact]
    public async Task Forced_refreshes_are_throttled_so_unknown_kids_cannot_hammer_the_issuer()
    {
        var unknown = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "never-published" };
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await PostAsync("Bearer " + Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: unknown))).StatusCode);
        // One initial read plus at most one forced refresh.
        Assert.InRange(Issuer.MetadataReads, 1, 2);
    }

    // The validator remembers a verified token by its text (the connector reuses one for about an hour); these hold
    // that a remembered token is still held to everything that can change from one activity to the next.

    [Fact]
    public async Task A_token_accepted_before_is_still_refused_for_another_service_url_or_channel()
    {
        var token = "Bearer " + Valid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(token)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(token, serviceUrl: "https://smba.trafficmanager.net/emea/")).StatusCode);
        var otherChannel = Activities.Message("zzz-unknown", Connector.ServiceUrl);
        otherChannel["channelId"] = "webchat";
        Assert.Equal(HttpStatusCode.Forbidden, (await Bot.PostActivityAsync(otherChannel, token)).StatusCode);

        var reasons = Logs.Collector.GetSnapshot().Where(r => r.Message.StartsWith("Inbound token rejected", StringComparison.Ordinal))
            .Select(r => r.Message).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Contains("ServiceUrlClaimMismatch", reasons[0], StringComparison.Ordinal);
        Assert.Contains("KeyNotEndorsedForChannel", reasons[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_accepted_before_is_refused_once_its_signing_key_is_withdrawn()
    {
        var old = "Bearer " + Valid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(old)).StatusCode);

        // Rotation: the old key leaves the JWKS, a new one arrives; a token signed by the new key makes the bot refresh.
        Issuer.Withdraw(Issuer.TeamsKey);
        Issuer.Publish(Issuer.UnpublishedKey, "msteams");
        var rotated = "Bearer " + Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: Issuer.UnpublishedKey);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(rotated)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(old)).StatusCode);
        Assert.Contains(Logs.Collector.GetSnapshot(), r => r.Message.Contains("UnknownSigningKey", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(rotated)).StatusCode);
    }

    [Fact]
    public async Task A_token_accepted_before_expires_like_any_other()
    {
        // Inside the 5 minutes of clock skew for two more seconds of the bot's clock.
        var now = Clock.GetUtcNow().UtcDateTime;
        var expires = now.AddMinutes(-5).AddSeconds(2);
        var token = "Bearer " + Issuer.Token(BotApp.AppId, Connector.ServiceUrl, notBefore: now.AddHours(-1), expires: expires);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(token)).StatusCode);

        Clock.Advance(TimeSpan.FromSeconds(3)); // the remembered token has expired by now

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(token)).StatusCode);
        Assert.Contains(Logs.Collector.GetSnapshot(), r => r.Message.Contains("Inbound token rejected: Expired", StringComparison.Ordinal));
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>
/// A loopback stand-in for login.botframework.com: OpenID metadata, a JWKS with endorsements, and token minting with
/// the keys it publishes (and with keys it does not, for the negative cases).
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";
    private readonly WebApplication _app;
    private int _metadataReads;

    private TestIssuer(WebApplication app) => _app = app;

    public string MetadataUrl { get; private set; } = "";
    public int MetadataReads => _metadataReads;

    /// <summary>Published, endorsed for msteams.</summary>
    public RsaSecurityKey TeamsKey { get; } = NewKey("teams-key");

    /// <summary>Published, endorsed only for another channel.</summary>
    public RsaSecurityKey OtherChannelKey { get; } = NewKey("webchat-key");

    /// <summary>Not published (until <see cref="Publish"/>).</summary>
    public RsaSecurityKey UnpublishedKey { get; } = NewKey("new-key");

    private readonly List<(RsaSecurityKey Key, string[] Endorsements)> _published = [];

    public static async Task<TestIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new TestIssuer(app);
        issuer._published.Add((issuer.TeamsKey, ["msteams"]));
        issuer._published.Add((issuer.OtherChannelKey, ["webchat"]));
        app.MapGet("/v1/.well-known/openidconfiguration", (HttpContext http) =>
        {
            Interlocked.Increment(ref issuer._metadataReads);
            var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = baseUrl + "/v1/.well-known/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet("/v1/.well-known/keys", () =>
        {
            var keys = new JsonArray();
            lock (issuer._published)
                foreach (var (key, endorsements) in issuer._published)
                {
                    var p = key.Rsa.ExportParameters(false);
                    keys.Add(new JsonObject
                    {
                        ["kty"] = "RSA",
                        ["use"] = "sig",
                        ["kid"] = key.KeyId,
                        ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                        ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                        ["endorsements"] = new JsonArray([.. endorsements.Select(e => (JsonNode)e)]),
                    });
                }
            return Results.Content(new JsonObject { ["keys"] = keys }.ToJsonString(), "application/json");
        });
        await app.StartAsync();
        issuer.MetadataUrl = app.Urls.First() + "/v1/.well-known/openidconfiguration";
        return issuer;
    }

    public void Publish(RsaSecurityKey key, params string[] endorsements)
    {
        lock (_published) _published.Add((key, endorsements));
    }

    /// <summary>Takes a key out of the JWKS, as a key rotation does.</summary>
    public void Withdraw(RsaSecurityKey key)
    {
        lock (_published) _published.RemoveAll(p => p.Key == key);
    }

    /// <summary>A token as the Bot Connector would send it, with any part changed for a negative case.</summary>
    public string Token(string audience, string serviceUrl, RsaSecurityKey? key = null, string issuer = Issuer,
        DateTime? notBefore = null, DateTime? expires = null, bool includeServiceUrl = true, string? kidOverride = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["serviceurl"] = serviceUrl };
        if (!includeServiceUrl) claims.Remove("serviceurl");
        var signingKey = key ?? TeamsKey;
        var credentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore ?? now.AddMinutes(-10),
            IssuedAt = (notBefore ?? now.AddMinutes(-10)),
            Expires = expires ?? now.AddMinutes(50),
            Claims = claims,
            SigningCredentials = credentials,
        };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(descriptor);
        return kidOverride is null ? token : ReplaceHeader(token, h => h["kid"] = kidOverride, resign: null);
    }

    /// <summary>A token with <c>alg: none</c> and no signature.</summary>
    public static string UnsignedToken(string audience, string serviceUrl, string kid)
    {
        var header = new JsonObject { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = kid };
        return $"{B64(header)}.{B64(Payload(audience, serviceUrl))}.";
    }

    /// <summary>An HS256 token whose HMAC key is the RSA public key's bytes (the classic algorithm confusion).</summary>
    public string HmacWithPublicKeyToken(string audience, string serviceUrl)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = TeamsKey.KeyId };
        var signingInput = $"{B64(header)}.{B64(Payload(audience, serviceUrl))}";
        var publicKey = Encoding.UTF8.GetBytes(TeamsKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var signature = HMACSHA256.HashData(publicKey, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>A valid token whose payload was changed after signing.</summary>
    public string TamperedToken(string audience, string serviceUrl)
    {
        var parts = Token(audience, serviceUrl).Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["serviceurl"] = "https://evil.example.com/";
        return $"{parts[0]}.{B64(payload)}.{parts[2]}";
    }

    private static JsonObject Payload(string audience, string serviceUrl)
    {
        var now = DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["serviceurl"] = serviceUrl,
            ["nbf"] = now.AddMinutes(-10).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(50).ToUnixTimeSeconds(),
        };
    }

    private static string ReplaceHeader(string token, Action<JsonObject> change, RsaSecurityKey? resign)
    {
        var parts = token.Split('.');
        var header = JsonNode.Parse(Base64UrlEncoder.Decode(parts[0]))!.AsObject();
        change(header);
        _ = resign;
        return $"{B64(header)}.{parts[1]}.{parts[2]}";
    }

    private static string B64(JsonObject json) => Base64UrlEncoder.Encode(json.ToJsonString());

    private static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

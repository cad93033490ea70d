using System.Collections.Concurrent;
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
/// A loopback stand-in for login.botframework.com (OpenID metadata, a JWKS with endorsements) and for Entra's per-tenant
/// metadata (<c>/{tenant}/v2.0/.well-known/openid-configuration</c>, keys without endorsements), and token minting with
/// the keys it publishes (and with keys it does not, for the negative cases).
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";
    /// <summary>The Bot Framework's Entra tenants.</summary>
    public const string BotFrameworkTenant = "d6d49420-f39b-4df7-a1dc-d59a935871db";
    public const string BotFrameworkTenant2 = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    /// <summary>What Entra writes in the <c>issuer</c> of its common keys.</summary>
    public const string EntraKeyIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0";
    private readonly WebApplication _app;
    private int _metadataReads;
    private readonly ConcurrentDictionary<string, int> _entraMetadataReads = new(StringComparer.Ordinal);

    private TestIssuer(WebApplication app) => _app = app;

    public string MetadataUrl { get; private set; } = "";
    public int MetadataReads => _metadataReads;

    /// <summary>Entra's metadata for any tenant; <c>{tenant}</c> stands for it (as in Bot:EntraOpenIdMetadataUrl).</summary>
    public string EntraMetadataUrl { get; private set; } = "";

    /// <summary>Reads of one tenant's Entra metadata.</summary>
    public int EntraMetadataReads(string tenant) => _entraMetadataReads.GetValueOrDefault(tenant);

    public static string StsIssuer(string tenant) => $"https://sts.windows.net/{tenant}/";
    public static string LoginIssuer(string tenant) => $"https://login.microsoftonline.com/{tenant}/v2.0";

    /// <summary>Published by Entra (for every tenant), no endorsements.</summary>
    public RsaSecurityKey EntraKey { get; } = NewKey("entra-key");

    /// <summary>Not published by Entra (until <see cref="PublishEntra"/>).</summary>
    public RsaSecurityKey UnpublishedEntraKey { get; } = NewKey("entra-new-key");

    private readonly List<(RsaSecurityKey Key, string KeyIssuer)> _entraPublished = [];

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
        issuer._entraPublished.Add((issuer.EntraKey, EntraKeyIssuer));
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
                    var jwk = Jwk(key);
                    jwk["endorsements"] = new JsonArray([.. endorsements.Select(e => (JsonNode)e)]);
                    keys.Add(jwk);
                }
            return Results.Content(new JsonObject { ["keys"] = keys }.ToJsonString(), "application/json");
        });
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext http, string tenant) =>
        {
            issuer._entraMetadataReads.AddOrUpdate(tenant, 1, (_, n) => n + 1);
            var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = LoginIssuer(tenant),
                ["jwks_uri"] = $"{baseUrl}/{tenant}/discovery/v2.0/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        app.MapGet("/{tenant}/discovery/v2.0/keys", () =>
        {
            var keys = new JsonArray();
            lock (issuer._entraPublished)
                foreach (var (key, keyIssuer) in issuer._entraPublished)
                {
                    var jwk = Jwk(key);
                    jwk["issuer"] = keyIssuer;
                    keys.Add(jwk);
                }
            return Results.Content(new JsonObject { ["keys"] = keys }.ToJsonString(), "application/json");
        });
        await app.StartAsync();
        issuer.MetadataUrl = app.Urls.First() + "/v1/.well-known/openidconfiguration";
        issuer.EntraMetadataUrl = app.Urls.First() + "/{tenant}/v2.0/.well-known/openid-configuration";
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

    /// <summary>Adds a key to Entra's JWKS, with the <c>issuer</c> Entra writes on it.</summary>
    public void PublishEntra(RsaSecurityKey key, string keyIssuer = EntraKeyIssuer)
    {
        lock (_entraPublished) _entraPublished.Add((key, keyIssuer));
    }

    /// <summary>Takes a key out of Entra's JWKS.</summary>
    public void WithdrawEntra(RsaSecurityKey key)
    {
        lock (_entraPublished) _entraPublished.RemoveAll(p => p.Key == key);
    }

    /// <summary>
    /// A token Entra issued for <paramref name="tenant"/> (v1 <c>sts.windows.net</c> or v2 <c>login.microsoftonline.com</c>
    /// issuer, with its <c>tid</c>), signed by <see cref="EntraKey"/> unless told otherwise.
    /// </summary>
    public string EntraToken(string tenant, string audience, string serviceUrl, bool v2 = true, RsaSecurityKey? key = null,
        DateTime? notBefore = null, DateTime? expires = null, bool includeServiceUrl = true, string? tid = null, string? kidOverride = null) =>
        Token(audience, serviceUrl, key ?? EntraKey, v2 ? LoginIssuer(tenant) : StsIssuer(tenant), notBefore, expires, includeServiceUrl,
            kidOverride, new Dictionary<string, object> { ["tid"] = tid ?? tenant, ["ver"] = v2 ? "2.0" : "1.0" });

    /// <summary>A token as the Bot Connector would send it, with any part changed for a negative case.</summary>
    public string Token(string audience, string serviceUrl, RsaSecurityKey? key = null, string issuer = Issuer,
        DateTime? notBefore = null, DateTime? expires = null, bool includeServiceUrl = true, string? kidOverride = null,
        Dictionary<string, object>? claims = null)
    {
        var now = DateTime.UtcNow;
        claims = claims is null ? [] : new(claims);
        claims["serviceurl"] = serviceUrl;
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

    /// <summary>A token with exactly this payload, signed for real (by <see cref="TeamsKey"/> unless told otherwise).</summary>
    public string Signed(JsonObject payload, RsaSecurityKey? key = null) =>
        new JsonWebTokenHandler().CreateToken(payload.ToJsonString(), new SigningCredentials(key ?? TeamsKey, SecurityAlgorithms.RsaSha256));

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

    private static JsonObject Jwk(RsaSecurityKey key)
    {
        var p = key.Rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
    }

    private static string B64(JsonObject json) => Base64UrlEncoder.Encode(json.ToJsonString());

    private static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

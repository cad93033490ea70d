using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bench.Micro;

/// <summary>The activities of bench/load and a signing key with its metadata, as the load benchmark uses them.</summary>
public static class Payloads
{
    public const string AppId = "5d0c2a4e-1111-4222-8333-944455566677";
    public const string TenantId = "7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d";
    public const string ServiceUrl = "http://127.0.0.1:3990/";
    public const string MetadataUrl = "http://127.0.0.1:3983/v1/.well-known/openidconfiguration";

    private static readonly string LoadDir = FindLoadDir();

    public static byte[] Message(string text) =>
        File.ReadAllBytes(Path.Combine(LoadDir, "message.json")).Replace("TEXT", text);

    public static byte[] Invoke(string verb) =>
        File.ReadAllBytes(Path.Combine(LoadDir, "invoke.json")).Replace("VERB", verb);

    public static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = "bench-key" };

    public static string Token() => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://api.botframework.com",
        Audience = AppId,
        NotBefore = DateTime.UtcNow.AddMinutes(-5),
        IssuedAt = DateTime.UtcNow.AddMinutes(-5),
        Expires = DateTime.UtcNow.AddHours(6),
        Claims = new Dictionary<string, object> { ["serviceurl"] = ServiceUrl },
        SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
    });

    public static string Metadata => new JsonObject
    {
        ["issuer"] = "https://api.botframework.com",
        ["jwks_uri"] = "http://127.0.0.1:3983/v1/.well-known/keys",
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
    }.ToJsonString();

    public static string Jwks
    {
        get
        {
            var p = Key.Rsa.ExportParameters(false);
            return new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["kid"] = Key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                    ["endorsements"] = new JsonArray("msteams"),
                }),
            }.ToJsonString();
        }
    }

    private static byte[] Replace(this byte[] bytes, string placeholder, string value) =>
        System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(bytes).Replace(placeholder, value, StringComparison.Ordinal));

    private static string FindLoadDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "load");
            if (File.Exists(Path.Combine(candidate, "message.json"))) return candidate;
        }
        throw new InvalidOperationException("bench/load not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Answers the bot's outbound HTTP in process: the connector (201 {"id":"1"}) and the OpenID metadata.</summary>
public sealed class InProcessHandler : HttpMessageHandler
{
    private readonly SemaphoreSlim _connectorCalls = new(0);

    public Task WaitForConnectorCallAsync() => _connectorCalls.WaitAsync(TimeSpan.FromSeconds(10));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/openidconfiguration", StringComparison.Ordinal)) return Json(Payloads.Metadata, 200);
        if (path.EndsWith("/keys", StringComparison.Ordinal)) return Json(Payloads.Jwks, 200);
        if (request.Content is not null) await request.Content.ReadAsByteArrayAsync(cancellationToken);
        _connectorCalls.Release();
        return Json("""{"id":"1"}""", 201);
    }

    private static HttpResponseMessage Json(string json, int status) =>
        new((System.Net.HttpStatusCode)status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
}

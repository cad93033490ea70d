using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

// Two loopback servers for the authenticated benchmark runs:
// - http  :{--http-port}  the Bot Connector's OpenID metadata and JWKS (one RS256 key endorsed for msteams);
// - https :{--https-port} an Entra token endpoint, /{tenant}/oauth2/v2.0/token, that hands out connector tokens
//   (Azure.Identity accepts only https authority hosts; the certificate's CA is written for SSL_CERT_FILE).
// It writes into --out: token.txt (an inbound Bot Connector token for --audience and --service-url) and ca.pem.
var options = Args.Parse(args);
Directory.CreateDirectory(options.Out);

using var rsa = RSA.Create(2048);
var key = new RsaSecurityKey(rsa) { KeyId = "bench-key" };
var signing = new SigningCredentials(key, SecurityAlgorithms.RsaSha256);
var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };

string Mint(string issuer, string audience, Dictionary<string, object> claims, TimeSpan lifetime) =>
    handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = audience,
        NotBefore = DateTime.UtcNow.AddMinutes(-5),
        IssuedAt = DateTime.UtcNow.AddMinutes(-5),
        Expires = DateTime.UtcNow.Add(lifetime),
        Claims = claims,
        SigningCredentials = signing,
    });

// The inbound token: what the Bot Connector puts on every activity it posts to the bot.
var inbound = Mint("https://api.botframework.com", options.Audience,
    new() { ["serviceurl"] = options.ServiceUrl, ["appid"] = "d6d49420-f39b-4df7-a1dc-d59a935871db" }, TimeSpan.FromHours(6));
await File.WriteAllTextAsync(Path.Combine(options.Out, "token.txt"), inbound);

var (ca, server) = Certificates.Create();
await File.WriteAllTextAsync(Path.Combine(options.Out, "ca.pem"), ca.ExportCertificatePem() + "\n");

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, options.HttpPort);
    k.Listen(IPAddress.Loopback, options.HttpsPort, l => l.UseHttps(server));
});
var app = builder.Build();

var counts = new Dictionary<string, int>();
void Count(string what)
{
    lock (counts) counts[what] = counts.GetValueOrDefault(what) + 1;
}

app.MapGet("/v1/.well-known/openidconfiguration", (HttpContext http) =>
{
    Count("openid-metadata");
    return Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = "https://api.botframework.com",
        ["jwks_uri"] = $"http://127.0.0.1:{options.HttpPort}/v1/.well-known/keys",
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
    });
});
app.MapGet("/v1/.well-known/keys", () =>
{
    Count("jwks");
    var p = rsa.ExportParameters(false);
    var jwk = new JsonObject
    {
        ["kty"] = "RSA",
        ["use"] = "sig",
        ["kid"] = key.KeyId,
        ["n"] = Base64UrlEncoder.Encode(p.Modulus),
        ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        ["endorsements"] = new JsonArray("msteams"),
    };
    return Results.Content(new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString(), "application/json");
});
// Entra's token endpoint for the client-credentials grant (the bot's outbound connector token).
app.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpRequest request) =>
{
    Count("entra-token");
    var form = await request.ReadFormAsync();
    if (form["grant_type"] != "client_credentials" || string.IsNullOrEmpty(form["client_id"]))
        return Results.Json(new { error = "invalid_request" }, statusCode: 400);
    var token = Mint($"https://sts.windows.net/{tenant}/", "https://api.botframework.com",
        new() { ["appid"] = form["client_id"].ToString(), ["tid"] = tenant }, TimeSpan.FromHours(1));
    return Results.Json(new Dictionary<string, object>
    {
        ["token_type"] = "Bearer",
        ["expires_in"] = 3599,
        ["ext_expires_in"] = 3599,
        ["access_token"] = token,
    });
});
app.MapGet("/_counts", () => { lock (counts) return Results.Json(new Dictionary<string, int>(counts)); });
app.MapFallback((HttpContext http) =>
{
    Count($"unknown {http.Request.Method} {http.Request.Path}");
    return Results.NotFound();
});

await app.RunAsync();

internal sealed record Args(int HttpPort, int HttpsPort, string Out, string Audience, string ServiceUrl)
{
    public static Args Parse(string[] args)
    {
        string Get(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"{name} is required");
        }
        return new Args(int.Parse(Get("--http-port", "3983")), int.Parse(Get("--https-port", "3984")), Get("--out"), Get("--audience"),
            Get("--service-url"));
    }
}

internal static class Certificates
{
    /// <summary>A throw-away CA and a server certificate for 127.0.0.1 that it signed.</summary>
    public static (X509Certificate2 Ca, X509Certificate2 Server) Create()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=TeamsBot bench CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), serial);
        var server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pfx), null);
        return (ca, server);
    }
}

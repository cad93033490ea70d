using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.IdentityModel.Tokens;
using TeamsBot.Storage;
using TeamsBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// Authenticated mode: a token the Bot Connector would send, or one Entra issued for a Bot Framework tenant, mutated in
/// every way the generator knows, never passes (401; 403 when it is signed for real by a key not endorsed for the channel).
/// Mutations that leave the token as it was (the same signed bytes) are told apart and do pass.
/// </summary>
public sealed class TokenFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private AuthenticatedBot _world = null!;
    private TestIssuer Issuer => _world.Issuer;
    private FakeConnector Connector => _world.Connector;
    private BotApp Bot => _world.Bot;
    private CapturedLogs Logs => _world.Logs;

    public async Task InitializeAsync() => _world = await AuthenticatedBot.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    public enum TokenEdit { FlipChar, DeleteChar, InsertChar, Truncate, SwapSegments, DropSignature, ExtraSegment, Header, Payload, Resign }

    public sealed record TokenCase(bool Entra, TokenEdit Edit, int Where, char Char, string Claim, JsonNode? Value, string Token)
    {
        public override string ToString() => $"{(Entra ? "Entra token" : "Bot Framework token")}, {Edit} at {Where} ('{Char}', {Claim}={Value?.ToJsonString()}): {Token}";
    }

    private static readonly string[] Claims = ["alg", "kid", "typ", "iss", "aud", "exp", "nbf", "serviceurl", "iat", "x5t", "crit", "jku"];

    private static readonly Gen<JsonNode?> ClaimValues = Gen.OneOf<JsonNode?>(
        Gen.OneOf<string?>("none", "HS256", "RS512", "ES256", "webchat-key", "new-key", "https://evil.example.com", "https://api.botframework.com ",
            BotApp.AppId.ToUpperInvariant(), "", null, "entra-key", "api://" + BotApp.AppId, TestIssuer.Issuer,
            TestIssuer.StsIssuer(TestIssuer.BotFrameworkTenant), TestIssuer.LoginIssuer(BotApp.TenantId), TestIssuer.BotFrameworkTenant2).Select(s => s is null ? null : (JsonNode?)JsonValue.Create(s)),
        Gen.Long[0, 4_102_444_800].Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Const(() => (JsonNode?)new JsonArray(BotApp.AppId, "other")),
        Gen.Const(() => (JsonNode?)new JsonObject { ["a"] = 1 }));

    /// <summary>Base64url characters and a few that are not.</summary>
    private static readonly Gen<char> TokenChars = Gen.Frequency((8, Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"]),
        (1, Gen.Char[".=+/ %\u00e9\u0000"]));

    private Gen<TokenCase> Cases(string valid, string validEntra) => Gen.Select(
            Gen.Bool, Gen.OneOf(Enum.GetValues<TokenEdit>()), Gen.Int[0, 100_000], TokenChars, Gen.OneOf(Claims), ClaimValues)
        .Select((entra, edit, where, c, claim, value) =>
            new TokenCase(entra, edit, where, c, claim, value, Mutate(entra ? validEntra : valid, edit, where, c, claim, value)));

    /// <summary>How many ways <see cref="TokenEdit.Resign"/> knows; the sixth (5) is the one refused with 403.</summary>
    private const int ResignCases = 12;

    private string Mutate(string token, TokenEdit edit, int where, char c, string claim, JsonNode? value)
    {
        var parts = token.Split('.');
        var i = where % token.Length;
        switch (edit)
        {
            case TokenEdit.FlipChar:
                return token[..i] + (token[i] == c ? (c == 'A' ? 'B' : 'A') : c) + token[(i + 1)..];
            case TokenEdit.DeleteChar:
                return token.Remove(i, 1);
            case TokenEdit.InsertChar:
                return token.Insert(i, c.ToString());
            case TokenEdit.Truncate:
                return token[..i];
            case TokenEdit.SwapSegments:
                return where % 2 == 0 ? $"{parts[1]}.{parts[0]}.{parts[2]}" : $"{parts[0]}.{parts[2]}.{parts[1]}";
            case TokenEdit.DropSignature:
                return where % 2 == 0 ? $"{parts[0]}.{parts[1]}." : $"{parts[0]}.{parts[1]}";
            case TokenEdit.ExtraSegment:
                return token + "." + parts[where % 3];
            case TokenEdit.Header or TokenEdit.Payload:
                // A claim changed after signing, the signature kept.
                var index = edit == TokenEdit.Header ? 0 : 1;
                var json = JsonNode.Parse(Base64UrlEncoder.Decode(parts[index]))!.AsObject();
                json[claim] = value?.DeepClone();
                parts[index] = Base64UrlEncoder.Encode(json.ToJsonString());
                return string.Join('.', parts);
            default:
                // Signed for real, but something about it is wrong.
                return (where % ResignCases) switch
                {
                    0 => Issuer.Token(Guid.NewGuid().ToString(), Connector.ServiceUrl),
                    1 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, issuer: "https://sts.windows.net/" + Guid.NewGuid() + "/"),
                    2 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, notBefore: DateTime.UtcNow.AddHours(-3), expires: DateTime.UtcNow.AddHours(-1)),
                    3 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, notBefore: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2)),
                    4 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: Issuer.UnpublishedKey),
                    5 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: Issuer.OtherChannelKey),
                    6 => Issuer.Token(BotApp.AppId, "https://smba.evil.example.com/"),
                    7 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, includeServiceUrl: false),
                    // Entra-issued: another tenant's, the right tenant's signed with Bot Framework's key, Bot Framework's
                    // signed with Entra's key, and an audience of api://{app id}.
                    8 => Issuer.EntraToken(Guid.NewGuid().ToString(), BotApp.AppId, Connector.ServiceUrl, v2: where % 2 == 0),
                    9 => Issuer.EntraToken(TestIssuer.BotFrameworkTenant, BotApp.AppId, Connector.ServiceUrl, key: Issuer.TeamsKey),
                    10 => Issuer.Token(BotApp.AppId, Connector.ServiceUrl, key: Issuer.EntraKey),
                    _ => Issuer.EntraToken(BotApp.TenantId, "api://" + BotApp.AppId, Connector.ServiceUrl),
                };
        }
    }

    /// <summary>The same signed bytes: only the last character's unused bits or nothing at all changed.</summary>
    private static bool SameToken(string original, string candidate)
    {
        var a = original.Split('.');
        var b = candidate.Trim().Split('.');
        if (b.Length != 3 || a[0] != b[0] || a[1] != b[1]) return false;
        try
        {
            return Base64UrlEncoder.DecodeBytes(a[2]).AsSpan().SequenceEqual(Base64UrlEncoder.DecodeBytes(b[2]));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private IDocumentStore Store => (IDocumentStore)Bot.Services.GetService(typeof(IDocumentStore))!;

    private async Task<HttpStatusCode> PostAsync(string authorization)
    {
        using var response = await Bot.PostActivityAsync(Activities.Message("zzz-unknown", Connector.ServiceUrl), authorization);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_mutated_token_never_passes()
    {
        var valid = Issuer.Token(BotApp.AppId, Connector.ServiceUrl);
        var validEntra = Issuer.EntraToken(TestIssuer.BotFrameworkTenant, BotApp.AppId, Connector.ServiceUrl);
        // The control: the untouched tokens are accepted.
        Assert.Equal(HttpStatusCode.OK, await PostAsync("Bearer " + valid));
        Assert.Equal(HttpStatusCode.OK, await PostAsync("Bearer " + validEntra));
        static bool Answer(ConnectorCall c) => c.Body?["text"]?.ToString().Contains("didn't understand", StringComparison.Ordinal) == true;
        var answered = Environment.TickCount64 + 10_000;
        while (Connector.Calls.Count(Answer) < 2 && Environment.TickCount64 < answered) await Task.Delay(20);
        Assert.Equal(2, Connector.Calls.Count(Answer));
        var connectorCalls = Connector.Calls.Count;
        var references = await WorldSnapshot.AllAsync(Store, "conversationReferences");

        var iterations = WorldChecks.Iterations(5000);
        var rejected = 0;
        var unchanged = 0;
        var edits = new ConcurrentDictionary<TokenEdit, int>();
        var clock = Stopwatch.StartNew();
        await Cases(valid, validEntra).SampleAsync(async input =>
        {
            var status = await PostAsync("Bearer " + input.Token);
            if (SameToken(input.Entra ? validEntra : valid, input.Token))
            {
                // The same signed bytes (spare bits of the last character): accepting them is no breach.
                if (status == HttpStatusCode.OK) Interlocked.Increment(ref unchanged);
                return;
            }
            // Refused: 401, or 403 for the one case of a real signature by a key not endorsed for msteams.
            var expected = input.Edit == TokenEdit.Resign && input.Where % ResignCases == 5 ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized;
            Assert.True(status == expected, $"HTTP {(int)status} for {input}");
            Interlocked.Increment(ref rejected);
            edits.AddOrUpdate(input.Edit, 1, (_, n) => n + 1);
        }, output.WriteLine, seed: WorldChecks.Seed(), iter: iterations, threads: 2, print: c => c.ToString());

        // Nothing was sent, and nothing kept, for the refused requests: only the accepted ones were answered.
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (Connector.Calls.Count < connectorCalls + unchanged && Environment.TickCount64 < deadline) await Task.Delay(20);
        Assert.Equal(connectorCalls + unchanged, Connector.Calls.Count);
        Assert.Equal(references.Count, (await WorldSnapshot.AllAsync(Store, "conversationReferences")).Count);
        Assert.Empty(WorldChecks.Errors(Logs));
        // Neither tokens nor the bot's own credentials are written to the logs.
        Assert.DoesNotContain(valid, Logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(validEntra, Logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain("test-secret-value", Logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(StaticConnectorToken.Value, Logs.AllText(), StringComparison.Ordinal);
        output.WriteLine($"token fuzz: {iterations} tokens in {clock.Elapsed.TotalSeconds:F1} s; rejected with 401 or 403: {rejected}; " +
            $"the same signed bytes and accepted: {unchanged}; by edit: {string.Join(", ", edits.OrderBy(e => e.Key).Select(e => $"{e.Key} {e.Value}"))}");
    }

    [Fact]
    public async Task Headers_that_are_no_bearer_token_never_pass()
    {
        var valid = Issuer.Token(BotApp.AppId, Connector.ServiceUrl);
        var headers = Gen.OneOf(
            Gen.String[Gen.Char[" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"], 0, 200],
            Gen.OneOf("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bot:secret")), "Bearer", "Bearer ", "Bearer null", "Bearer undefined",
                valid, "Token " + valid, "Bearer\t" + valid[..^3], "Bearer " + valid + "." + valid, "Bearer " + new string('A', 20_000),
                "Bearer " + TestIssuer.UnsignedToken(BotApp.AppId, Connector.ServiceUrl, Issuer.TeamsKey.KeyId!),
                "Bearer " + Issuer.HmacWithPublicKeyToken(BotApp.AppId, Connector.ServiceUrl),
                "Bearer " + Issuer.TamperedToken(BotApp.AppId, Connector.ServiceUrl)));
        var iterations = WorldChecks.Iterations(500);
        await headers.SampleAsync(async header =>
        {
            var status = await PostAsync(header);
            Assert.True(status == HttpStatusCode.Unauthorized, $"HTTP {(int)status} for '{header}'");
        }, output.WriteLine, seed: WorldChecks.Seed(), iter: iterations, threads: 2, print: h => h.Length > 300 ? h[..300] + "…" : h);
        Assert.Empty(WorldChecks.Errors(Logs));
        Assert.Empty(Connector.Calls);
    }
}

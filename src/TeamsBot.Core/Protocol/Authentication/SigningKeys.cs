using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace TeamsBot.Protocol.Authentication;

/// <summary>The Bot Connector's signing keys, with the channels each key is endorsed for.</summary>
public sealed record SigningKeySet(
    string? Issuer,
    FrozenDictionary<string, JsonWebKey> KeysById,
    FrozenDictionary<string, FrozenSet<string>> EndorsementsById,
    IReadOnlyList<string> SigningAlgorithms,
    DateTimeOffset FetchedAt);

/// <summary>
/// Reads the OpenID metadata and its JWKS, keeps them, re-reads them at the configured interval, and once more when a
/// token names a key id it does not know (at most once per <see cref="BotOptions.SigningKeysMinimumForcedRefreshInterval"/>).
/// Microsoft.IdentityModel's JsonWebKey drops the non-standard <c>endorsements</c>, so the JWKS is parsed here.
/// </summary>
public sealed class SigningKeyCache(
    IHttpClientFactory httpClientFactory,
    IOptions<BotOptions> options,
    TimeProvider time,
    ILogger<SigningKeyCache> logger) : IDisposable
{
    public const string HttpClientName = "bot-openid";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SigningKeySet? _current;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;

    public void Dispose() => _gate.Dispose();

    public async Task<SigningKeySet> GetAsync(CancellationToken ct)
    {
        var current = _current;
        if (current is not null && time.GetUtcNow() - current.FetchedAt < options.Value.SigningKeysRefreshInterval)
            return current;
        return await RefreshAsync(force: false, ct);
    }

    /// <summary>Re-reads the keys because a token named an unknown key id; throttled.</summary>
    public async Task<SigningKeySet> RefreshForUnknownKeyAsync(CancellationToken ct)
    {
        if (time.GetUtcNow() - _lastForcedRefresh < options.Value.SigningKeysMinimumForcedRefreshInterval && _current is not null)
            return _current;
        return await RefreshAsync(force: true, ct);
    }

    private async Task<SigningKeySet> RefreshAsync(bool force, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            if (!force && _current is not null && now - _current.FetchedAt < options.Value.SigningKeysRefreshInterval)
                return _current;
            if (force) _lastForcedRefresh = now;
            try
            {
                _current = await FetchAsync(ct);
                logger.LogInformation("Signing keys read: {Count} keys from {MetadataUrl}", _current.KeysById.Count, options.Value.OpenIdMetadataUrl);
            }
            catch (Exception ex) when (_current is not null && ex is not OperationCanceledException)
            {
                // Keep serving the last good keys; the next interval tries again.
                logger.LogWarning(ex, "Signing keys could not be refreshed; keeping the keys read at {FetchedAt}", _current.FetchedAt);
            }
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SigningKeySet> FetchAsync(CancellationToken ct)
    {
        var metadataUrl = RequireAllowedUrl(options.Value.OpenIdMetadataUrl, "Bot:OpenIdMetadataUrl");
        var http = httpClientFactory.CreateClient(HttpClientName);

        using var metadata = JsonDocument.Parse(await http.GetStringAsync(metadataUrl, ct));
        var root = metadata.RootElement;
        var jwksUri = root.TryGetProperty("jwks_uri", out var j) ? j.GetString() : null;
        if (string.IsNullOrEmpty(jwksUri)) throw new InvalidOperationException("The OpenID metadata has no jwks_uri.");
        var issuer = root.TryGetProperty("issuer", out var i) ? i.GetString() : null;
        var algorithms = root.TryGetProperty("id_token_signing_alg_values_supported", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetString()).OfType<string>().ToArray()
            : [];

        using var jwks = JsonDocument.Parse(await http.GetStringAsync(RequireAllowedUrl(jwksUri, "jwks_uri"), ct));
        var keys = new Dictionary<string, JsonWebKey>(StringComparer.Ordinal);
        var endorsements = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal);
        foreach (var key in jwks.RootElement.GetProperty("keys").EnumerateArray())
        {
            var jwk = new JsonWebKey(key.GetRawText());
            if (string.IsNullOrEmpty(jwk.Kid)) continue;
            keys[jwk.Kid] = jwk;
            endorsements[jwk.Kid] = key.TryGetProperty("endorsements", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select(x => x.GetString()).OfType<string>().ToFrozenSet(StringComparer.Ordinal)
                : FrozenSet<string>.Empty;
        }
        return new SigningKeySet(issuer, keys.ToFrozenDictionary(), endorsements.ToFrozenDictionary(), algorithms, time.GetUtcNow());
    }

    /// <summary>Metadata is read over https; plain http only from a loopback issuer (tests, local runs).</summary>
    internal static Uri RequireAllowedUrl(string url, string what)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new InvalidOperationException($"{what} is not an absolute URL.");
        if (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)) return uri;
        throw new InvalidOperationException($"{what} must use https (http is allowed only for a loopback address).");
    }
}

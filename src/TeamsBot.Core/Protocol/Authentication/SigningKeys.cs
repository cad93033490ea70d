using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace TeamsBot.Protocol.Authentication;

/// <summary>
/// The signing keys of one metadata document, with the channels each key is endorsed for (Bot Framework's keys; Entra's
/// have none) and the issuer the document names.
/// </summary>
public sealed record SigningKeySet(
    string? Issuer,
    FrozenDictionary<string, JsonWebKey> KeysById,
    FrozenDictionary<string, FrozenSet<string>> EndorsementsById,
    IReadOnlyList<string> SigningAlgorithms,
    DateTimeOffset FetchedAt);

/// <summary>An accepted issuer with the source of its keys.</summary>
public sealed record IssuerKeys(AcceptedIssuer Issuer, SigningKeySource Keys);

/// <summary>
/// The signing keys of every accepted issuer (<see cref="TokenIssuers"/>), one <see cref="SigningKeySource"/> per
/// metadata document: Bot Framework's, and Entra's per tenant (one for all when the configured Entra metadata URL names
/// no tenant).
/// </summary>
public sealed class SigningKeyCache : IDisposable
{
    public const string HttpClientName = "bot-openid";

    private readonly FrozenDictionary<string, IssuerKeys> _issuers;
    private readonly List<SigningKeySource> _sources = [];

    public SigningKeyCache(IHttpClientFactory httpClientFactory, IOptions<BotOptions> options, TimeProvider time, ILogger<SigningKeyCache> logger)
    {
        // Bot Framework's keys and Entra's never share a source, even were both settings to name one URL.
        var byUrl = new Dictionary<(string, bool), SigningKeySource>();
        var issuers = new Dictionary<string, IssuerKeys>(StringComparer.Ordinal);
        foreach (var issuer in TokenIssuers.For(options.Value))
        {
            if (!byUrl.TryGetValue((issuer.MetadataUrl, issuer.BotFramework), out var source))
            {
                source = new SigningKeySource(issuer.MetadataUrl, issuer.MetadataSetting, issuer.BotFramework, httpClientFactory, options, time, logger);
                byUrl.Add((issuer.MetadataUrl, issuer.BotFramework), source);
                _sources.Add(source);
            }
            // The first one wins: Bot Framework's issuer, should it be configured to an Entra issuer's value.
            issuers.TryAdd(issuer.Issuer, new IssuerKeys(issuer, source));
        }
        _issuers = issuers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The issuer and its keys, or null when tokens from <paramref name="issuer"/> are not accepted.</summary>
    public IssuerKeys? Find(string? issuer) => issuer is null ? null : _issuers.GetValueOrDefault(issuer);

    /// <summary>The keys of the Bot Framework issuer (<see cref="BotOptions.TokenIssuer"/>).</summary>
    public SigningKeySource BotFramework => _sources[0];

    public void Dispose()
    {
        foreach (var source in _sources) source.Dispose();
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

/// <summary>
/// One OpenID metadata document and its JWKS: reads them, keeps them, re-reads them at the configured interval, and once
/// more when a token names a key id they lack (at most once per <see cref="BotOptions.SigningKeysMinimumForcedRefreshInterval"/>).
/// Microsoft.IdentityModel's JsonWebKey drops the non-standard <c>endorsements</c>, so the JWKS is parsed here.
/// </summary>
public sealed class SigningKeySource : IDisposable
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptions<BotOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SigningKeySet? _current;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;

    internal SigningKeySource(string metadataUrl, string setting, bool carriesEndorsements, IHttpClientFactory httpClientFactory,
        IOptions<BotOptions> options, TimeProvider time, ILogger logger)
    {
        MetadataUrl = metadataUrl;
        Setting = setting;
        CarriesEndorsements = carriesEndorsements;
        _httpClientFactory = httpClientFactory;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string MetadataUrl { get; }

    /// <summary>The setting <see cref="MetadataUrl"/> comes from.</summary>
    public string Setting { get; }

    /// <summary>Bot Framework's keys name the channels they are endorsed for; Entra's carry no endorsements.</summary>
    public bool CarriesEndorsements { get; }

    public void Dispose() => _gate.Dispose();

    /// <summary>The keys read last, unless they are older than the refresh interval.</summary>
    public ValueTask<SigningKeySet> GetAsync(CancellationToken ct)
    {
        var current = _current;
        return current is not null && _time.GetUtcNow() - current.FetchedAt < _options.Value.SigningKeysRefreshInterval
            ? ValueTask.FromResult(current)
            : new ValueTask<SigningKeySet>(RefreshAsync(force: false, ct));
    }

    /// <summary>Re-reads the keys because a token named an unknown key id; throttled.</summary>
    public async Task<SigningKeySet> RefreshForUnknownKeyAsync(CancellationToken ct)
    {
        if (_time.GetUtcNow() - _lastForcedRefresh < _options.Value.SigningKeysMinimumForcedRefreshInterval && _current is not null)
            return _current;
        return await RefreshAsync(force: true, ct);
    }

    private async Task<SigningKeySet> RefreshAsync(bool force, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = _time.GetUtcNow();
            if (!force && _current is not null && now - _current.FetchedAt < _options.Value.SigningKeysRefreshInterval)
                return _current;
            if (force) _lastForcedRefresh = now;
            try
            {
                _current = await FetchAsync(ct);
                _logger.LogInformation("Signing keys read: {Count} keys from {MetadataUrl}", _current.KeysById.Count, MetadataUrl);
            }
            catch (Exception ex) when (_current is not null && ex is not OperationCanceledException)
            {
                // Keep serving the last good keys; the next interval tries again.
                _logger.LogWarning(ex, "Signing keys could not be refreshed from {MetadataUrl}; keeping the keys read at {FetchedAt}",
                    MetadataUrl, _current.FetchedAt);
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
        var metadataUrl = SigningKeyCache.RequireAllowedUrl(MetadataUrl, Setting);
        var http = _httpClientFactory.CreateClient(SigningKeyCache.HttpClientName);

        using var metadata = JsonDocument.Parse(await http.GetStringAsync(metadataUrl, ct));
        var root = metadata.RootElement;
        var jwksUri = root.TryGetProperty("jwks_uri", out var j) ? j.GetString() : null;
        if (string.IsNullOrEmpty(jwksUri)) throw new InvalidOperationException("The OpenID metadata has no jwks_uri.");
        var issuer = root.TryGetProperty("issuer", out var i) ? i.GetString() : null;
        var algorithms = root.TryGetProperty("id_token_signing_alg_values_supported", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetString()).OfType<string>().ToArray()
            : [];

        using var jwks = JsonDocument.Parse(await http.GetStringAsync(SigningKeyCache.RequireAllowedUrl(jwksUri, "jwks_uri"), ct));
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
        return new SigningKeySet(issuer, keys.ToFrozenDictionary(), endorsements.ToFrozenDictionary(), algorithms, _time.GetUtcNow());
    }
}

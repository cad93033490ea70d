using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TeamsBot.Protocol.Authentication;

/// <summary>Why an inbound request was refused. Logged by name; the token itself never is.</summary>
public enum TokenRejection
{
    None,
    MissingAuthorizationHeader,
    NotBearerScheme,
    MalformedToken,
    MissingKeyId,
    UnknownSigningKey,
    InvalidSignature,
    DisallowedAlgorithm,
    InvalidIssuer,
    InvalidAudience,
    Expired,
    NotYetValid,
    KeyNotEndorsedForChannel,
    ServiceUrlClaimMismatch,
    SigningKeysUnavailable,
    /// <summary>An Entra-issued token whose <c>tid</c> is not its issuer's tenant.</summary>
    TenantMismatch,
    /// <summary>An Entra-issued token signed with a key Entra publishes for another issuer.</summary>
    SigningKeyIssuerMismatch,
    Invalid,
}

public sealed record TokenValidationOutcome(TokenRejection Rejection)
{
    public bool Succeeded => Rejection == TokenRejection.None;

    /// <summary>
    /// The HTTP status of a refusal: 403 when the signing key is not endorsed for the activity's channel (the Bot
    /// Connector authentication spec, "Connector to bot" step 3), 401 for every other failure.
    /// </summary>
    public int StatusCode => Rejection switch
    {
        TokenRejection.None => StatusCodes.Status200OK,
        TokenRejection.KeyNotEndorsedForChannel => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status401Unauthorized,
    };
}

/// <summary>
/// Validates the token on an inbound activity, every check of the Bot Framework spec: Bearer scheme, an accepted issuer
/// (<see cref="TokenIssuers"/>), signature by a key from that issuer's own OpenID metadata, allowed algorithm, audience =
/// app id, lifetime with 5 minutes of skew, the key endorsed for the activity's channel (Bot Framework keys; Entra's
/// carry no endorsements), and the <c>serviceurl</c> claim equal to the activity's serviceUrl. An Entra-issued token
/// also has its <c>tid</c> and its key's <c>issuer</c> agree with its issuer's tenant.
/// </summary>
/// <remarks>
/// The connector sends the same token with every activity for about an hour. A token whose signature, issuer and
/// audience were verified is remembered by its exact text, so that a repeat costs a lookup (by the header's characters,
/// without copying the token out of it) instead of parsing and an RSA verification; what can change between two
/// activities is checked every time: the signing key is still the one its issuer's metadata publishes (a key refresh
/// that drops or replaces it sends the token through the full validation again), the lifetime, the key's endorsement
/// for the activity's channel and the <c>serviceurl</c> claim.
/// </remarks>
public sealed class InboundTokenValidator(SigningKeyCache keys, IOptions<BotOptions> options, TimeProvider time,
    ILogger<InboundTokenValidator> logger)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly string[] DefaultAlgorithms = [SecurityAlgorithms.RsaSha256];
    /// <summary>Enough for every token the connector uses at once; only verified tokens get in, so it stays small.</summary>
    private const int MaxRemembered = 1024;
    /// <summary>Entra writes this in a key's <c>issuer</c> where any tenant may stand.</summary>
    private const string TenantIdTemplate = "{tenantid}";
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, VerifiedToken> _verified = new(StringComparer.Ordinal);

    /// <summary>What a verified token says, the key that signed it and where that key is published.</summary>
    private sealed record VerifiedToken(SigningKeySource Source, string KeyId, SecurityKey Key, DateTime ValidFrom, DateTime ValidTo,
        string? ServiceUrl);

    public async Task<TokenValidationOutcome> ValidateAsync(string? authorizationHeader, string? channelId, string? serviceUrl,
        CancellationToken ct)
    {
        var outcome = await ValidateCoreAsync(authorizationHeader, channelId, serviceUrl, ct);
        if (!outcome.Succeeded)
            logger.LogWarning("Inbound token rejected: {Rejection} (channel {ChannelId})", outcome.Rejection, channelId);
        return outcome;
    }

    private async ValueTask<TokenValidationOutcome> ValidateCoreAsync(string? header, string? channelId, string? serviceUrl, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(header)) return Reject(TokenRejection.MissingAuthorizationHeader);
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return Reject(TokenRejection.NotBearerScheme);

        // A remembered token is found by the header's characters: no copy of the token unless it must be validated.
        if (Remembered(header, bearer.Length, out var known))
        {
            var current = await CurrentKeysAsync(known.Source, ct);
            if (current is null) return Reject(TokenRejection.SigningKeysUnavailable);
            if (StillValid(known, current)) return CheckActivity(known, current, channelId, serviceUrl);
        }
        var raw = header[bearer.Length..].Trim();
        if (known is not null) _verified.TryRemove(raw, out _);

        JsonWebToken token;
        string? issuedBy;
        try
        {
            if (!_handler.CanReadToken(raw)) return Reject(TokenRejection.MalformedToken);
            token = new JsonWebToken(raw);
            // Null when the claim is missing or null.
            issuedBy = token.Issuer;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return Reject(TokenRejection.MalformedToken);
        }
        if (string.IsNullOrEmpty(token.Kid)) return Reject(TokenRejection.MissingKeyId);

        // The issuer picks the keys: a token is checked against its own issuer's keys only. Any other issuer (another
        // tenant's Entra included) is refused here, before anything is fetched for it.
        if (keys.Find(issuedBy) is not { } issuer) return Reject(TokenRejection.InvalidIssuer);

        var set = await CurrentKeysAsync(issuer.Keys, ct, unknownKeyId: token.Kid);
        if (set is null) return Reject(TokenRejection.SigningKeysUnavailable);
        if (!set.KeysById.TryGetValue(token.Kid, out var key)) return Reject(TokenRejection.UnknownSigningKey);

        var bot = options.Value;
        var algorithms = set.SigningAlgorithms.Count > 0 ? set.SigningAlgorithms : DefaultAlgorithms;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer.Issuer,
            ValidateIssuer = true,
            ValidAudience = bot.AppId,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
            // The bot's clock, the same the remembered tokens are checked against (a refusal is an invalid lifetime).
            LifetimeValidator = (notBefore, expires, _, _) => WithinLifetime(notBefore, expires) ? true
                : notBefore is { } start && time.GetUtcNow().UtcDateTime < start - ClockSkew
                    ? throw new SecurityTokenNotYetValidException("The token is not valid yet.")
                    : throw new SecurityTokenExpiredException("The token has expired."),
            IssuerSigningKey = key,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = algorithms,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) return Reject(Classify(result.Exception));
        if (issuer.Issuer.TenantId is { } tenant && CheckEntraTenant(token, key, tenant, set) is var mismatch and not TokenRejection.None)
            return Reject(mismatch);

        var verified = new VerifiedToken(issuer.Keys, token.Kid, key, token.ValidFrom, token.ValidTo,
            token.TryGetPayloadValue<string>("serviceurl", out var claimed) ? claimed : null);
        if (_verified.Count >= MaxRemembered) _verified.Clear();
        _verified[raw] = verified;
        return CheckActivity(verified, set, channelId, serviceUrl);
    }

    private bool Remembered(string header, int start, [NotNullWhen(true)] out VerifiedToken? token) =>
        _verified.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(header.AsSpan(start).Trim(), out token);

    /// <summary>
    /// An Entra-issued token's tenant, as its <c>tid</c> and its signing key's <c>issuer</c> name it, is its issuer's
    /// (what <c>IsTenantIdIssuerValid</c> and <c>EnableAadSigningKeyIssuerValidation</c> check in Microsoft's SDKs).
    /// </summary>
    private static TokenRejection CheckEntraTenant(JsonWebToken token, JsonWebKey key, string tenant, SigningKeySet set)
    {
        if (token.TryGetPayloadValue<string>("tid", out var tid) && !string.Equals(tid, tenant, StringComparison.OrdinalIgnoreCase))
            return TokenRejection.TenantMismatch;
        if (key.AdditionalData.TryGetValue("issuer", out var value) && value is string { Length: > 0 } keyIssuer)
        {
            var effective = keyIssuer.Replace(TenantIdTemplate, tenant, StringComparison.OrdinalIgnoreCase);
            // A v1 (sts.windows.net) token is compared in its v2 form, the one the metadata names.
            var v2 = set.Issuer?.Replace(TenantIdTemplate, tenant, StringComparison.OrdinalIgnoreCase);
            if (!string.Equals(effective, token.Issuer, StringComparison.Ordinal) && !string.Equals(effective, v2, StringComparison.Ordinal))
                return TokenRejection.SigningKeyIssuerMismatch;
        }
        return TokenRejection.None;
    }

    /// <summary>The published keys, refreshed once when a token names a key id they lack; null when unreadable.</summary>
    private async ValueTask<SigningKeySet?> CurrentKeysAsync(SigningKeySource source, CancellationToken ct, string? unknownKeyId = null)
    {
        try
        {
            var set = await source.GetAsync(ct);
            if (unknownKeyId is not null && !set.KeysById.ContainsKey(unknownKeyId)) set = await source.RefreshForUnknownKeyAsync(ct);
            return set;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Signing keys could not be read from {MetadataUrl}", source.MetadataUrl);
            return null;
        }
    }

    /// <summary>A remembered token still stands: its key is the one published now and it is within its lifetime.</summary>
    private bool StillValid(VerifiedToken token, SigningKeySet set)
    {
        // The handler's clock, so that a remembered token expires exactly when a fresh validation would refuse it.
        return set.KeysById.TryGetValue(token.KeyId, out var key) && ReferenceEquals(key, token.Key)
            && WithinLifetime(token.ValidFrom == DateTime.MinValue ? null : token.ValidFrom, token.ValidTo);
    }

    /// <summary>Now, on the bot's clock, is within the token's lifetime (five minutes of skew either side).</summary>
    private bool WithinLifetime(DateTime? notBefore, DateTime? expires)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } end && now <= end + ClockSkew && (notBefore is not { } start || now >= start - ClockSkew);
    }

    /// <summary>The checks that tie a valid token to this activity.</summary>
    private static TokenValidationOutcome CheckActivity(VerifiedToken token, SigningKeySet set, string? channelId, string? serviceUrl)
    {
        // Endorsements: a Bot Framework key must be vouched for the channel the activity claims to come from.
        if (token.Source.CarriesEndorsements
            && (channelId is null || !set.EndorsementsById.TryGetValue(token.KeyId, out var endorsed) || !endorsed.Contains(channelId)))
            return Reject(TokenRejection.KeyNotEndorsedForChannel);

        // The token binds the service URL: replies must go where the connector said, not where the body says.
        if (token.ServiceUrl is null || serviceUrl is null || !string.Equals(token.ServiceUrl, serviceUrl, StringComparison.OrdinalIgnoreCase))
            return Reject(TokenRejection.ServiceUrlClaimMismatch);

        return Accepted;
    }

    private static TokenRejection Classify(Exception? ex) => ex switch
    {
        SecurityTokenExpiredException => TokenRejection.Expired,
        SecurityTokenNotYetValidException => TokenRejection.NotYetValid,
        SecurityTokenInvalidIssuerException => TokenRejection.InvalidIssuer,
        SecurityTokenInvalidAudienceException => TokenRejection.InvalidAudience,
        SecurityTokenInvalidAlgorithmException => TokenRejection.DisallowedAlgorithm,
        SecurityTokenSignatureKeyNotFoundException => TokenRejection.InvalidSignature,
        SecurityTokenInvalidSignatureException => TokenRejection.InvalidSignature,
        SecurityTokenNoExpirationException => TokenRejection.Expired,
        SecurityTokenInvalidLifetimeException => TokenRejection.Expired,
        SecurityTokenMalformedException or ArgumentException => TokenRejection.MalformedToken,
        _ => TokenRejection.Invalid,
    };

    private static readonly TokenValidationOutcome Accepted = new(TokenRejection.None);

    private static TokenValidationOutcome Reject(TokenRejection why) => new(why);
}

using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    Invalid,
}

public sealed record TokenValidationOutcome(TokenRejection Rejection, ClaimsIdentity? Identity)
{
    public bool Succeeded => Rejection == TokenRejection.None;
}

/// <summary>
/// Validates the Bot Connector's token on an inbound activity, every check of the Bot Framework spec: Bearer scheme,
/// signature by a key from the OpenID metadata's JWKS, allowed algorithm, issuer, audience = app id, lifetime with
/// 5 minutes of skew, the key endorsed for the activity's channel, and the <c>serviceurl</c> claim equal to the
/// activity's serviceUrl.
/// </summary>
public sealed class InboundTokenValidator(SigningKeyCache keys, IOptions<BotOptions> options, ILogger<InboundTokenValidator> logger)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly string[] DefaultAlgorithms = [SecurityAlgorithms.RsaSha256];
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<TokenValidationOutcome> ValidateAsync(string? authorizationHeader, string? channelId, string? serviceUrl,
        CancellationToken ct)
    {
        var outcome = await ValidateCoreAsync(authorizationHeader, channelId, serviceUrl, ct);
        if (!outcome.Succeeded)
            logger.LogWarning("Inbound token rejected: {Rejection} (channel {ChannelId})", outcome.Rejection, channelId);
        return outcome;
    }

    private async Task<TokenValidationOutcome> ValidateCoreAsync(string? header, string? channelId, string? serviceUrl, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(header)) return Reject(TokenRejection.MissingAuthorizationHeader);
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return Reject(TokenRejection.NotBearerScheme);
        var raw = header[bearer.Length..].Trim();

        JsonWebToken token;
        try
        {
            if (!_handler.CanReadToken(raw)) return Reject(TokenRejection.MalformedToken);
            token = new JsonWebToken(raw);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            return Reject(TokenRejection.MalformedToken);
        }
        if (string.IsNullOrEmpty(token.Kid)) return Reject(TokenRejection.MissingKeyId);

        SigningKeySet set;
        try
        {
            set = await keys.GetAsync(ct);
            if (!set.KeysById.ContainsKey(token.Kid)) set = await keys.RefreshForUnknownKeyAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Signing keys could not be read from {MetadataUrl}", options.Value.OpenIdMetadataUrl);
            return Reject(TokenRejection.SigningKeysUnavailable);
        }
        if (!set.KeysById.TryGetValue(token.Kid, out var key)) return Reject(TokenRejection.UnknownSigningKey);

        var bot = options.Value;
        var algorithms = set.SigningAlgorithms.Count > 0 ? set.SigningAlgorithms : DefaultAlgorithms;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = bot.TokenIssuer,
            ValidateIssuer = true,
            ValidAudience = bot.AppId,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
            IssuerSigningKey = key,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = algorithms,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) return Reject(Classify(result.Exception));

        // Endorsements: the key must be vouched for the channel the activity claims to come from.
        if (channelId is null || !set.EndorsementsById.TryGetValue(token.Kid, out var endorsed) || !endorsed.Contains(channelId))
            return Reject(TokenRejection.KeyNotEndorsedForChannel);

        // The token binds the service URL: replies must go where the connector said, not where the body says.
        var claimed = token.TryGetPayloadValue<string>("serviceurl", out var s) ? s : null;
        if (claimed is null || serviceUrl is null || !string.Equals(claimed, serviceUrl, StringComparison.OrdinalIgnoreCase))
            return Reject(TokenRejection.ServiceUrlClaimMismatch);

        return new TokenValidationOutcome(TokenRejection.None, result.ClaimsIdentity);
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

    private static TokenValidationOutcome Reject(TokenRejection why) => new(why, null);
}

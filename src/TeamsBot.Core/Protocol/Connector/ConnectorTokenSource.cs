using TeamsBot.Identity;
using Azure.Core;

namespace TeamsBot.Protocol.Connector;

/// <summary>Tokens for calls to the Bot Connector.</summary>
public interface IConnectorTokenSource
{
    /// <summary>A bearer token, or null when the bot runs in local mode (no app id).</summary>
    ValueTask<string?> GetTokenAsync(CancellationToken ct);
}

/// <summary>
/// One cached token, refreshed five minutes before it expires; concurrent callers share one refresh.
/// </summary>
public sealed class ConnectorTokenSource(IOptions<BotOptions> options, TimeProvider time) : IConnectorTokenSource, IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly Lazy<TokenCredential?> _credential = new(() => BotCredential.Create(options.Value));
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken _token;

    public void Dispose() => _gate.Dispose();

    public async ValueTask<string?> GetTokenAsync(CancellationToken ct)
    {
        var credential = _credential.Value;
        if (credential is null) return null;
        if (IsFresh(_token)) return _token.Token;
        await _gate.WaitAsync(ct);
        try
        {
            if (!IsFresh(_token))
                _token = await credential.GetTokenAsync(new TokenRequestContext([options.Value.ConnectorScope]), ct);
            return _token.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh(AccessToken token) =>
        token.Token is not null && token.ExpiresOn - time.GetUtcNow() > RefreshMargin;
}

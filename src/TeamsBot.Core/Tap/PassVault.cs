using System.Collections.Concurrent;

namespace TeamsBot.Tap;

/// <summary>
/// Holds a just-created pass in this process's memory until its requester reveals it (once) or the pickup window
/// closes. Never written anywhere: after a restart, or on another instance, the pass is gone and the bot issues a new
/// one at the next reveal (the old one is revoked first).
/// </summary>
public sealed class PassVault(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string Pass, DateTimeOffset Until)> _passes = new();

    public void Hold(string requestId, string pass, TimeSpan window) => _passes[requestId] = (pass, time.GetUtcNow() + window);

    /// <summary>Takes the pass out (a pass is revealed once).</summary>
    public string? Take(string requestId)
    {
        Sweep();
        return _passes.TryRemove(requestId, out var held) && held.Until > time.GetUtcNow() ? held.Pass : null;
    }

    public bool Holds(string requestId) => _passes.TryGetValue(requestId, out var held) && held.Until > time.GetUtcNow();

    public void Forget(string requestId) => _passes.TryRemove(requestId, out _);

    /// <summary>Forgets the pass held for a request only if it is <paramref name="pass"/> (not one a later attempt made).</summary>
    public void Forget(string requestId, string pass)
    {
        if (_passes.TryGetValue(requestId, out var held) && held.Pass == pass) _passes.TryRemove(KeyValuePair.Create(requestId, held));
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (id, held) in _passes)
            if (held.Until <= now) _passes.TryRemove(id, out _);
    }
}

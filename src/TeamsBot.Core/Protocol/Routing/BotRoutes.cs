using System.Text.RegularExpressions;

namespace TeamsBot.Protocol.Routing;

public delegate Task CommandHandler(TurnContext turn, Match match, CancellationToken ct);

public delegate Task<AdaptiveCardInvokeResponse> VerbHandler(TurnContext turn, CardAction action, CancellationToken ct);

public delegate Task EventHandler(TurnContext turn, CancellationToken ct);

/// <summary>
/// The bot's routing table: text commands (first match wins, in registration order), card verbs, and the
/// install event. Features add themselves at start-up.
/// </summary>
public sealed class BotRoutes
{
    private readonly List<(Regex Pattern, CommandHandler Handler)> _commands = [];
    private readonly Dictionary<string, VerbHandler> _verbs = new(StringComparer.Ordinal);
    private readonly List<EventHandler> _installed = [];

    public BotRoutes OnCommand(Regex pattern, CommandHandler handler)
    {
        _commands.Add((pattern, handler));
        return this;
    }

    /// <summary>
    /// A command pattern. Matched without backtracking, so the time a match takes grows only with the text (bounded by
    /// <see cref="MaxCommandLength"/>): no timeout is needed, and none can turn a plain command into an error on a busy host.
    /// </summary>
    public BotRoutes OnCommand(string pattern, CommandHandler handler) =>
        OnCommand(new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout), handler);

    /// <summary>The longest text taken for a command; anything longer is not one.</summary>
    public const int MaxCommandLength = 1000;

    public BotRoutes OnVerb(string verb, VerbHandler handler)
    {
        if (!_verbs.TryAdd(verb, handler)) throw new InvalidOperationException($"The verb '{verb}' has two handlers.");
        return this;
    }

    /// <summary>The bot was installed for a user or added to a conversation.</summary>
    public BotRoutes OnInstalled(EventHandler handler)
    {
        _installed.Add(handler);
        return this;
    }

    public IReadOnlyCollection<string> Verbs => _verbs.Keys;

    internal IReadOnlyList<EventHandler> InstalledHandlers => _installed;

    internal (CommandHandler Handler, Match Match)? MatchCommand(string text)
    {
        if (text.Length > MaxCommandLength) return null;
        foreach (var (pattern, handler) in _commands)
        {
            Match match;
            try
            {
                match = pattern.Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                // Only a pattern registered with its own timeout can get here: not understood, never an internal error.
                continue;
            }
            if (match.Success) return (handler, match);
        }
        return null;
    }

    internal VerbHandler? MatchVerb(string verb) => _verbs.GetValueOrDefault(verb);
}

/// <summary>A feature of the bot: registers its routes.</summary>
public interface IBotFeature
{
    void Map(BotRoutes routes);
}

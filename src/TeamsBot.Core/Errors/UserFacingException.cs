namespace TeamsBot.Errors;

/// <summary>
/// A failure whose <see cref="Exception.Message"/> is written for the person who asked (what went wrong, what to do),
/// safe to show in Teams. The protocol layer shows it with a reference; anything else is "something went wrong".
/// </summary>
public abstract class UserFacingException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What to log about it (codes and ids, never secrets).</summary>
    public abstract string LogText { get; }
}

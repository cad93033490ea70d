namespace TeamsBot.Tests.Infrastructure;

/// <summary>
/// How long a test waits for an event it means (a card, a record state, a process line) before it gives up. A safety
/// net against hangs, not a pace: every wait returns as soon as its event happens, so a busy machine only makes tests
/// slower, never red.
/// </summary>
public static class Waits
{
    public const int SafetyNetMs = 120_000;

    public static readonly TimeSpan SafetyNet = TimeSpan.FromMilliseconds(SafetyNetMs);
}

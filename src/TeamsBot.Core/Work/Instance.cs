namespace TeamsBot.Work;

/// <summary>This running instance of the bot, as lease owners know it.</summary>
public sealed class Instance
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
}

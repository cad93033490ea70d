namespace TeamsBot.Directory;

public enum GraphMode
{
    /// <summary>Microsoft Graph with the bot's app credentials (Bot:ClientCredential).</summary>
    Live,

    /// <summary>The simulated tenant on loopback, with a fixed development token.</summary>
    Simulated,
}

/// <summary>Section "Graph".</summary>
public sealed class GraphOptions
{
    public const string SectionName = "Graph";

    public GraphMode Mode { get; set; } = GraphMode.Live;

    /// <summary>
    /// The Graph service root. Live: optional (https://graph.microsoft.com/v1.0). Simulated: required, set by the host
    /// once the simulated tenant runs; it is read when the first Graph call is made, not at registration.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>The seed file the host loads the simulated tenant from (Simulated mode only).</summary>
    public string? SimulatedSeedPath { get; set; }
}

namespace TeamsBot.DevTenant;

public sealed class SimulatedTenantOptions
{
    /// <summary>The loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The seed file; null uses Seed/contoso.json beside the binaries (or the embedded copy).</summary>
    public string? SeedPath { get; set; }

    /// <summary>The clock for pass validity, created/modified stamps and relative seed dates.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Seeds the random choices of rate-based faults, for repeatable tests.</summary>
    public int? FaultSeed { get; set; }

    /// <summary>Simulates Conditional Access's 1 request/second tenant limit (429 without Retry-After). Off by default.</summary>
    public bool ThrottleConditionalAccess { get; set; }
}

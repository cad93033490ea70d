namespace TeamsBot.DevTenant;

public sealed class SimulatedTenantOptions
{
    /// <summary>The app id the tests' bot registration uses; the default for <see cref="BotAppId"/>.</summary>
    public const string DefaultBotAppId = "5d0c2a4e-1111-4222-8333-944455566677";

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

    /// <summary>
    /// The tenant does not keep a Conditional Access policy's <c>description</c> (Graph v1.0 documents the property as
    /// "Not used"): POST and PATCH accept it, GET answers null. Off by default (the description is kept). Also settable at
    /// run time through <see cref="Tenant.TenantState.DropConditionalAccessDescription"/> and POST /_dev/settings.
    /// </summary>
    public bool DropConditionalAccessDescription { get; set; }

    /// <summary>
    /// The app id of the application that calls Graph (the bot). Directory audit entries for changes made through Graph
    /// name it as the initiator; it is also the Teams app's bot id when the seed names none.
    /// </summary>
    public string BotAppId { get; set; } = DefaultBotAppId;

    /// <summary>The display name audit entries give the calling app.</summary>
    public string BotDisplayName { get; set; } = "TeamsBot";

    /// <summary>The object id of the calling app's service principal, for audit entries.</summary>
    public string BotServicePrincipalId { get; set; } = "5d0c2a4e-0000-4000-8000-5e7b1c2d3e4f";
}

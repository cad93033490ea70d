namespace TeamsBot.Policies;

/// <summary>Section <c>Policies</c>: who manages the registration policies and the promotion gates.</summary>
public sealed class PolicyOptions
{
    public const string Section = "Policies";

    /// <summary>Members (transitively) may plan, approve, promote and roll back.</summary>
    public string? AdminsGroupId { get; set; }

    /// <summary>A Teams channel (19:...) that receives plans and drift alerts too.</summary>
    public string? AdminsChannelId { get; set; }

    /// <summary>The least time a policy spends in report-only before it may be promoted without an override.</summary>
    public TimeSpan MinimumReportOnlyTime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often deployed policies are compared with their templates.</summary>
    public TimeSpan DriftWatchInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A guest account the status card's What-If matrix evaluates (the "guest" row).</summary>
    public string? WhatIfGuestUserId { get; set; }

    /// <summary>A pending plan expires after this long.</summary>
    public TimeSpan PlanExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the policy jobs run (plan expiry, recovery); their lease lasts three intervals.</summary>
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long applying a plan may take before the jobs treat it as interrupted (a crash) and apply it again.</summary>
    public TimeSpan StuckApplyAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest two admins may accept a change made outside the bot before it is alerted again.</summary>
    public TimeSpan MaxDriftAcceptance { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Section <c>Policies:A</c>: policy A's grant.</summary>
    public PolicyAOptions A { get; set; } = new();

    /// <summary>Policy A's grant as configured (the settings are checked at start, so this parses).</summary>
    public GrantControls GrantA => GrantControls.Parse(A.GrantControls, A.GrantOperator).Grant ?? GrantControls.Default;
}

/// <summary>Section <c>Policies:A</c>.</summary>
public sealed class PolicyAOptions
{
    /// <summary>
    /// <c>mfa</c>, <c>compliantDevice</c>, <c>domainJoinedDevice</c> and <c>authenticationStrength:&lt;policy id&gt;</c>
    /// (none: <c>mfa</c>). Null by default: the configuration binder adds to a list it finds, so a default list would
    /// stay in front of the configured one.
    /// </summary>
    public List<string>? GrantControls { get; set; }

    /// <summary><c>OR</c> (one of the controls, the default) or <c>AND</c> (all of them).</summary>
    public string? GrantOperator { get; set; }
}

namespace TeamsBot.Tap;

/// <summary>Section <c>Tap</c>: who may ask for and approve Temporary Access Passes, and the limits.</summary>
public sealed class TapOptions
{
    public const string Section = "Tap";

    /// <summary>Members (transitively) approve TAP requests.</summary>
    public string? ApproversGroupId { get; set; }

    /// <summary>Approves requests for directory-role holders; when empty such requests are refused.</summary>
    public string? PrivilegedApproversGroupId { get; set; }

    /// <summary>Members may request a pass for anyone, not only their own reports (e.g. HR onboarding).</summary>
    public string? RequestersGroupId { get; set; }

    /// <summary>A Teams channel (19:...) that also receives approval cards.</summary>
    public string? ApprovalsChannelId { get; set; }

    /// <summary>A pending request expires after this long.</summary>
    public TimeSpan RequestExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Requests one requester may file in an hour.</summary>
    public int MaxRequestsPerHour { get; set; } = 10;

    /// <summary>How long a revealed pass stays visible in the manager's card.</summary>
    public TimeSpan RevealWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an issued pass waits in memory for its requester to reveal it.</summary>
    public TimeSpan PickupWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the TAP jobs run (expiry, recovery). The instance running them holds a lease of three intervals,
    /// so after a crash another instance (or the restarted one) takes over within that time.</summary>
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long pass creation may take before the jobs treat it as interrupted (a crash) and start it again.</summary>
    public TimeSpan StuckIssuanceAfter { get; set; } = DefaultStuckIssuanceAfter;

    /// <summary>How often issued passes are watched: has the hire registered a method of their own (then the pass is
    /// deleted), is an unused pass about to expire, has it expired unused. On one instance, under a lease.</summary>
    public TimeSpan RegistrationWatchInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long before an unused pass expires its requester is reminded; never more than a quarter of the
    /// pass's lifetime, so that a short pass is not "about to expire" as soon as it starts.</summary>
    public TimeSpan ExpiryReminderLead { get; set; } = TimeSpan.FromHours(1);

    public static readonly TimeSpan DefaultStuckIssuanceAfter = TimeSpan.FromMinutes(2);
}

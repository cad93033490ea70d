using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Configuration;
using TeamsBot.Help;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>The roles the TAP settings grant.</summary>
public static class TapRoles
{
    public const string Approver = "tap.approver";
    public const string PrivilegedApprover = "tap.privileged-approver";
    public const string Requester = "tap.requester";
}

public static class TapSetup
{
    /// <summary>TAP requests: settings, the approval kind, the use cases, the feature, its cards, the pass vault, the jobs and the custody watch.</summary>
    public static IServiceCollection AddTapRequests(this IServiceCollection services, IConfiguration configuration)
    {
        return services
            .AddSettings<TapOptions, TapOptionsValidator>(configuration, TapOptions.Section)
            .AddSingleton<IRoleGroups, TapRoleGroups>()
            .AddSingleton<TapCards>()
            .AddSingleton<PassVault>()
            .AddApprovalKind<TapRequestKind>(configuration)
            .AddSingleton<TapBatchCards>()
            .AddApprovalKind<TapBatchKind>(configuration)
            .AddSingleton<TapRequests>()
            .AddSingleton<TapBatches>()
            .AddSingleton<TapCustody>()
            .AddBotFeature<TapFeature>()
            .AddLeasedJob<TapJobs>()
            .AddLeasedJob<TapCustodyJob>();
    }

    private sealed class TapRoleGroups(IOptions<TapOptions> options) : IRoleGroups
    {
        public IEnumerable<RoleGroup> Groups =>
        [
            new(TapRoles.Approver, options.Value.ApproversGroupId),
            new(TapRoles.PrivilegedApprover, options.Value.PrivilegedApproversGroupId),
            new(TapRoles.Requester, options.Value.RequestersGroupId),
        ];
    }
}

/// <summary>Refuses settings the TAP flows can't work with, naming the key.</summary>
public sealed class TapOptionsValidator : IValidateOptions<TapOptions>
{
    public ValidateOptionsResult Validate(string? name, TapOptions options)
    {
        List<string> problems =
        [
            .. SettingsSetup.NotPositive(
                ("Tap:JobInterval", options.JobInterval, "00:01:00"),
                ("Tap:RequestExpiry", options.RequestExpiry, "1.00:00:00"),
                ("Tap:StuckIssuanceAfter", options.StuckIssuanceAfter, "00:02:00"),
                ("Tap:RevealWindow", options.RevealWindow, "00:05:00"),
                ("Tap:PickupWindow", options.PickupWindow, "01:00:00"),
                ("Tap:RegistrationWatchInterval", options.RegistrationWatchInterval, "00:05:00"),
                ("Tap:ExpiryReminderLead", options.ExpiryReminderLead, "01:00:00")),
        ];
        if (options.MaxRequestsPerHour < 1) problems.Add("Tap:MaxRequestsPerHour must be at least 1.");
        return SettingsSetup.Result(problems);
    }
}

using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Configuration;
using TeamsBot.Help;
using TeamsBot.Work;

namespace TeamsBot.Policies;

/// <summary>The role the policy settings grant.</summary>
public static class PolicyRoles
{
    public const string Admin = "policy.admin";
}

public static class PolicySetup
{
    /// <summary>The registration policies: settings, templates, inspection, plans as an approval kind, the feature and its jobs.</summary>
    public static IServiceCollection AddRegistrationPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        return services
            .AddSettings<PolicyOptions, PolicyOptionsValidator>(configuration, PolicyOptions.Section)
            .AddSingleton<IRoleGroups, PolicyRoleGroups>()
            .AddSingleton<RegistrationPolicies>()
            .AddSingleton<PolicyDeployments>()
            .AddSingleton<PolicyHistory>()
            .AddSingleton<PolicyInspector>()
            .AddSingleton<PolicyPlanner>()
            .AddSingleton<PolicyCards>()
            .AddApprovalKind<PolicyPlanKind>(configuration)
            .AddSingleton<PolicyAdministration>()
            .AddBotFeature<PolicyFeature>()
            .AddLeasedJob<PolicyJobs>();
    }

    private sealed class PolicyRoleGroups(IOptions<PolicyOptions> options) : IRoleGroups
    {
        public IEnumerable<RoleGroup> Groups => [new(PolicyRoles.Admin, options.Value.AdminsGroupId)];
    }
}

/// <summary>Refuses settings the policy flows can't work with, naming the key.</summary>
public sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        List<string> problems =
        [
            .. SettingsSetup.NotPositive(
                ("Policies:JobInterval", options.JobInterval, "00:01:00"),
                ("Policies:DriftWatchInterval", options.DriftWatchInterval, "00:15:00"),
                ("Policies:PlanExpiry", options.PlanExpiry, "1.00:00:00"),
                ("Policies:StuckApplyAfter", options.StuckApplyAfter, "00:02:00"),
                ("Policies:MaxDriftAcceptance", options.MaxDriftAcceptance, "90.00:00:00")),
        ];
        if (options.MinimumReportOnlyTime < TimeSpan.Zero) problems.Add("Policies:MinimumReportOnlyTime can't be negative.");
        problems.AddRange(GrantControls.Parse(options.A.GrantControls, options.A.GrantOperator).Problems);
        return SettingsSetup.Result(problems);
    }
}

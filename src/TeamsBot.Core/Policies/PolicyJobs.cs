using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Policies;

/// <summary>
/// On one instance: every <see cref="PolicyOptions.JobInterval"/>, expire plans and recover what a crash interrupted
/// (the approval workflow's jobs, for plans); at the configured interval, watch the deployed policies for drift.
/// </summary>
public sealed class PolicyJobs(ApprovalWorkflow workflow, PolicyPlanKind kind, PolicyAdministration admin, ILeases leases, Instance instance,
    IOptions<PolicyOptions> options, TimeProvider time, ILogger<PolicyJobs> logger) : LeasedJob(leases, instance, time, logger)
{
    private DateTimeOffset _nextDriftWatch = DateTimeOffset.MinValue;

    protected override string LeaseName => "policy-jobs";

    protected override TimeSpan Interval => options.Value.JobInterval;

    /// <summary>Runs a round now; with <paramref name="forceDriftWatch"/> the drift watch runs whatever its interval says.</summary>
    public Task RunOnceAsync(bool forceDriftWatch, CancellationToken ct)
    {
        if (forceDriftWatch) _nextDriftWatch = DateTimeOffset.MinValue;
        return RunOnceAsync(ct);
    }

    protected override async Task WorkAsync(CancellationToken ct)
    {
        await workflow.ExpireAsync(kind, ct);
        await workflow.RecoverAsync(kind, ct);
        if (Time.GetUtcNow() < _nextDriftWatch) return;
        _nextDriftWatch = Time.GetUtcNow() + options.Value.DriftWatchInterval;
        var alerts = await admin.WatchDriftAsync(ct);
        if (alerts > 0) Logger.LogInformation("Drift watch: {Count} policy(ies) changed outside the bot", alerts);
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Policies;

/// <summary>
/// On one instance: every <see cref="PolicyOptions.JobInterval"/>, expire plans and finish the applies and plan cards a
/// crash interrupted; at the configured interval, watch the deployed policies for drift.
/// </summary>
public sealed class PolicyJobs(PolicyService service, ILeases leases, Instance instance, IOptions<PolicyOptions> options, TimeProvider time,
    ILogger<PolicyJobs> logger) : LeasedJob(leases, instance, time, logger)
{
    private DateTimeOffset _nextDriftWatch = DateTimeOffset.MinValue;

    protected override string LeaseName => "policy-jobs";

    protected override TimeSpan Interval => options.Value.JobInterval > TimeSpan.Zero
        ? options.Value.JobInterval
        : throw new InvalidOperationException("Policies:JobInterval must be a positive time span (for example 00:01:00).");

    /// <summary>Runs a round now; with <paramref name="forceDriftWatch"/> the drift watch runs whatever its interval says.</summary>
    public Task RunOnceAsync(bool forceDriftWatch, CancellationToken ct)
    {
        if (forceDriftWatch) _nextDriftWatch = DateTimeOffset.MinValue;
        return RunOnceAsync(ct);
    }

    protected override async Task WorkAsync(CancellationToken ct)
    {
        await service.ExpireAsync(ct);
        if (Time.GetUtcNow() < _nextDriftWatch) return;
        _nextDriftWatch = Time.GetUtcNow() + options.Value.DriftWatchInterval;
        var alerts = await service.WatchDriftAsync(ct);
        if (alerts > 0) Logger.LogInformation("Drift watch: {Count} policy(ies) changed outside the bot", alerts);
    }
}

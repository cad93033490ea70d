using Microsoft.Extensions.Hosting;
using TeamsBot.Storage;

namespace TeamsBot.Work;

/// <summary>
/// A background job that runs every <see cref="Interval"/> on one instance at a time: the instance holding the lease
/// in the shared store. An instance that dies stops renewing, and another takes over when the lease expires; a clean
/// stop gives it up at once. Rounds never overlap within an instance. The first round runs at start, so that a
/// restart recovers at once.
/// </summary>
public abstract class LeasedJob(ILeases leases, Instance instance, TimeProvider time, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _running = new(1, 1);

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected abstract string LeaseName { get; }

    protected virtual TimeSpan Interval => TimeSpan.FromMinutes(1);

    /// <summary>One round of the job's work, run under the lease.</summary>
    protected abstract Task WorkAsync(CancellationToken ct);

    /// <summary>Runs one round now (if this instance holds or can take the lease).</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            if (!await leases.TryAcquireAsync(LeaseName, instance.Id, Interval * 3, ct)) return;
            await WorkAsync(ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Job {Job} failed; it runs again in {Interval}", LeaseName, Interval);
        }
        finally
        {
            _running.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await RunOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAsync(LeaseName, instance.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not release the {Job} lease; it expires by itself", LeaseName);
        }
    }

    public override void Dispose()
    {
        _running.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace TeamsBot.Work;

/// <summary>
/// Work that must not hold up an answer to Teams (card fan-out, Graph calls after a click): queued here and run by a
/// few background workers. What must survive a crash lives in the records, and the jobs' reconciliation finishes it.
/// </summary>
public sealed class BackgroundWork(ILogger<BackgroundWork> logger) : BackgroundService
{
    private readonly Channel<(string Name, Func<CancellationToken, Task> Work)> _queue =
        Channel.CreateBounded<(string, Func<CancellationToken, Task>)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private readonly object _gate = new();
    private TaskCompletionSource _idle = Completed();
    private int _pending;

    /// <summary>Turns being handled, and items queued or running; scheduled items count once they are due.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Enqueue(string name, Func<CancellationToken, Task> work)
    {
        Begin();
        if (!_queue.Writer.TryWrite((name, work)))
        {
            End();
            logger.LogError("Background queue full; dropped {Work}", name);
        }
    }

    /// <summary>
    /// Counts a turn as work in progress until the result is disposed: a turn goes on after Teams has its
    /// acknowledgement, and what it queues starts before it ends, so "nothing pending" means all of it is done.
    /// </summary>
    public IDisposable Track()
    {
        Begin();
        return new Tracked(this);
    }

    private void Begin()
    {
        lock (_gate)
        {
            if (_pending++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void End()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_pending == 0) idle = _idle;
        }
        idle?.TrySetResult();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private sealed class Tracked(BackgroundWork owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.End();
        }
    }

    /// <summary>Runs <paramref name="work"/> after <paramref name="delay"/> (it counts as pending once it is due).</summary>
    public void Schedule(string name, TimeSpan delay, TimeProvider time, Func<CancellationToken, Task> work) =>
        _ = Task.Delay(delay, time).ContinueWith(_ => Enqueue(name, work), TaskScheduler.Default);

    /// <summary>
    /// Waits until no turn is being handled and nothing is queued or running; <paramref name="timeout"/> is a safety
    /// net, not a pace: it throws rather than report a quiet that never came.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_gate) idle = _idle.Task;
        try
        {
            await idle.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Background work still running after {timeout}: {Pending} item(s).");
        }
        // Work that ended and started other work in one breath: wait for that too.
        if (Pending > 0) await DrainAsync(timeout);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WorkerAsync(stoppingToken)));

    private async Task WorkerAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (name, work) in _queue.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await work(ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    logger.LogError(ex, "Background work {Work} failed", name);
                }
                finally
                {
                    End();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}

using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// Moves a world's fake clock on while real time passes, so that waits on that clock (the connector's retry delays and
/// timeouts) elapse as they would in production, where time does not stand still while a test waits.
/// </summary>
public sealed class ClockPump : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    /// <param name="step">Fake time added every 10 ms of real time.</param>
    public ClockPump(BotWorld world, TimeSpan? step = null)
    {
        var by = step ?? TimeSpan.FromMilliseconds(200);
        _run = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                world.Clock.Advance(by);
                await Task.Delay(10);
            }
        });
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        _run.Wait();
        _stop.Dispose();
    }
}

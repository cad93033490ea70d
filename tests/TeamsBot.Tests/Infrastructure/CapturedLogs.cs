using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>Everything the bot logs during a test, so tests can check what was (and was not) written.</summary>
public sealed class CapturedLogs
{
    public FakeLogCollector Collector { get; } = new();

    public void Use(IServiceCollection services) =>
        services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(Collector));

    /// <summary>All formatted messages and exception texts.</summary>
    public string AllText() => string.Join("\n", Collector.GetSnapshot().Select(r => r.Message + " " + r.Exception));
}

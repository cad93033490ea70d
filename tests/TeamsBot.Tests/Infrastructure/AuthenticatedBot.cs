using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>
/// The bot with inbound authentication on, against a loopback issuer, replying to a fake connector with a static
/// outbound token, its logs captured: what the token tests stand on.
/// </summary>
public sealed class AuthenticatedBot : IAsyncDisposable
{
    private readonly TempDir _temp = new();

    private AuthenticatedBot(TestIssuer issuer, FakeConnector connector)
    {
        Issuer = issuer;
        Connector = connector;
        Bot = new BotApp(BotApp.Authenticated(issuer, _temp.File("bot.db")), services: s =>
        {
            StaticConnectorToken.Use(s);
            Logs.Use(s);
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
        });
    }

    /// <summary>The bot's clock (tokens are minted on the real one; a test moves this one past their lifetime).</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public TestIssuer Issuer { get; }
    public FakeConnector Connector { get; }
    public BotApp Bot { get; }
    public CapturedLogs Logs { get; } = new();

    public static async Task<AuthenticatedBot> StartAsync() => new(await TestIssuer.StartAsync(), await FakeConnector.StartAsync());

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Connector.DisposeAsync();
        await Issuer.DisposeAsync();
        _temp.Dispose();
    }
}

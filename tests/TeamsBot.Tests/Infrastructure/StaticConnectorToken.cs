using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TeamsBot.Protocol.Connector;

namespace TeamsBot.Tests.Infrastructure;

/// <summary>
/// Entra cannot be reached from the tests, so outbound connector tokens come from here: a fixed value the fake
/// connector can check for.
/// </summary>
public sealed class StaticConnectorToken : IConnectorTokenSource
{
    public const string Value = "connector-test-token";

    public ValueTask<string?> GetTokenAsync(CancellationToken ct) => ValueTask.FromResult<string?>(Value);

    public static void Use(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IConnectorTokenSource, StaticConnectorToken>());
}

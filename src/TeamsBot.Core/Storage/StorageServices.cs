using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TeamsBot.Storage;

public static class StorageServices
{
    /// <summary>The document store chosen by <c>Storage:Provider</c>, and the stores built on it.</summary>
    public static IServiceCollection AddDocumentStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section));
        services.AddSingleton<IDocumentStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider switch
            {
                "Sqlite" => new SqliteDocumentStore(Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, options.SqlitePath)),
                _ => throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not known: use Sqlite or AzureTables."),
            };
        });
        services.AddSingleton<IConversationReferences, ConversationReferences>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<ILeases, Leases>();
        services.AddSingleton<IIdempotencyKeys, IdempotencyKeys>();
        return services;
    }
}

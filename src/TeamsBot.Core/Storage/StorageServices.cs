using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Hosting;
using TeamsBot.Identity;

namespace TeamsBot.Storage;

public static class StorageServices
{
    /// <summary>The document store chosen by <c>Storage:Provider</c>, and the stores built on it.</summary>
    public static IServiceCollection AddDocumentStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<IDocumentStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider switch
            {
                "Sqlite" => new SqliteDocumentStore(Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, options.SqlitePath)),
                "AzureTables" => new AzureTableDocumentStore(TableService(options.AzureTables, configuration.GetSection(BotIdentityOptions.Section).Get<BotIdentityOptions>() ?? new BotIdentityOptions()),
                    options.AzureTables.TableName),
                _ => throw new InvalidOperationException($"Storage:Provider '{options.Provider}' is not known: use Sqlite or AzureTables."),
            };
        });
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<ILeases, Leases>();
        return services;
    }

    /// <summary>
    /// A connection string (Azurite, or an account key kept in Key Vault), else the endpoint with the bot's own identity
    /// (its managed identity in Azure), else the developer's Azure sign-in (local mode has no bot identity).
    /// </summary>
    internal static TableServiceClient TableService(AzureTablesOptions options, BotIdentityOptions bot)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString)) return new TableServiceClient(options.ConnectionString);
        TokenCredential credential = BotCredential.Create(bot)
            ?? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = bot.ClientCredential.ManagedIdentityClientId });
        return new TableServiceClient(new Uri(options.ServiceUri!), credential);
    }

    /// <summary>What is wrong with the settings, naming the key; null when they are usable.</summary>
    internal static string? Problem(StorageOptions options)
    {
        switch (options.Provider)
        {
            case "Sqlite":
                return string.IsNullOrWhiteSpace(options.SqlitePath) ? "Storage:SqlitePath is empty." : null;
            case "AzureTables":
                var tables = options.AzureTables;
                var hasConnection = !string.IsNullOrWhiteSpace(tables.ConnectionString);
                var hasUri = !string.IsNullOrWhiteSpace(tables.ServiceUri);
                if (hasConnection == hasUri)
                    return "Storage:Provider=AzureTables needs exactly one of Storage:AzureTables:ConnectionString or Storage:AzureTables:ServiceUri.";
                if (hasUri && !(Uri.TryCreate(tables.ServiceUri, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
                    return "Storage:AzureTables:ServiceUri must be an absolute URL such as https://<account>.table.core.windows.net.";
                if (!AzureTablesOptions.IsValidTableName(tables.TableName))
                    return $"Storage:AzureTables:TablePrefix '{tables.TablePrefix}' does not give a valid table name ('{tables.TableName}': " +
                        "3-63 letters and digits, starting with a letter).";
                return null;
            default:
                return $"Storage:Provider '{options.Provider}' is not known: use Sqlite or AzureTables.";
        }
    }

    private sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
            Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}

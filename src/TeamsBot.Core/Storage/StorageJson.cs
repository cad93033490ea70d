
namespace TeamsBot.Storage;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(Lease))]
internal sealed partial class StorageJson : JsonSerializerContext;

/// <summary>Keys that sort by time, so that "newest first" is a key-ordered read in every backend.</summary>
public static class TimeOrderedKey
{
    public static string New(DateTimeOffset at) =>
        $"{at.UtcTicks:D19}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";

    /// <summary>The smallest key at or after a time (for "since" queries).</summary>
    public static string At(DateTimeOffset at) => $"{at.UtcTicks:D19}";
}

using System.Reflection;
using System.Runtime.Serialization;

namespace TeamsBot.Directory;

/// <summary>Graph's wire names for the SDK's enums ("enabledForReportingButNotEnforced", "reportOnlyFailure"...).</summary>
internal static class GraphEnums
{
    public static string WireName<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        if (typeof(TEnum).IsDefined(typeof(FlagsAttribute)))
        {
            var raw = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            var names = Enum.GetValues<TEnum>()
                .Where(f => Convert.ToInt64(f, System.Globalization.CultureInfo.InvariantCulture) is var bit && bit != 0 && (raw & bit) == bit)
                .Select(Single);
            return string.Join(',', names);
        }
        return Single(value);
    }

    public static TEnum? Parse<TEnum>(string? wire) where TEnum : struct, Enum =>
        wire is null ? null : Enum.GetValues<TEnum>().Cast<TEnum?>().FirstOrDefault(v => string.Equals(Single(v!.Value), wire, StringComparison.OrdinalIgnoreCase));

    private static string Single<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        var name = value.ToString();
        var member = typeof(TEnum).GetField(name, BindingFlags.Public | BindingFlags.Static);
        return member?.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? char.ToLowerInvariant(name[0]) + name[1..];
    }
}

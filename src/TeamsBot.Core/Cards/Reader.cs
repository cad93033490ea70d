namespace TeamsBot.Cards;

/// <summary>
/// Whom a card is drawn for: their time zone and locale, as Teams states them with every activity (the
/// <c>clientInfo</c> entity: <c>timezone</c>, <c>locale</c>; spec/bot-protocol.md). Times are shown in the reader's
/// zone and labelled with it; without a zone, in UTC. A card seen by many (a channel) is drawn in UTC.
/// </summary>
public sealed record Reader(TimeZoneInfo Zone, CultureInfo Culture)
{
    public static readonly Reader Utc = new(TimeZoneInfo.Utc, CultureInfo.GetCultureInfo("en-US"));

    private static readonly AsyncLocal<Reader?> Ambient = new();

    /// <summary>The reader the card being drawn is for (UTC when none was set).</summary>
    public static Reader Current => Ambient.Value ?? Utc;

    /// <summary>
    /// Draws what follows for <paramref name="reader"/>, until disposed. Set around a render (and for a whole turn),
    /// so that every card builder, whoever wrote it, shows times in the reader's zone without passing it along.
    /// </summary>
    public static IDisposable Use(Reader reader)
    {
        var before = Ambient.Value;
        Ambient.Value = reader;
        return new Restore(before);
    }

    /// <summary>The reader for a time zone (IANA or Windows id) and a locale; unknown values fall back to UTC and en-US.</summary>
    public static Reader From(string? timeZone, string? locale) => new(FindZone(timeZone), FindLocale(locale));

    /// <summary>The time zone's id as stored (null for UTC).</summary>
    public string? ZoneId => Zone == TimeZoneInfo.Utc ? null : Zone.Id;

    public string? LocaleName => Culture.Name;

    /// <summary>"Sat, 12 Dec 2026, 09:00 (UTC+01:00)", or "… 08:00 UTC": a time in the reader's zone, labelled.</summary>
    public string When(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        return Plain($"{local.ToString("ddd, d MMM yyyy", Culture)}, {local.ToString(Culture.DateTimeFormat.ShortTimePattern, Culture)} {ZoneLabel(local)}");
    }

    // ICU writes a narrow no-break space before AM/PM; not every Teams client font has it.
    private static string Plain(string text) => text.Replace('\u202F', ' ');

    /// <summary>The zone as people read it: "UTC", or the offset in force at that time ("(UTC+01:00)").</summary>
    public string ZoneLabel(DateTimeOffset local) => Zone == TimeZoneInfo.Utc
        ? "UTC"
        : $"(UTC{(local.Offset < TimeSpan.Zero ? "-" : "+")}{local.Offset.Duration():hh\\:mm})";

    /// <summary>The zone for a form label: "UTC", or "UTC+01:00, Europe/Berlin".</summary>
    public string ZoneName(DateTimeOffset now)
    {
        if (Zone == TimeZoneInfo.Utc) return "UTC";
        var offset = Zone.GetUtcOffset(now);
        return $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset.Duration():hh\\:mm}, {Zone.Id}";
    }

    private static TimeZoneInfo FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 100) return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    private static CultureInfo FindLocale(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 20) return Utc.Culture;
        try
        {
            var culture = CultureInfo.GetCultureInfo(name);
            return culture.Equals(CultureInfo.InvariantCulture) ? Utc.Culture : culture;
        }
        catch (CultureNotFoundException)
        {
            return Utc.Culture;
        }
    }

    private sealed class Restore(Reader? before) : IDisposable
    {
        public void Dispose() => Ambient.Value = before;
    }
}

using System.Net;
using System.Net.Sockets;
using TeamsBot.Directory;

namespace TeamsBot.Policies;

/// <summary>
/// One location the registration policies treat as trusted (they skip it): what it covers, and why it makes the
/// policies hollow, if it does.
/// </summary>
public sealed record TrustedLocationFinding(string Name, string Covers, string Why, IReadOnlyList<string> Problems)
{
    public bool Hollow => Problems.Count > 0;
}

/// <summary>
/// Examines the trusted locations: the IP named locations marked trusted (Conditional Access's <c>AllTrusted</c>, which
/// both policies exclude) and any location a deployed policy excludes by id. Locations that trust (nearly) everyone make
/// the policies hollow: more than a /8 of IPv4 addresses in total, 0.0.0.0/0 or ::/0, or a country (a country is guessed
/// from the IP address; anyone there, or on a VPN through there, skips the policy).
/// </summary>
public static class TrustedLocations
{
    /// <summary>The most IPv4 addresses a trusted location (or all of them together) may cover: a /8.</summary>
    public const long MaxIPv4Addresses = 1L << 24;

    public static IReadOnlyList<TrustedLocationFinding> Examine(TenantSnapshot snapshot)
    {
        var findings = new List<TrustedLocationFinding>();
        var trusted = snapshot.Locations.Where(l => l.IsTrusted).ToList();
        var examined = new List<NamedLocation>(trusted);
        foreach (var location in trusted)
            findings.Add(ExamineIp(location, "marked as trusted"));

        // A deployed policy that excludes a location by id treats it as trusted too.
        foreach (var view in snapshot.Policies.Where(v => v.Deployed))
        {
            var excluded = (view.Live!.Body["conditions"]?["locations"]?["excludeLocations"] as JsonArray ?? [])
                .Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>();
            foreach (var id in excluded)
            {
                if (id is "AllTrusted" or "All") continue;
                var location = snapshot.Locations.FirstOrDefault(l => string.Equals(l.Id, id, StringComparison.OrdinalIgnoreCase));
                if (location is null || trusted.Contains(location)) continue;
                var why = $"excluded by policy {view.Key}";
                var existing = findings.FindIndex(f => f.Name == location.DisplayName && f.Why.StartsWith("excluded by", StringComparison.Ordinal));
                if (existing >= 0)
                {
                    findings[existing] = findings[existing] with { Why = findings[existing].Why + $" and policy {view.Key}" };
                    continue;
                }
                findings.Add(location.Kind == "country" ? ExamineCountry(location, why) : ExamineIp(location, why));
                examined.Add(location);
            }
        }

        // Several narrow locations can still add up to too much.
        var together = Addresses(examined.SelectMany(l => l.IpRanges));
        if (together > MaxIPv4Addresses && findings.All(f => !f.Hollow))
        {
            for (var i = 0; i < findings.Count; i++)
                if (Addresses(examined[i].IpRanges) > 0)
                    findings[i] = findings[i] with
                    {
                        Problems = [$"together the trusted locations cover {together:N0} IPv4 addresses, more than a /8"],
                    };
        }
        return findings;
    }

    private static TrustedLocationFinding ExamineIp(NamedLocation location, string why)
    {
        var problems = new List<string>();
        if (location.IpRanges.Any(r => Prefix(r) is (AddressFamily.InterNetwork, 0)))
            problems.Add("0.0.0.0/0 trusts every IPv4 address");
        if (location.IpRanges.Any(r => Prefix(r) is (AddressFamily.InterNetworkV6, 0)))
            problems.Add("::/0 trusts every IPv6 address");
        var count = Addresses(location.IpRanges);
        if (count > MaxIPv4Addresses && problems.Count == 0)
            problems.Add($"it covers {count:N0} IPv4 addresses, more than a /8");
        var covers = location.IpRanges.Count == 0 ? "no ranges" : string.Join(", ", location.IpRanges.Take(8)) + (location.IpRanges.Count > 8 ? $" and {location.IpRanges.Count - 8} more" : "");
        return new TrustedLocationFinding(location.DisplayName, covers, why, problems);
    }

    private static TrustedLocationFinding ExamineCountry(NamedLocation location, string why)
    {
        var countries = location.Countries.Count == 0 ? "no countries" : string.Join(", ", location.Countries);
        return new TrustedLocationFinding(location.DisplayName, "countries " + countries, why,
            [$"a country is guessed from the IP address, so anyone in (or on a VPN through) {countries} skips the policy: trust your own networks' IP ranges instead"]);
    }

    /// <summary>How many IPv4 addresses the ranges cover together (overlaps counted once).</summary>
    public static long Addresses(IEnumerable<string> cidrs)
    {
        var spans = cidrs.Select(Span).OfType<(long Start, long End)>().OrderBy(s => s.Start).ToList();
        long total = 0, start = -1, end = -1;
        foreach (var span in spans)
        {
            if (span.Start > end + 1)
            {
                if (end >= start && start >= 0) total += end - start + 1;
                (start, end) = span;
            }
            else end = Math.Max(end, span.End);
        }
        if (start >= 0) total += end - start + 1;
        return total;
    }

    private static (long Start, long End)? Span(string cidr)
    {
        if (Prefix(cidr) is not (AddressFamily.InterNetwork, var prefix)) return null;
        var bytes = IPAddress.Parse(cidr.Split('/')[0]).GetAddressBytes();
        var value = ((long)bytes[0] << 24) | ((long)bytes[1] << 16) | ((long)bytes[2] << 8) | bytes[3];
        var size = 1L << (32 - prefix);
        var start = value & ~(size - 1);
        return (start, start + size - 1);
    }

    private static (AddressFamily Family, int Prefix)? Prefix(string cidr)
    {
        var parts = cidr.Split('/');
        if (!IPAddress.TryParse(parts[0], out var address)) return null;
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (parts.Length == 1) return (address.AddressFamily, bits);
        return int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= bits
            ? (address.AddressFamily, prefix)
            : null;
    }
}

using System.Net;

namespace TeamsBot.Directory;

/// <summary>
/// Addresses to ask a What-If from: one inside a trusted IP named location, and a public documentation address
/// (RFC 5737, RFC 6598) that no trusted range covers.
/// </summary>
public static class NamedLocationAddresses
{
    private static readonly string[] Documentation = ["192.0.2.10", "198.51.100.200", "203.0.113.200", "100.64.0.10"];

    /// <summary>An address inside the first trusted IP location, and that location's name; null when there is none.</summary>
    public static (string Address, string Location)? Trusted(IReadOnlyList<NamedLocation> locations)
    {
        foreach (var location in locations.Where(l => l.IsTrusted))
            foreach (var range in location.IpRanges)
                if (AddressIn(range) is { } address) return (address, location.DisplayName);
        return null;
    }

    /// <summary>An address no trusted range covers.</summary>
    public static string Untrusted(IReadOnlyList<NamedLocation> locations)
    {
        var trusted = locations.Where(l => l.IsTrusted).SelectMany(l => l.IpRanges).ToList();
        return Documentation.FirstOrDefault(c => !trusted.Any(r => InRange(c, r))) ?? Documentation[0];
    }

    /// <summary>The range's first host address (the network address itself for a single host).</summary>
    private static string? AddressIn(string cidr)
    {
        var parts = cidr.Split('/');
        if (!IPAddress.TryParse(parts[0], out var ip)) return null;
        var bytes = ip.GetAddressBytes();
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix < bytes.Length * 8)
            bytes[^1] |= 1;
        return new IPAddress(bytes).ToString();
    }

    private static bool InRange(string address, string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var network)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)) return false;
        var ip = IPAddress.Parse(address);
        if (ip.AddressFamily != network.AddressFamily) return false;
        var a = ip.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var bit = 0; bit < prefix && bit < a.Length * 8; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }
}

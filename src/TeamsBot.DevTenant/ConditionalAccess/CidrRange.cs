using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TeamsBot.DevTenant.ConditionalAccess;

/// <summary>
/// A CIDR range as Entra reads it: host bits may be set ("12.34.221.11/22" is a valid named location range), which
/// <see cref="IPNetwork"/> refuses.
/// </summary>
internal sealed class CidrRange
{
    private readonly byte[] network;
    private readonly int prefix;

    private CidrRange(byte[] network, int prefix, AddressFamily family)
    {
        this.network = network;
        this.prefix = prefix;
        Family = family;
    }

    public AddressFamily Family { get; }

    public static CidrRange? Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }
        var bytes = address.GetAddressBytes();
        return prefix > bytes.Length * 8 ? null : new CidrRange(bytes, prefix, address.AddressFamily);
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != Family)
        {
            return false;
        }
        var bytes = address.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask))
            {
                return false;
            }
        }
        return true;
    }
}

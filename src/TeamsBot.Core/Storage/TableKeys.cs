using System.Text;

namespace TeamsBot.Storage;

/// <summary>
/// Turns the bot's document keys into Azure Table keys and back. Azure forbids <c>/ \ # ?</c> and control characters in
/// keys, and the stores need the same key order as SQLite (which compares the UTF-8 bytes), in both directions.
/// <para>
/// <see cref="Encode"/> maps every UTF-8 byte to a code: the bytes of <c>-</c>, digits, <c>:</c>, <c>@</c> and ASCII
/// letters stand for themselves (so "user:a000…" and "0639…-4f2a" stay readable); every other byte becomes an escape
/// character and two upper-case hex digits. Each run of escaped bytes has its own escape character, chosen from inside
/// the run, so that it sorts between the literal characters around the run: the codes are prefix-free and increase with
/// the byte, hence encoded keys sort exactly like the keys' UTF-8 bytes, and "starts with" is kept.
/// </para>
/// <para>
/// <see cref="Invert"/> gives a key whose ascending order is the descending order of the original: each character is
/// mirrored within the 70-character alphabet of the encoding, then a terminator (<c>~</c>) that sorts after all of them
/// makes a key sort after every longer key it is a prefix of.
/// </para>
/// </summary>
public static class TableKeys
{
    /// <summary>The longest encoded key (Azure allows 1 KiB of UTF-16 per key, i.e. 512 characters, less a row-kind prefix and the terminator).</summary>
    public const int MaxEncodedLength = 510;

    /// <summary>Sorts after every character of an encoded key.</summary>
    public const char Terminator = '~';

    // (first byte, last byte, escape character) of each run of escaped bytes, in byte order.
    private static readonly (byte From, byte To, char Escape)[] EscapedRuns =
    [
        (0x00, 0x2C, '!'), // controls, space, ! " # $ % & ' ( ) * + ,
        (0x2E, 0x2F, '.'), // . /
        (0x3B, 0x3F, '='), // ; < = > ?
        (0x5B, 0x60, '_'), // [ \ ] ^ _ `
        (0x7B, 0xFF, '}'), // { | } ~ DEL, and every byte of a non-ASCII character
    ];

    private static readonly string Alphabet = BuildAlphabet();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The order-keeping, Azure-safe form of <paramref name="key"/>.</summary>
    public static string Encode(string key)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(key);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException("A document key must be valid Unicode text (it holds an unpaired surrogate).", nameof(key));
        }
        var text = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (EscapeFor(b) is { } escape) text.Append(escape).Append(Convert.ToHexString([b]));
            else text.Append((char)b);
        }
        if (text.Length > MaxEncodedLength)
            throw new ArgumentException(
                $"A document key is too long for Azure Table Storage: {text.Length} encoded characters, at most {MaxEncodedLength} " +
                "(letters, digits, '-', ':' and '@' take one, any other byte three).", nameof(key));
        return text.ToString();
    }

    public static string Decode(string encoded)
    {
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (IsEscape(c))
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.Add((byte)c);
        }
        return StrictUtf8.GetString([.. bytes]);
    }

    /// <summary>An encoded key whose ascending order is the descending order of the encoded keys.</summary>
    public static string Invert(string encoded)
    {
        var text = new StringBuilder(encoded.Length + 1);
        foreach (var c in encoded) text.Append(Mirror(c));
        return text.Append(Terminator).ToString();
    }

    /// <summary>Mirrors the characters of an encoded key without the terminator (the inverted form of a key prefix).</summary>
    public static string InvertPrefix(string encoded)
    {
        var text = new StringBuilder(encoded.Length);
        foreach (var c in encoded) text.Append(Mirror(c));
        return text.ToString();
    }

    public static string Uninvert(string inverted)
    {
        if (inverted.Length == 0 || inverted[^1] != Terminator) throw new FormatException("Not an inverted key.");
        var text = new StringBuilder(inverted.Length - 1);
        foreach (var c in inverted.AsSpan(0, inverted.Length - 1)) text.Append(Mirror(c));
        return text.ToString();
    }

    /// <summary>The smallest string greater than every string that starts with <paramref name="prefix"/>.</summary>
    public static string UpperBound(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private static char Mirror(char c)
    {
        var index = Alphabet.IndexOf(c, StringComparison.Ordinal);
        if (index < 0) throw new FormatException($"'{c}' is not a character of an encoded key.");
        return Alphabet[Alphabet.Length - 1 - index];
    }

    private static char? EscapeFor(byte b)
    {
        foreach (var (from, to, escape) in EscapedRuns)
            if (b >= from && b <= to) return escape;
        return null;
    }

    private static bool IsEscape(char c)
    {
        foreach (var run in EscapedRuns)
            if (run.Escape == c) return true;
        return false;
    }

    // Every character an encoded key can hold (literal bytes and escape characters; hex digits are literals), sorted.
    private static string BuildAlphabet()
    {
        var chars = new SortedSet<char>();
        for (var b = 0; b < 0x80; b++)
            if (EscapeFor((byte)b) is null) chars.Add((char)b);
        foreach (var run in EscapedRuns) chars.Add(run.Escape);
        return string.Concat(chars);
    }
}

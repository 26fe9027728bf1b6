using System.Globalization;

namespace NFStream.Engine;

/// <summary>
/// Address text exactly as glibc's inet_ntop writes it (what NFStream shows): dotted IPv4; IPv6 in lower case
/// with the longest run (two or more) of zero groups compressed, the first one on ties, and the embedded-IPv4
/// forms ::a.b.c.d and ::ffff:a.b.c.d.
/// </summary>
public static class IpText
{
    public static string Format(int version, ulong hi, ulong lo) =>
        version == 6 ? FormatV6(hi, lo) : FormatV4((uint)lo);

    public static string FormatV4(uint address) => string.Create(CultureInfo.InvariantCulture,
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");

    public static string FormatV6(ulong hi, ulong lo)
    {
        Span<ushort> w = stackalloc ushort[8];
        for (int i = 0; i < 4; i++)
        {
            w[i] = (ushort)(hi >> (48 - 16 * i));
            w[4 + i] = (ushort)(lo >> (48 - 16 * i));
        }
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++)
        {
            if (w[i] == 0)
            {
                if (curBase == -1) { curBase = i; curLen = 1; }
                else curLen++;
            }
            else if (curBase != -1)
            {
                if (bestBase == -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
        if (bestBase != -1 && bestLen < 2) bestBase = -1;

        var sb = new System.Text.StringBuilder(40);
        for (int i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen)
            {
                if (i == bestBase) sb.Append(':');
                continue;
            }
            if (i != 0) sb.Append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)))
            {
                uint v4 = (uint)lo;
                sb.Append(CultureInfo.InvariantCulture, $"{v4 >> 24}.{(v4 >> 16) & 0xFF}.{(v4 >> 8) & 0xFF}.{v4 & 0xFF}");
                return sb.ToString();
            }
            sb.Append(w[i].ToString("x", CultureInfo.InvariantCulture));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) sb.Append(':');
        return sb.ToString();
    }
}

/// <summary>MAC text as NFStream writes it: six lower-case hex pairs separated by colons.</summary>
public static class MacText
{
    public static string Format(ulong mac) => string.Create(17, mac, static (span, m) =>
    {
        const string hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(m >> (40 - 8 * i));
            span[i * 3] = hex[b >> 4];
            span[i * 3 + 1] = hex[b & 0xF];
            if (i < 5) span[i * 3 + 2] = ':';
        }
    });
}

namespace NFStream.Engine.Decoding;

/// <summary>
/// Walks IPv6 extension headers the way nDPI's ndpi_handle_ipv6_extension_headers does (NFStream relies on it):
/// Hop-by-Hop, Routing, Fragment, Destination Options and Mobility; "no next header" and non-first fragments
/// reject the packet, as do lengths that do not fit.
/// </summary>
internal static class Ipv6ExtensionHeaders
{
    /// <summary>Advances <paramref name="l4"/> past the extension headers. Returns false to reject the packet.</summary>
    /// <param name="l3Len">Bytes captured after the fixed IPv6 header.</param>
    public static bool Walk(ref FrameBytes p, ushort l3Len, ref uint l4, ref ushort l4Len, ref byte nextHeader)
    {
        while (l3Len > 1 && nextHeader is 0 or 43 or 44 or 60 or 135 or 59)
        {
            if (nextHeader == 59) return false;
            if (nextHeader == 44)
            {
                if (l4Len < 8 || l3Len < 5) return false;
                l3Len -= 5;
                nextHeader = p[l4];
                int fragmentOffset = p.U16(l4 + 2) >> 3;
                if (fragmentOffset != 0) return false;
                l4Len -= 8;
                l4 += 8;
                continue;
            }
            if (l4Len < 2) return false;
            int headerLength = p[l4 + 1] * 8 + 8;
            if (headerLength > l3Len) return false;
            l3Len -= (ushort)headerLength;
            if (l4Len < headerLength) return false;
            nextHeader = p[l4];
            l4Len -= (ushort)headerLength;
            l4 += (uint)headerLength;
        }
        return true;
    }
}

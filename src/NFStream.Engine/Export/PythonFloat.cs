using System.Globalization;

namespace NFStream.Engine.Export;

/// <summary>
/// Formats a <see cref="double"/> exactly as Python 3's <c>repr(float)</c> / <c>str(float)</c> does
/// (CPython <c>float_repr_style == 'short'</c>, i.e. <c>PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, ...)</c>).
/// </summary>
/// <remarks>
/// Rules reproduced (CPython <c>Python/pystrtod.c</c>, <c>format_float_short</c>, mode 'r'):
/// <list type="bullet">
/// <item>the digits are the shortest string that round-trips (David Gay's <c>_Py_dg_dtoa</c> mode 0);
/// .NET Core 3.0+ <c>double.ToString("R")</c> yields the same shortest, correctly rounded digits;</item>
/// <item>with <c>decpt</c> the position of the decimal point relative to the digits
/// (value = 0.d1d2...dn × 10^decpt), scientific notation is used when <c>decpt &lt;= -4</c> or
/// <c>decpt &gt; 16</c>; the exponent is <c>decpt - 1</c>, written with a sign and at least two digits
/// (<c>1e+16</c>, <c>1.5e-07</c>, <c>5e-324</c>);</item>
/// <item>otherwise fixed notation, with <c>.0</c> appended when there is no fractional part
/// (<c>60.0</c>, <c>-0.0</c>, <c>1234567890123456.0</c>);</item>
/// <item>non-finite values are <c>inf</c>, <c>-inf</c> and <c>nan</c> (never <c>-nan</c>).</item>
/// </list>
/// </remarks>
public static class PythonFloat
{
    /// <summary>Longest possible output, e.g. <c>-2.2250738585072014e-308</c> (24 chars); rounded up.</summary>
    public const int MaxLength = 32;

    /// <summary>Returns <c>repr(value)</c> as Python 3 would print it.</summary>
    public static string Format(double value)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        if (!TryFormat(value, buffer, out int written))
        {
            throw new InvalidOperationException("Unreachable: PythonFloat buffer too small.");
        }
        return new string(buffer[..written]);
    }

    /// <summary>
    /// Writes <c>repr(value)</c> into <paramref name="destination"/> without allocating.
    /// Returns false (and <paramref name="charsWritten"/> = 0) when the destination is too small;
    /// <see cref="MaxLength"/> characters are always enough.
    /// </summary>
    public static bool TryFormat(double value, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;

        if (double.IsNaN(value))
        {
            return TryCopy("nan", destination, ref charsWritten);
        }
        if (double.IsInfinity(value))
        {
            return TryCopy(value > 0 ? "inf" : "-inf", destination, ref charsWritten);
        }

        // Shortest round-trip representation from .NET, e.g. "-1.5E-07", "4155.1514088862305", "1E+16", "-0".
        Span<char> raw = stackalloc char[MaxLength];
        if (!value.TryFormat(raw, out int rawLength, "R", CultureInfo.InvariantCulture))
        {
            return false;
        }
        raw = raw[..rawLength];

        // .NET 9/10's Dragon4 fallback uses equal rounding margins for exact powers of two (dotnet/runtime#131131),
        // yielding e.g. "2.980232238769531E-08" for 2^-25, which parses back to the next lower double.
        // Powers of two are the only values with unequal margins, so only they need checking.
        if ((BitConverter.DoubleToUInt64Bits(value) & 0x000F_FFFF_FFFF_FFFFUL) == 0
            && value != 0
            && (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double back) || back != value))
        {
            rawLength = ShortestForPowerOfTwo(value, stackalloc char[MaxLength], out Span<char> fixedRaw);
            raw = fixedRaw[..rawLength];
        }

        // Decompose into sign, significant digits (no leading/trailing zeros) and decpt.
        bool negative = false;
        int pos = 0;
        if (raw[pos] == '-')
        {
            negative = true;
            pos++;
        }

        Span<char> digits = stackalloc char[MaxLength];
        int digitCount = 0;
        int intDigits = 0;        // digits seen before the '.' (after leading zeros are dropped)
        int leadingFracZeros = 0; // zeros after the '.' before the first significant digit
        bool seenPoint = false;
        int exponent = 0;

        for (; pos < raw.Length; pos++)
        {
            char c = raw[pos];
            if (c == '.')
            {
                seenPoint = true;
            }
            else if (c >= '0' && c <= '9')
            {
                if (digitCount == 0 && c == '0')
                {
                    if (seenPoint)
                    {
                        leadingFracZeros++;
                    }
                    continue; // leading zero
                }
                digits[digitCount++] = c;
                if (!seenPoint)
                {
                    intDigits++;
                }
            }
            else if (c == 'E' || c == 'e')
            {
                pos++;
                bool expNegative = false;
                if (raw[pos] == '+' || raw[pos] == '-')
                {
                    expNegative = raw[pos] == '-';
                    pos++;
                }
                for (; pos < raw.Length; pos++)
                {
                    exponent = exponent * 10 + (raw[pos] - '0');
                }
                if (expNegative)
                {
                    exponent = -exponent;
                }
                break;
            }
            else
            {
                // Unexpected character (should not happen with InvariantCulture).
                return false;
            }
        }

        int decpt;
        if (digitCount == 0)
        {
            // Zero: Gay's dtoa returns "0" with decpt = 1.
            digits[0] = '0';
            digitCount = 1;
            decpt = 1;
        }
        else
        {
            decpt = (intDigits > 0 ? intDigits : -leadingFracZeros) + exponent;
            while (digitCount > 1 && digits[digitCount - 1] == '0')
            {
                digitCount--; // trailing zeros of an integer like "100"
            }
        }

        return Layout(negative, digits[..digitCount], decpt, destination, out charsWritten);
    }

    /// <summary>
    /// Correct shortest digits for an exact power of two whose .NET "R" output did not round-trip.
    /// For each length n = 1..17, tries the correctly rounded n-digit value and then the
    /// next n-digit value up in magnitude (the lower rounding margin of a power of two is half the upper one, so
    /// the nearest candidate may fall outside while the one above is inside); the first that round-trips wins.
    /// This is what Gay's dtoa mode 0 returns: the shortest round-tripping string, nearest among those.
    /// </summary>
    internal static int ShortestForPowerOfTwo(double value, Span<char> scratch, out Span<char> result)
    {
        Span<char> format = stackalloc char[3];
        for (int n = 1; n <= 17; n++)
        {
            // "E{n-1}" gives n correctly rounded significant digits: [-]d.ddddE+xxx
            format[0] = 'E';
            int formatLength = 1;
            if (n - 1 >= 10)
            {
                format[formatLength++] = (char)('0' + (n - 1) / 10);
            }
            format[formatLength++] = (char)('0' + (n - 1) % 10);
            if (!value.TryFormat(scratch, out int length, format[..formatLength], CultureInfo.InvariantCulture))
            {
                break;
            }
            if (RoundTrips(scratch[..length], value))
            {
                result = scratch;
                return length;
            }
            length = IncrementLastDigit(scratch, length);
            if (RoundTrips(scratch[..length], value))
            {
                result = scratch;
                return length;
            }
        }

        // Unreachable: 17 correctly rounded digits always round-trip.
        value.TryFormat(scratch, out int r, "G17", CultureInfo.InvariantCulture);
        result = scratch;
        return r;
    }

    private static bool RoundTrips(ReadOnlySpan<char> text, double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double back) && back == value;

    /// <summary>
    /// Adds one unit in the last mantissa digit of an "E"-formatted number ("[-]d.dddE+xxx"), carrying as needed;
    /// a carry out of the first digit becomes "1.000…" with the exponent increased. Returns the new length.
    /// </summary>
    internal static int IncrementLastDigit(Span<char> text, int length)
    {
        int e = text[..length].IndexOf('E');
        int i = e - 1;
        while (i >= 0)
        {
            char c = text[i];
            if (c == '.')
            {
                i--;
                continue;
            }
            if (c == '-')
            {
                break;
            }
            if (c == '9')
            {
                text[i] = '0';
                i--;
                continue;
            }
            text[i] = (char)(c + 1);
            return length;
        }

        // Carry out of the leading digit: 9.99E+k + ulp = 1.00E+(k+1). The leading digit (now '0') becomes '1'.
        int lead = text[0] == '-' ? 1 : 0;
        text[lead] = '1';
        int exponent = int.Parse(text[(e + 1)..length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) + 1;
        int p = e + 1;
        text[p++] = exponent < 0 ? '-' : '+';
        int absExponent = Math.Abs(exponent);
        text[p++] = (char)('0' + absExponent / 100);
        text[p++] = (char)('0' + absExponent / 10 % 10);
        text[p++] = (char)('0' + absExponent % 10);
        return p;
    }

    /// <summary>Lays out digits per CPython's <c>format_float_short</c> (mode 'r', ADD_DOT_0).</summary>
    private static bool Layout(bool negative, ReadOnlySpan<char> digits, int decpt, Span<char> dest, out int written)
    {
        written = 0;
        int n = digits.Length;
        bool useExponent = decpt <= -4 || decpt > 16;

        // Compute the exact length first so that we can fail cleanly.
        int length = negative ? 1 : 0;
        int exp = 0;
        int expDigits = 0;
        if (useExponent)
        {
            exp = decpt - 1;
            int absExp = Math.Abs(exp);
            expDigits = absExp >= 100 ? 3 : 2;
            length += n + (n > 1 ? 1 : 0) + 2 + expDigits; // d[.ddd] e ± XX
        }
        else if (decpt <= 0)
        {
            length += 2 + (-decpt) + n; // 0.000ddd
        }
        else if (decpt >= n)
        {
            length += decpt + 2; // ddd000.0
        }
        else
        {
            length += n + 1; // dd.ddd
        }

        if (dest.Length < length)
        {
            return false;
        }

        int p = 0;
        if (negative)
        {
            dest[p++] = '-';
        }

        if (useExponent)
        {
            dest[p++] = digits[0];
            if (n > 1)
            {
                dest[p++] = '.';
                digits[1..].CopyTo(dest[p..]);
                p += n - 1;
            }
            dest[p++] = 'e';
            dest[p++] = exp < 0 ? '-' : '+';
            int absExp = Math.Abs(exp);
            if (expDigits == 3)
            {
                dest[p++] = (char)('0' + absExp / 100);
            }
            dest[p++] = (char)('0' + absExp / 10 % 10);
            dest[p++] = (char)('0' + absExp % 10);
        }
        else if (decpt <= 0)
        {
            dest[p++] = '0';
            dest[p++] = '.';
            for (int i = 0; i < -decpt; i++)
            {
                dest[p++] = '0';
            }
            digits.CopyTo(dest[p..]);
            p += n;
        }
        else if (decpt >= n)
        {
            digits.CopyTo(dest[p..]);
            p += n;
            for (int i = n; i < decpt; i++)
            {
                dest[p++] = '0';
            }
            dest[p++] = '.';
            dest[p++] = '0';
        }
        else
        {
            digits[..decpt].CopyTo(dest[p..]);
            p += decpt;
            dest[p++] = '.';
            digits[decpt..].CopyTo(dest[p..]);
            p += n - decpt;
        }

        written = p;
        return true;
    }

    private static bool TryCopy(string text, Span<char> destination, ref int charsWritten)
    {
        if (!text.AsSpan().TryCopyTo(destination))
        {
            return false;
        }
        charsWritten = text.Length;
        return true;
    }
}

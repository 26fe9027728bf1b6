using System.Globalization;
using System.Text.RegularExpressions;
using NFStream.Engine.Export;
using Xunit;

namespace NFStream.Tests.Export;

public class PythonFloatTests
{
    // Outputs of CPython 3.11 repr(x) (== str(x)) for the literal on the left.
    [Theory]
    [InlineData(60.0, "60.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(-1.0, "-1.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(1.0 / 3.0, "0.3333333333333333")]
    [InlineData(2.0 / 3.0, "0.6666666666666666")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e22, "1e+22")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.000123, "0.000123")]
    [InlineData(0.00009999999999999999, "9.999999999999999e-05")]
    [InlineData(1.5e-07, "1.5e-07")]
    [InlineData(4155.1514088862305, "4155.1514088862305")]
    [InlineData(310.57142857142856, "310.57142857142856")]
    [InlineData(80.49999999999999, "80.49999999999999")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(12345678901234567.0, "1.2345678901234568e+16")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(9999999999999998.0, "9999999999999998.0")]
    [InlineData(9007199254740992.0, "9007199254740992.0")]
    [InlineData(9223372036854775808.0, "9.223372036854776e+18")]
    [InlineData(123456789.123, "123456789.123")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(-5e-324, "-5e-324")]
    [InlineData(2.2250738585072014e-308, "2.2250738585072014e-308")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(-1.7976931348623157e308, "-1.7976931348623157e+308")]
    [InlineData(1e100, "1e+100")]
    [InlineData(1e-100, "1e-100")]
    [InlineData(2.9802322387695312e-08, "2.9802322387695312e-08")] // 2^-25: .NET 9/10 "R" gets this wrong
    [InlineData(4.1045368012983762e-289, "4.1045368012983762e-289")] // 2^-958: likewise
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.NaN, "nan")]
    public void Format_MatchesKnownPythonOutputs(double value, string expected)
    {
        Assert.Equal(expected, PythonFloat.Format(value));
        Span<char> buffer = stackalloc char[PythonFloat.MaxLength];
        Assert.True(PythonFloat.TryFormat(value, buffer, out int written));
        Assert.Equal(expected, buffer[..written].ToString());
    }

    [Fact]
    public void Format_NegativeNaN_IsNan()
    {
        double negativeNaN = BitConverter.UInt64BitsToDouble(0xFFF8_0000_0000_0000UL);
        Assert.True(double.IsNaN(negativeNaN));
        Assert.Equal("nan", PythonFloat.Format(negativeNaN));
        Assert.Equal("nan", PythonFloat.Format(BitConverter.UInt64BitsToDouble(0x7FF0_0000_0000_0001UL)));
    }

    [Fact]
    public void Format_MatchesPythonReferenceTable()
    {
        var failures = new List<string>();
        foreach (var (bits, repr) in PythonFloatReferenceData.Values)
        {
            string actual = PythonFloat.Format(BitConverter.UInt64BitsToDouble(bits));
            if (actual != repr)
            {
                failures.Add($"0x{bits:X16}: expected {repr}, got {actual}");
            }
        }
        Assert.True(PythonFloatReferenceData.Values.Length > 1500);
        Assert.Empty(failures);
    }

    [Fact]
    public void Format_MatchesPythonForEveryPowerOfTwo()
    {
        var failures = new List<string>();
        for (int i = 0; i < PythonFloatReferenceData.PowersOfTwo.Length; i++)
        {
            int k = PythonFloatReferenceData.PowersOfTwoMinExponent + i;
            double x = Math.ScaleB(1.0, k);
            string expected = PythonFloatReferenceData.PowersOfTwo[i];
            if (PythonFloat.Format(x) != expected)
            {
                failures.Add($"2^{k}: expected {expected}, got {PythonFloat.Format(x)}");
            }
            if (PythonFloat.Format(-x) != "-" + expected)
            {
                failures.Add($"-2^{k}: expected -{expected}, got {PythonFloat.Format(-x)}");
            }
        }
        Assert.Equal(2098, PythonFloatReferenceData.PowersOfTwo.Length);
        Assert.Empty(failures);
    }

    [Fact]
    public void PowerOfTwoSlowPath_AgreesWithPythonForEveryPowerOfTwo()
    {
        // The fallback is normally only taken for a couple of values on .NET 9+; run it on all of them.
        var failures = new List<string>();
        Span<char> scratch = stackalloc char[PythonFloat.MaxLength];
        for (int i = 0; i < PythonFloatReferenceData.PowersOfTwo.Length; i++)
        {
            int k = PythonFloatReferenceData.PowersOfTwoMinExponent + i;
            double x = Math.ScaleB(1.0, k);
            int length = PythonFloat.ShortestForPowerOfTwo(x, scratch, out Span<char> result);
            double parsed = double.Parse(result[..length], NumberStyles.Float, CultureInfo.InvariantCulture);
            string expectedDigits = SignificantDigits(PythonFloatReferenceData.PowersOfTwo[i]);
            string actualDigits = SignificantDigits(result[..length].ToString());
            if (parsed != x || expectedDigits != actualDigits)
            {
                failures.Add($"2^{k}: python {PythonFloatReferenceData.PowersOfTwo[i]}, slow path {result[..length].ToString()}");
            }
        }
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("1.234E-005", "1.235E-005")]
    [InlineData("-1.239E+010", "-1.240E+010")]
    [InlineData("9.999E+015", "1.000E+016")]
    [InlineData("-9.99E-001", "-1.00E+000")]
    [InlineData("9E+000", "1E+001")]
    [InlineData("9.9E-100", "1.0E-099")]
    public void IncrementLastDigit_Carries(string input, string expected)
    {
        Span<char> buffer = stackalloc char[PythonFloat.MaxLength];
        input.AsSpan().CopyTo(buffer);
        int length = PythonFloat.IncrementLastDigit(buffer, input.Length);
        Assert.Equal(expected, buffer[..length].ToString());
    }

    [Fact]
    public void TryFormat_TooSmallDestination_ReturnsFalse()
    {
        Span<char> small = stackalloc char[5];
        Assert.False(PythonFloat.TryFormat(4155.1514088862305, small, out int written));
        Assert.Equal(0, written);
        Assert.False(PythonFloat.TryFormat(double.NegativeInfinity, small[..3], out written));
        Assert.Equal(0, written);

        Assert.True(PythonFloat.TryFormat(60.0, small[..4], out written));
        Assert.Equal("60.0", small[..written].ToString());
        Assert.False(PythonFloat.TryFormat(60.0, small[..3], out _));
        Assert.True(PythonFloat.TryFormat(1e16, small, out written));
        Assert.Equal("1e+16", small[..written].ToString());
        Assert.False(PythonFloat.TryFormat(1e16, small[..4], out _));
    }

    [Fact]
    public void TryFormat_LongestOutputsFitMaxLength()
    {
        Span<char> exact = stackalloc char[24];
        Assert.True(PythonFloat.TryFormat(-2.2250738585072014e-308, exact, out int written));
        Assert.Equal(24, written);
        Assert.True(PythonFloat.MaxLength >= 24);
    }

    [Fact]
    public void TryFormat_DoesNotAllocate()
    {
        double[] values = { 60.0, 4155.1514088862305, 1e16, 1.5e-07, -0.0, double.NaN, Math.ScaleB(1.0, -25), 5e-324 };
        Span<char> buffer = stackalloc char[PythonFloat.MaxLength];
        foreach (double v in values)
        {
            PythonFloat.TryFormat(v, buffer, out _); // warm up
        }
        // The runtime itself may allocate on this thread while it recompiles a hot method (tiering): a real
        // allocation per call shows in every attempt, so the quietest of five attempts must be zero.
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 5 && least != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                foreach (double v in values)
                {
                    PythonFloat.TryFormat(v, buffer, out _);
                }
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    private static readonly Regex FixedPattern = new(@"^-?(0|[1-9][0-9]*)\.([0-9]+)$", RegexOptions.CultureInvariant);
    private static readonly Regex ExponentPattern = new(@"^-?([1-9])(?:\.([0-9]*[1-9]))?e([+-])([0-9]{2,3})$", RegexOptions.CultureInvariant);

    [Fact]
    public void Property_RandomDoubles_RoundTripAndFollowPythonLayout()
    {
        var rng = new Random(7693);
        Span<byte> bytes = stackalloc byte[8];
        int checkedCount = 0;
        for (int i = 0; i < 200_000; i++)
        {
            double x;
            switch (i % 4)
            {
                case 0: // any bit pattern
                    rng.NextBytes(bytes);
                    x = BitConverter.ToDouble(bytes);
                    break;
                case 1: // uniform scaled over the fixed/exponent switch points
                    x = rng.NextDouble() * Math.Pow(10, rng.Next(-12, 23)) * (rng.Next(2) == 0 ? 1 : -1);
                    break;
                case 2: // flow-statistics-like ratios
                    x = (double)rng.NextInt64(0, 1_000_000_000_000) / rng.Next(1, 1_000_000);
                    break;
                default: // integral values around 2^53 and 1e16
                    x = rng.NextInt64(0, long.MaxValue) >> rng.Next(0, 63);
                    break;
            }
            if (!double.IsFinite(x))
            {
                continue;
            }
            AssertPythonLayout(x, PythonFloat.Format(x));
            checkedCount++;
        }
        Assert.True(checkedCount > 199_000);
    }

    [Fact]
    public void Property_ReferenceTable_FollowsPythonLayout()
    {
        // Cross-check the layout validator itself against genuine Python outputs.
        foreach (var (bits, repr) in PythonFloatReferenceData.Values)
        {
            AssertPythonLayout(BitConverter.UInt64BitsToDouble(bits), repr);
        }
    }

    /// <summary>
    /// Checks CPython's repr rules independently of the implementation: round trip (including the sign of
    /// zero), notation chosen from decpt (exponent iff decpt &lt;= -4 or decpt &gt; 16), ".0" for integral fixed
    /// values, a signed exponent of at least two digits, no redundant zeros, and shortness (no round-tripping
    /// string with one digit fewer, neither the correctly rounded one nor the next one up).
    /// </summary>
    private static void AssertPythonLayout(double x, string s)
    {
        double back = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(BitConverter.DoubleToInt64Bits(back) == BitConverter.DoubleToInt64Bits(x), $"{s} does not round-trip to {x:R}");

        string digits;
        int decpt;
        Match m;
        if ((m = FixedPattern.Match(s)).Success)
        {
            string intPart = m.Groups[1].Value, fracPart = m.Groups[2].Value;
            if (fracPart.Length > 1)
            {
                Assert.False(fracPart.EndsWith('0'), $"{s}: trailing zero");
            }
            string all = (intPart == "0" ? "" : intPart) + fracPart;
            string trimmed = all.TrimStart('0');
            decpt = intPart == "0" ? -(fracPart.Length - fracPart.TrimStart('0').Length) : intPart.Length;
            digits = trimmed.TrimEnd('0');
            if (digits.Length == 0)
            {
                Assert.Equal(0.0, x);
                Assert.Equal(double.IsNegative(x) ? "-0.0" : "0.0", s);
                return;
            }
            Assert.True(decpt > -4 && decpt <= 16, $"{s}: fixed notation with decpt {decpt}");
        }
        else if ((m = ExponentPattern.Match(s)).Success)
        {
            digits = m.Groups[1].Value + m.Groups[2].Value;
            int exponent = int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) * (m.Groups[3].Value == "-" ? -1 : 1);
            Assert.True(m.Groups[4].Value.Length == 2 || m.Groups[4].Value[0] != '0', $"{s}: exponent zero-padded beyond 2 digits");
            decpt = exponent + 1;
            Assert.True(decpt <= -4 || decpt > 16, $"{s}: exponent notation with decpt {decpt}");
        }
        else
        {
            Assert.Fail($"'{s}' is neither Python fixed nor exponent notation");
            return;
        }

        Assert.True(digits.Length <= 17, $"{s}: more than 17 significant digits");
        if (digits.Length > 1)
        {
            // One digit fewer must not round-trip.
            string shorter = x.ToString("E" + (digits.Length - 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            Assert.NotEqual(x, double.Parse(shorter, NumberStyles.Float, CultureInfo.InvariantCulture));
            Span<char> buffer = stackalloc char[PythonFloat.MaxLength];
            shorter.AsSpan().CopyTo(buffer);
            int up = PythonFloat.IncrementLastDigit(buffer, shorter.Length);
            Assert.NotEqual(x, double.Parse(buffer[..up], NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        // The digits must agree with .NET's correctly rounded digits of the same length when that rounds-trips
        // (nearest among the shortest candidates).
        string rounded = x.ToString("E" + (digits.Length - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (double.Parse(rounded, NumberStyles.Float, CultureInfo.InvariantCulture) == x)
        {
            Assert.Equal(SignificantDigits(rounded), digits);
        }
    }

    /// <summary>Significant digits of a decimal string, without sign, point, exponent, leading or trailing zeros.</summary>
    private static string SignificantDigits(string s)
    {
        int e = s.IndexOfAny(new[] { 'e', 'E' });
        string mantissa = e >= 0 ? s[..e] : s;
        return new string(mantissa.Where(char.IsAsciiDigit).ToArray()).Trim('0');
    }
}

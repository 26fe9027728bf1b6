using System.Globalization;
using SoakTraffic;

// soak-traffic generate <interface> <flows-per-second> <seconds> <generated.txt>
// soak-traffic verify <run directory>
if (args.Length == 5 && args[0] == "generate")
{
    double rate = double.Parse(args[2], CultureInfo.InvariantCulture), seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
    var result = new Generator().Run(args[1], rate, seconds);
    File.WriteAllLines(args[4], new[]
    {
        $"rate={rate.ToString(CultureInfo.InvariantCulture)}",
        $"flows={result.Flows}",
        $"packets={result.Packets}",
        $"send_errors={result.SendErrors}",
        $"seconds={result.Seconds.ToString("0.000", CultureInfo.InvariantCulture)}",
    });
    Console.WriteLine($"sent {result.Flows} flows, {result.Packets} packets in {result.Seconds:0.0} s ({result.SendErrors} send errors)");
    return result.SendErrors == 0 ? 0 : 1;
}
if (args.Length == 2 && args[0] == "verify") return Verifier.Run(args[1]);
Console.Error.WriteLine("usage: SoakTraffic generate <interface> <flows-per-second> <seconds> <generated.txt> | verify <run directory>");
return 64;

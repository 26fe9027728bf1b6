using System.Management.Automation;

namespace NFStream.Hosting;

/// <summary>
/// Lets a TimeSpan parameter take a plain number as seconds (-Duration 30), where PowerShell would read it as
/// ticks. Strings and TimeSpans convert as usual ('00:00:30').
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsToTimeSpanTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int or long or short or byte or uint or ulong or ushort or sbyte => TimeSpan.FromSeconds(Convert.ToDouble(value)),
            double d => TimeSpan.FromSeconds(d),
            float f => TimeSpan.FromSeconds(f),
            decimal m => TimeSpan.FromSeconds((double)m),
            _ => inputData,
        };
    }
}

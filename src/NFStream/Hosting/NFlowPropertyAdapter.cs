using System.Collections.ObjectModel;
using System.Management.Automation;
using NFStream.Engine;

namespace NFStream.Hosting;

/// <summary>
/// Shows an <see cref="NFlow"/> to PowerShell with exactly NFStream's columns for the options it was metered
/// with, in NFStream's order, plus <c>udps</c> when a plugin stored values. So <c>$flow | Get-Member</c>,
/// formatting and CSV all agree, and NFStream users' column lists carry over. Registered in NFStream.types.ps1xml.
/// PowerShell adds an adapted object's public .NET properties after these (PSObject.CreateThirdPartyAdapterSet pairs
/// the adapter with a .NET adapter); NFlow has none (its members are C# extension properties), so
/// <c>$flow.PSObject.Properties</c> is exactly this list.
/// </summary>
public sealed class NFlowPropertyAdapter : PSPropertyAdapter
{
    private const string UdpsName = "udps";

    public override Collection<PSAdaptedProperty> GetProperties(object baseObject)
    {
        var flow = (NFlow)baseObject;
        var columns = FlowColumns.For(flow.Columns);
        var result = new Collection<PSAdaptedProperty>();
        foreach (var column in columns) result.Add(new PSAdaptedProperty(column.Name, column));
        if (flow.HasUserValues) result.Add(new PSAdaptedProperty(UdpsName, null));
        return result;
    }

    public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName)
    {
        var flow = (NFlow)baseObject;
        if (string.Equals(propertyName, UdpsName, StringComparison.OrdinalIgnoreCase))
            return new PSAdaptedProperty(UdpsName, null);
        if (FlowColumns.TryGet(propertyName, out var column) && (column.Group == FlowColumnSet.Core || (flow.Columns & column.Group) != 0))
            return new PSAdaptedProperty(column.Name, column);
        return null;
    }

    public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

    public override bool IsSettable(PSAdaptedProperty adaptedProperty) =>
        adaptedProperty.Name is "expiration_id";

    public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty)
    {
        var flow = (NFlow)adaptedProperty.BaseObject;
        return adaptedProperty.Tag is FlowColumn column ? column.GetValue(flow) : flow.udps;
    }

    public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value)
    {
        var flow = (NFlow)adaptedProperty.BaseObject;
        if (adaptedProperty.Name == "expiration_id")
        {
            flow.expiration_id = LanguagePrimitives.ConvertTo<int>(value);
            return;
        }
        throw new SetValueException($"The property '{adaptedProperty.Name}' is read-only.");
    }

    public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty) => adaptedProperty.Tag switch
    {
        FlowColumn { Kind: ColumnKind.Int } c when c.Name is "id" => typeof(long).FullName!,
        FlowColumn { Kind: ColumnKind.Int } => typeof(int).FullName!,
        FlowColumn { Kind: ColumnKind.UInt } => typeof(ulong).FullName!,
        FlowColumn { Kind: ColumnKind.Double } => typeof(double).FullName!,
        FlowColumn { Kind: ColumnKind.String } => typeof(string).FullName!,
        FlowColumn { Kind: ColumnKind.IntList } => typeof(int[]).FullName!,
        FlowColumn { Kind: ColumnKind.LongList } => typeof(long[]).FullName!,
        _ => typeof(System.Collections.Specialized.OrderedDictionary).FullName!,
    };
}

using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Dpi;

namespace NFStream.Hosting;

/// <summary>Creates the nDPI classifier when -NDissections asks for one, or stops with a clear error.</summary>
internal static class DpiLoader
{
    public static IFlowClassifier? Create(PSCmdlet cmdlet, FlowOptions options)
    {
        if (options.NDissections == 0) return null;
        try
        {
            return FlowClassifierFactory.Create(options.NDissections);
        }
        catch (DpiUnavailableException e)
        {
            cmdlet.ThrowTerminatingError(Errors.DpiUnavailable(e));
            return null;
        }
    }
}

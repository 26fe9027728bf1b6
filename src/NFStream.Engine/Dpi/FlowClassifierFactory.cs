namespace NFStream.Engine.Dpi;

// PLACEHOLDER (to be replaced by the nDPI shim work): the real factory loads the native shim.
public static class FlowClassifierFactory
{
    public static IFlowClassifier Create(int nDissections) =>
        throw new DpiUnavailableException("nDPI application detection is not available in this build.");
}

public sealed class DpiUnavailableException : Exception
{
    public DpiUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}

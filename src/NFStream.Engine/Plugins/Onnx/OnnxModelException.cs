namespace NFStream.Engine.Plugins.Onnx;

/// <summary>An ONNX model that cannot serve as a plugin: missing, unreadable, or not shaped for the features.</summary>
public sealed class OnnxModelException : Exception
{
    public OnnxModelException(string path, string message, Exception? inner = null) : base($"{path}: {message}", inner) => Path = path;

    /// <summary>The model file.</summary>
    public string Path { get; }
}

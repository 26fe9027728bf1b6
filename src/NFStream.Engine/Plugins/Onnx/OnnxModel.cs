using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace NFStream.Engine.Plugins.Onnx;

/// <summary>
/// One ONNX model, loaded once per file and shared by every plugin, meter and thread that uses it (an ONNX
/// Runtime session is safe to run from several threads). Knows its input (one tensor of float or double rows,
/// [batch, width]) and which outputs hold the value and the class probabilities.
/// </summary>
public sealed class OnnxModel
{
    private static readonly ConcurrentDictionary<(string Path, DateTime Written, long Length), OnnxModel> Loaded = new();
    private static readonly string[] LabelNames = { "label", "output_label", "predictedlabel", "predicted_label" };

    private readonly InferenceSession session;
    private readonly string[] inputNames;

    private OnnxModel(string path, InferenceSession session)
    {
        Path = path;
        this.session = session;
        if (session.InputMetadata.Count != 1)
            throw new OnnxModelException(path, $"the model has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); a flow plugin feeds one input, a [batch, features] tensor.");
        var (name, input) = session.InputMetadata.First();
        InputName = name;
        inputNames = new[] { name };
        if (input.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || (input.ElementDataType != TensorElementType.Float && input.ElementDataType != TensorElementType.Double))
            throw new OnnxModelException(path, $"the model's input '{name}' is {Describe(input)}; flow features are numbers: the input must be a float or double tensor.");
        InputIsDouble = input.ElementDataType == TensorElementType.Double;
        if (input.Dimensions.Length != 2)
            throw new OnnxModelException(path, $"the model's input '{name}' has shape {Shape(input)}; a flow plugin feeds [batch, features] (rank 2).");
        int batch = input.Dimensions[0];
        if (batch > 1)
            throw new OnnxModelException(path, $"the model's input '{name}' has shape {Shape(input)}: a fixed batch of {batch} rows; the batch dimension must be 1 or dynamic.");
        MaxBatch = batch == 1 ? 1 : int.MaxValue;
        InputWidth = input.Dimensions[1];
        Outputs = session.OutputMetadata.Keys.ToArray();
    }

    /// <summary>The model file's full path.</summary>
    public string Path { get; }

    public string InputName { get; }

    /// <summary>Values per row the model takes, or -1 when its input leaves it open.</summary>
    public int InputWidth { get; }

    public bool InputIsDouble { get; }

    /// <summary>Rows per run: 1 for a model with a fixed batch of one, otherwise unbounded.</summary>
    public int MaxBatch { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>
    /// The model of a file: loaded once and shared while the file is unchanged.
    /// </summary>
    /// <exception cref="OnnxModelException">Missing, unreadable, corrupt, or an input a flow plugin cannot feed.</exception>
    public static OnnxModel Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var file = new FileInfo(path);
        if (Directory.Exists(path)) throw new OnnxModelException(path, "is a directory, not an ONNX model file.");
        if (!file.Exists) throw new OnnxModelException(path, "the ONNX model file does not exist.", new FileNotFoundException(path));
        var key = (path, file.LastWriteTimeUtc, file.Length);
        if (Loaded.TryGetValue(key, out var model)) return model;
        InferenceSession session;
        try
        {
            // One thread per run: flow models are small, and the meter's thread is the one to use. Failures reach the
            // user as errors, so ONNX Runtime's own log stays quiet.
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            };
            session = new InferenceSession(File.ReadAllBytes(path), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(path, $"not a valid ONNX model: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, $"cannot read the model: {e.Message}", e);
        }
        try
        {
            model = new OnnxModel(path, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return Loaded.GetOrAdd(key, model);
    }

    /// <summary>The output that gives each flow's value: <paramref name="requested"/>, or chosen as the help describes.</summary>
    public string ValueOutput(string? requested)
    {
        if (requested is not null)
        {
            var match = Outputs.FirstOrDefault(o => string.Equals(o, requested, StringComparison.OrdinalIgnoreCase))
                ?? throw new OnnxModelException(Path, $"the model has no output '{requested}'. Its outputs: {string.Join(", ", Outputs)}.");
            CheckValueOutput(match);
            return match;
        }
        string chosen = Outputs.Count == 1 ? Outputs[0]
            : Outputs.FirstOrDefault(o => LabelNames.Contains(Bare(o), StringComparer.OrdinalIgnoreCase))
            ?? Outputs.FirstOrDefault(o => !string.Equals(Bare(o), InputName, StringComparison.OrdinalIgnoreCase))
            ?? Outputs[0];
        CheckValueOutput(chosen);
        return chosen;
    }

    /// <summary>The output that holds class probabilities: the first other output whose name contains "prob".</summary>
    public string ProbabilityOutput(string valueOutput) =>
        Outputs.FirstOrDefault(o => o != valueOutput && o.Contains("prob", StringComparison.OrdinalIgnoreCase))
        ?? throw new OnnxModelException(Path, $"-Probability needs an output of class probabilities (an output whose name contains 'prob'); the model's outputs are {string.Join(", ", Outputs)}.");

    private void CheckValueOutput(string name)
    {
        var meta = session.OutputMetadata[name];
        if (meta.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
            throw new OnnxModelException(Path, $"the output '{name}' is {Describe(meta)}; a flow's value comes from a tensor output (name one with -Output).");
    }

    /// <summary>
    /// Runs the model on <paramref name="rows"/> rows of <paramref name="width"/> values and returns each row's
    /// value (and probabilities when <paramref name="probabilityOutput"/> is set). Thread-safe.
    /// </summary>
    public void Run<T>(T[] input, int rows, int width, string valueOutput, string? probabilityOutput, object?[] values, object?[]? probabilities)
        where T : unmanaged
    {
        using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, rows * width), new long[] { rows, width });
        var outputNames = probabilityOutput is null ? new[] { valueOutput } : new[] { valueOutput, probabilityOutput };
        using var runOptions = new RunOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var results = session.Run(runOptions, inputNames, new[] { tensor }, outputNames);
        ReadTensor(results[0], valueOutput, rows, values);
        if (probabilityOutput is not null) ReadProbabilities(results[1], probabilityOutput, rows, probabilities!);
    }

    private static void ReadTensor(OrtValue value, string name, int rows, object?[] into)
    {
        var info = value.GetTensorTypeAndShape();
        long count = info.ElementCount;
        if (rows == 0 || count % rows != 0 || count == 0)
            throw new InvalidDataException($"the output '{name}' has {count} values for {rows} flows.");
        int per = (int)(count / rows);
        for (int r = 0; r < rows; r++)
        {
            if (per == 1) into[r] = Element(value, info.ElementDataType, r);
            else
            {
                var row = new object?[per];
                for (int k = 0; k < per; k++) row[k] = Element(value, info.ElementDataType, r * per + k);
                into[r] = info.ElementDataType is TensorElementType.String or TensorElementType.Bool ? row : row.Select(Convert.ToDouble).ToArray();
            }
        }
    }

    private static object? Element(OrtValue value, TensorElementType type, int index) => type switch
    {
        TensorElementType.Float => (double)value.GetTensorDataAsSpan<float>()[index],
        TensorElementType.Double => value.GetTensorDataAsSpan<double>()[index],
        TensorElementType.Int64 => value.GetTensorDataAsSpan<long>()[index],
        TensorElementType.Int32 => value.GetTensorDataAsSpan<int>()[index],
        TensorElementType.Bool => value.GetTensorDataAsSpan<bool>()[index],
        TensorElementType.String => value.GetStringElement(index),
        var other => throw new InvalidDataException($"an output of element type {other} is not supported."),
    };

    private static void ReadProbabilities(OrtValue value, string name, int rows, object?[] into)
    {
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            ReadTensor(value, name, rows, into);
            return;
        }
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_SEQUENCE)
            throw new InvalidDataException($"the output '{name}' is a {value.OnnxType}, not probabilities.");
        // skl2onnx's ZipMap: a sequence of one map (class -> probability) per row.
        int count = value.GetValueCount();
        if (count != rows) throw new InvalidDataException($"the output '{name}' has {count} maps for {rows} flows.");
        var allocator = OrtAllocator.DefaultInstance;
        for (int r = 0; r < rows; r++)
        {
            using var map = value.GetValue(r, allocator);
            using var probs = map.GetValue(1, allocator);
            var span = probs.GetTensorDataAsSpan<float>();
            var row = new double[span.Length];
            for (int k = 0; k < span.Length; k++) row[k] = span[k];
            into[r] = row;
        }
    }

    private static string Bare(string output) =>
        output.EndsWith(".output", StringComparison.OrdinalIgnoreCase) ? output[..^".output".Length] : output;

    private static string Shape(NodeMetadata meta) =>
        "[" + string.Join(", ", meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString() : meta.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?")) + "]";

    private static string Describe(NodeMetadata meta) => meta.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => $"a {meta.ElementDataType} tensor {Shape(meta)}",
        OnnxValueType.ONNX_TYPE_SEQUENCE => "a sequence",
        OnnxValueType.ONNX_TYPE_MAP => "a map",
        var other => $"a {other}",
    };
}

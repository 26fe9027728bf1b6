namespace NFStream.Engine.Plugins.Onnx;

/// <summary>
/// A compiled plugin that scores flows with an ONNX model: builds each flow's input row from
/// <see cref="Features"/> and stores the model's value in <c>udps.NAME</c> (and, on request, the class
/// probabilities in <c>udps.NAME_probability</c>). Scores at expiry, in batches of the flows that expire
/// together, or once when a flow reaches <see cref="AfterPackets"/> packets. One instance may serve several runs
/// and threads at once: the model is shared and each thread batches on its own.
/// </summary>
public sealed class OnnxModelPlugin : IBatchingFlowPlugin, IFlowPluginRequirements
{
    /// <summary>Flows scored per model run at most.</summary>
    public const int BatchSize = 256;

    private readonly string valueOutput;
    private readonly string? probabilityOutput;
    private readonly string probabilityKey;
    private readonly ThreadLocal<Batch> batches;

    /// <exception cref="ArgumentException">An unknown or non-numeric feature column, or an AfterPackets below 1.</exception>
    /// <exception cref="OnnxModelException">A model that is missing, corrupt, or does not fit the features.</exception>
    public OnnxModelPlugin(string name, string modelPath, IReadOnlyList<string> features,
        OnnxScoreTime when = OnnxScoreTime.Expire, int afterPackets = 0, string? output = null, bool probability = false)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("The plugin needs a name (its udps key).", nameof(name));
        if (when == OnnxScoreTime.AfterPackets && afterPackets < 1)
            throw new ArgumentException("Scoring after a number of packets needs that number (1 or more).", nameof(afterPackets));
        Name = name;
        Features = new FlowFeatureLayout(features);
        Model = OnnxModel.Load(modelPath);
        When = when;
        AfterPackets = when == OnnxScoreTime.AfterPackets ? afterPackets : 0;
        int width = Model.InputWidth;
        if (width >= 0)
        {
            int rest = width - Features.ScalarCount;
            bool fits = Features.SeriesCount == 0 ? rest == 0 : rest > 0 && rest % Features.SeriesCount == 0;
            if (!fits)
                throw new OnnxModelException(Model.Path, $"the model's input '{Model.InputName}' takes {width} values per flow, but the features ({string.Join(", ", Features.Names)}) give " +
                    (Features.SeriesCount == 0 ? $"{Features.ScalarCount}." : $"{Features.ScalarCount} + {Features.SeriesCount} x N (the -SpltAnalysis length), which cannot make {width}."));
        }
        valueOutput = Model.ValueOutput(output);
        if (probability) probabilityOutput = Model.ProbabilityOutput(valueOutput);
        probabilityKey = name + "_probability";
        batches = new ThreadLocal<Batch>(() => new Batch(Math.Min(BatchSize, Model.MaxBatch)));
    }

    /// <summary>The udps key the value goes to.</summary>
    public string Name { get; }

    public OnnxModel Model { get; }

    public FlowFeatureLayout Features { get; }

    public OnnxScoreTime When { get; }

    /// <summary>With <see cref="OnnxScoreTime.AfterPackets"/>: the packet count at which a flow is scored.</summary>
    public int AfterPackets { get; }

    /// <summary>The model output whose value goes to <c>udps.NAME</c>.</summary>
    public string ValueOutput => valueOutput;

    /// <summary>The model output of class probabilities (with -Probability), or null.</summary>
    public string? ProbabilityOutput => probabilityOutput;

    public override string ToString() => $"{Name} (ONNX {System.IO.Path.GetFileName(Model.Path)})";

    public string? CheckOptions(FlowOptions options)
    {
        string? problem = Features.Check(options, Model.InputWidth);
        if (problem is null && When == OnnxScoreTime.AfterPackets && Features.SeriesCount > 0 && options.SpltAnalysis > AfterPackets)
            problem = $"scoring after {AfterPackets} packets with SPLT features of {options.SpltAnalysis} packets: the series would still be padded; use -SpltAnalysis {AfterPackets} or score later.";
        return problem is null ? null : $"The ONNX plugin '{Name}' cannot run: {problem}";
    }

    public void OnInit(NFPacket packet, NFlow flow)
    {
        if (AfterPackets == 1) ScoreNow(flow, "OnInit");
    }

    public void OnUpdate(NFPacket packet, NFlow flow)
    {
        if (AfterPackets > 1 && flow.BiPackets == (ulong)AfterPackets) ScoreNow(flow, "OnUpdate");
    }

    public void OnExpire(NFlow flow)
    {
        if (When == OnnxScoreTime.Expire) ScoreNow(flow, "OnExpire");
    }

    public void ExpireDeferred(NFlow flow)
    {
        if (When != OnnxScoreTime.Expire) return;
        var batch = batches.Value!;
        batch.Flows[batch.Count++] = flow;
        if (batch.Count == batch.Flows.Length) Score(batch, "OnExpire");
    }

    public void CompleteBatch()
    {
        if (When != OnnxScoreTime.Expire || !batches.IsValueCreated) return;
        var batch = batches.Value!;
        if (batch.Count > 0) Score(batch, "OnExpire");
    }

    public void OnCleanup()
    {
        if (batches.IsValueCreated) batches.Value!.Clear();
    }

    private void ScoreNow(NFlow flow, string callback)
    {
        var batch = batches.Value!;
        if (batch.Count > 0) Score(batch, callback);
        batch.Flows[batch.Count++] = flow;
        Score(batch, callback);
    }

    private void Score(Batch batch, string callback)
    {
        int rows = batch.Count;
        try
        {
            Run(batch, 0, rows);
            batch.Clear();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Find the flow that fails, as unbatched scoring would have: the flows before it keep their scores.
            int failed = 0;
            Exception cause = e;
            if (rows > 1)
            {
                for (failed = 0; failed < rows; failed++)
                {
                    try
                    {
                        Run(batch, failed, 1);
                    }
                    catch (Exception single) when (single is not OutOfMemoryException)
                    {
                        cause = single;
                        break;
                    }
                }
                if (failed == rows) failed = 0;   // fails only in a batch: fail them all
            }
            var unfinished = batch.Flows.AsSpan(failed, rows - failed).ToArray();
            batch.Clear();
            throw new FlowPluginException(Name, callback, unfinished[0],
                new InvalidOperationException($"the ONNX model {System.IO.Path.GetFileName(Model.Path)} failed: {cause.Message}", cause), unfinished);
        }
    }

    /// <summary>Scores <paramref name="rows"/> flows of the batch from <paramref name="first"/> on, and stores their values.</summary>
    private void Run(Batch batch, int first, int rows)
    {
        int width = -1;
        for (int r = 0; r < rows; r++)
        {
            var flow = batch.Flows[first + r];
            int w = Features.Width(flow.Splt?.Length ?? 0);
            if (width < 0) width = w;
            batch.Reserve(rows * width);
            if (Model.InputIsDouble) Features.Write(flow, batch.Doubles.AsSpan(r * width, width));
            else Features.Write(flow, batch.Floats.AsSpan(r * width, width));
        }
        if (Model.InputIsDouble) Model.Run(batch.Doubles, rows, width, valueOutput, probabilityOutput, batch.Values, batch.Probabilities);
        else Model.Run(batch.Floats, rows, width, valueOutput, probabilityOutput, batch.Values, batch.Probabilities);
        for (int r = 0; r < rows; r++)
        {
            var udps = batch.Flows[first + r].udps;
            udps[Name] = batch.Values[r];
            if (probabilityOutput is not null) udps[probabilityKey] = batch.Probabilities[r];
        }
    }

    /// <summary>One thread's pending flows and reusable buffers.</summary>
    private sealed class Batch
    {
        public readonly NFlow[] Flows;
        public readonly object?[] Values, Probabilities;
        public float[] Floats = new float[64];
        public double[] Doubles = new double[64];
        public int Count;

        public Batch(int capacity)
        {
            Flows = new NFlow[capacity];
            Values = new object?[capacity];
            Probabilities = new object?[capacity];
        }

        public void Reserve(int values)
        {
            if (Floats.Length < values) Array.Resize(ref Floats, Math.Max(values, Floats.Length * 2));
            if (Doubles.Length < values) Array.Resize(ref Doubles, Math.Max(values, Doubles.Length * 2));
        }

        public void Clear()
        {
            Array.Clear(Flows, 0, Count);
            Array.Clear(Values, 0, Count);
            Array.Clear(Probabilities, 0, Count);
            Count = 0;
        }
    }
}

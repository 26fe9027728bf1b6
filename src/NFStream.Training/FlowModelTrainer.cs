using Microsoft.ML;
using Microsoft.ML.Data;

namespace NFStream.Training;

/// <summary>
/// Trains a FastTree model (gradient-boosted trees) on rows of flow features with ML.NET and writes it as ONNX,
/// ready for New-NFPlugin -OnnxModel with the same feature columns in the same order. The model's input is one
/// float tensor, "Features" [batch, width].
/// </summary>
public static class FlowModelTrainer
{
    /// <summary>A binary classifier: its ONNX outputs include PredictedLabel (the label) and Probability.</summary>
    public static TrainingSummary TrainBinaryClassifier(float[][] features, bool[] labels, string onnxPath,
        int trees = 20, int leaves = 8, int minimumRowsPerLeaf = 2, int seed = 1)
    {
        Check(features, labels.Length);
        var ml = new MLContext(seed);
        var rows = features.Select((f, i) => new ClassRow { Features = f, Label = labels[i] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows, Schema<ClassRow>(features[0].Length));
        var model = ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: leaves, numberOfTrees: trees,
            minimumExampleCountPerLeaf: minimumRowsPerLeaf).Fit(data);
        var metrics = ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(data));
        Export(ml, model, features, onnxPath);
        return new TrainingSummary(Path.GetFullPath(onnxPath), features.Length, features[0].Length, metrics.Accuracy, null);
    }

    /// <summary>A regression: its ONNX output Score holds each flow's value.</summary>
    public static TrainingSummary TrainRegression(float[][] features, float[] targets, string onnxPath,
        int trees = 20, int leaves = 8, int minimumRowsPerLeaf = 2, int seed = 1)
    {
        Check(features, targets.Length);
        var ml = new MLContext(seed);
        var rows = features.Select((f, i) => new ValueRow { Features = f, Label = targets[i] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows, Schema<ValueRow>(features[0].Length));
        var model = ml.Regression.Trainers.FastTree(numberOfLeaves: leaves, numberOfTrees: trees,
            minimumExampleCountPerLeaf: minimumRowsPerLeaf).Fit(data);
        var metrics = ml.Regression.Evaluate(model.Transform(data));
        Export(ml, model, features, onnxPath);
        return new TrainingSummary(Path.GetFullPath(onnxPath), features.Length, features[0].Length, null, metrics.RootMeanSquaredError);
    }

    private static void Check(float[][] features, int labels)
    {
        if (features.Length == 0) throw new ArgumentException("No rows to train on.", nameof(features));
        if (features.Length != labels) throw new ArgumentException($"{features.Length} rows of features but {labels} labels.", nameof(features));
        int width = features[0].Length;
        for (int i = 0; i < features.Length; i++)
            if (features[i] is null || features[i].Length != width)
                throw new ArgumentException($"Row {i} has {features[i]?.Length ?? 0} values; row 0 has {width}.", nameof(features));
    }

    private static SchemaDefinition Schema<T>(int width)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private static void Export(MLContext ml, ITransformer model, float[][] features, string onnxPath)
    {
        // Export against a view of the features alone, so that the ONNX model's only input is "Features".
        var inputs = ml.Data.LoadFromEnumerable(features.Take(1).Select(f => new FeatureRow { Features = f }), Schema<FeatureRow>(features[0].Length));
        using var stream = File.Create(onnxPath);
        ml.Model.ConvertToOnnx(model, inputs, stream);
    }

    private class FeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class ClassRow : FeatureRow
    {
        public bool Label { get; set; }
    }

    private sealed class ValueRow : FeatureRow
    {
        public float Label { get; set; }
    }
}

namespace NFStream.Training;

/// <summary>What a training wrote: the ONNX file, the rows and width it learned from, and its fit on those rows.</summary>
public sealed record TrainingSummary(string Path, int Rows, int Width, double? TrainingAccuracy, double? TrainingRmse);

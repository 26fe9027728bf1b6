using System.Text;

namespace NFStream.Engine.Samples;

/// <summary>
/// Writes small ONNX models from code (ONNX files are protobuf: only the few fields these models need), for
/// tests, examples and benchmarks of ONNX plugins: a linear model (MatMul + Add), a linear classifier
/// (ai.onnx.ml LinearClassifier) and a lookup table (Gather) that fails on indices past its end.
/// </summary>
public static class OnnxModelWriter
{
    private const int FloatType = 1, Int64Type = 7, StringType = 8, DoubleType = 11;

    /// <summary>y = x · weights + bias, input "features" [N, weights.Length] float (or double), output "score" [N, 1].</summary>
    public static void WriteLinear(string path, float[] weights, float bias, bool dynamicWidth = false, bool doubleInput = false)
    {
        int d = weights.Length;
        var nodes = new List<byte[]>();
        var inits = new List<byte[]> { Tensor("w", new long[] { d, 1 }, weights), Tensor("b", new long[] { 1 }, new[] { bias }) };
        string x = "features";
        if (doubleInput)
        {
            nodes.Add(Node("Cast", new[] { "features" }, new[] { "xf" }, "", Attribute("to", FloatType)));
            x = "xf";
        }
        nodes.Add(Node("MatMul", new[] { x, "w" }, new[] { "xw" }));
        nodes.Add(Node("Add", new[] { "xw", "b" }, new[] { "score" }));
        Write(path, nodes, inits,
            new[] { ValueInfo("features", doubleInput ? DoubleType : FloatType, null, dynamicWidth ? null : d) },
            new[] { ValueInfo("score", FloatType, null, 1) });
    }

    /// <summary>
    /// ai.onnx.ml LinearClassifier: class c scores x · coefficients[c] + intercepts[c] (softmax with
    /// <paramref name="softmax"/>); outputs "label" [N] (a string) and "probabilities" [N, C].
    /// </summary>
    public static void WriteLinearClassifier(string path, string[] classes, float[][] coefficients, float[] intercepts, bool softmax = false)
    {
        int d = coefficients[0].Length;
        var node = Node("LinearClassifier", new[] { "features" }, new[] { "label", "probabilities" }, "ai.onnx.ml",
            Attribute("coefficients", coefficients.SelectMany(c => c).ToArray()),
            Attribute("intercepts", intercepts),
            Attribute("classlabels_strings", classes),
            Attribute("post_transform", softmax ? "SOFTMAX" : "NONE"));
        Write(path, new List<byte[]> { node }, new List<byte[]>(),
            new[] { ValueInfo("features", FloatType, null, d) },
            new[] { ValueInfo("label", StringType, null), ValueInfo("probabilities", FloatType, null, classes.Length) });
    }

    /// <summary>y = table[x] for one feature x (an index): input "features" [N, 1], output "value" [N, 1]; an index past the table's end fails at run time.</summary>
    public static void WriteLookup(string path, float[] table)
    {
        var nodes = new List<byte[]>
        {
            Node("Cast", new[] { "features" }, new[] { "index" }, "", Attribute("to", Int64Type)),
            Node("Gather", new[] { "table", "index" }, new[] { "value" }, "", Attribute("axis", 0)),
        };
        Write(path, nodes, new List<byte[]> { Tensor("table", new long[] { table.Length }, table) },
            new[] { ValueInfo("features", FloatType, null, 1) },
            new[] { ValueInfo("value", FloatType, null, 1) });
    }

    private static void Write(string path, List<byte[]> nodes, List<byte[]> initializers, byte[][] inputs, byte[][] outputs)
    {
        var graph = new Proto();
        foreach (var n in nodes) graph.Message(1, n);
        graph.String(2, "nfstream_sample");
        foreach (var t in initializers) graph.Message(5, t);
        foreach (var i in inputs) graph.Message(11, i);
        foreach (var o in outputs) graph.Message(12, o);
        var model = new Proto();
        model.Varint(1, 8);                                     // ir_version
        model.String(2, "NFStream.Engine.Samples");             // producer_name
        model.Message(7, graph.ToArray());
        model.Message(8, new Proto().String(1, "").Varint(2, 13).ToArray());          // opset ai.onnx 13
        model.Message(8, new Proto().String(1, "ai.onnx.ml").Varint(2, 1).ToArray()); // opset ai.onnx.ml 1
        File.WriteAllBytes(path, model.ToArray());
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs, string domain = "", params byte[][] attributes)
    {
        var p = new Proto();
        foreach (var i in inputs) p.String(1, i);
        foreach (var o in outputs) p.String(2, o);
        p.String(3, op + "_" + outputs[0]);
        p.String(4, op);
        foreach (var a in attributes) p.Message(5, a);
        if (domain.Length > 0) p.String(7, domain);
        return p.ToArray();
    }

    private static byte[] Attribute(string name, long value) => new Proto().String(1, name).Varint(3, (ulong)value).Varint(20, 2).ToArray();

    private static byte[] Attribute(string name, string value) => new Proto().String(1, name).String(4, value).Varint(20, 3).ToArray();

    private static byte[] Attribute(string name, float[] values)
    {
        var p = new Proto().String(1, name);
        foreach (var v in values) p.Fixed32(7, v);
        return p.Varint(20, 6).ToArray();
    }

    private static byte[] Attribute(string name, string[] values)
    {
        var p = new Proto().String(1, name);
        foreach (var v in values) p.String(9, v);
        return p.Varint(20, 8).ToArray();
    }

    private static byte[] Tensor(string name, long[] dims, float[] values)
    {
        var p = new Proto();
        foreach (var d in dims) p.Varint(1, (ulong)d);
        p.Varint(2, FloatType);
        foreach (var v in values) p.Fixed32(4, v);
        p.String(8, name);
        return p.ToArray();
    }

    /// <summary>A tensor value: element type, batch dimension "N" (or <paramref name="batch"/>), and a second dimension when given (null width with rank 2: symbolic).</summary>
    private static byte[] ValueInfo(string name, int elementType, int? batch, int? width = -1)
    {
        var shape = new Proto();
        shape.Message(1, batch is { } b ? new Proto().Varint(1, (ulong)b).ToArray() : new Proto().String(2, "N").ToArray());
        if (width is null) shape.Message(1, new Proto().String(2, "width").ToArray());
        else if (width >= 0) shape.Message(1, new Proto().Varint(1, (ulong)width.Value).ToArray());
        var tensorType = new Proto().Varint(1, (ulong)elementType).Message(2, shape.ToArray());
        var type = new Proto().Message(1, tensorType.ToArray());
        return new Proto().String(1, name).Message(2, type.ToArray()).ToArray();
    }

    /// <summary>A protobuf message being written: varints, 32-bit floats and length-delimited fields.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream bytes = new();

        public Proto Varint(int field, ulong value)
        {
            Key(field, 0);
            Raw(value);
            return this;
        }

        public Proto Fixed32(int field, float value)
        {
            Key(field, 5);
            bytes.Write(BitConverter.GetBytes(value));
            return this;
        }

        public Proto String(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            bytes.Write(value);
            return this;
        }

        public byte[] ToArray() => bytes.ToArray();

        private void Key(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            bytes.WriteByte((byte)value);
        }
    }
}

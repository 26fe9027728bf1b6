using System.Text;
using NFStream.Engine;
using NFStream.Engine.Export;
using NFStream.Tests.Hosting;
using Xunit;

namespace NFStream.Tests.Export;

/// <summary>
/// The shared export rules of issue 13: whole rows only (a failed write cuts the file back), exclusive write,
/// formula escaping and the fixed column set of a file.
/// </summary>
public sealed class ExportSafetyTests
{
    /// <summary>A file on a disk that fills up: it takes <c>capacity</c> bytes, writes part of the next write, then fails.</summary>
    private sealed class FillingStream : MemoryStream
    {
        private readonly int capacity;

        public FillingStream(int capacity) => this.capacity = capacity;

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            int room = capacity - (int)Length;
            if (count <= room)
            {
                base.Write(buffer, offset, count);
                return;
            }
            base.Write(buffer, offset, Math.Max(0, room));   // the part that fitted: a cut row
            throw new IOException("No space left on device");
        }
    }

    private static void WriteRow(WholeRowFile file, string row)
    {
        file.Text.Write(row);
        file.Text.Write('\n');
        file.EndRow();
    }

    [Fact]
    public void AFailedWriteCutsTheFileBackToItsLastWholeRow()
    {
        var disk = new FillingStream(capacity: 100);
        var file = new WholeRowFile(disk, "full.csv", autoFlush: false);
        WriteRow(file, "a,b");
        WriteRow(file, "1,2");
        file.Flush();
        for (int i = 0; i < 40; i++) WriteRow(file, $"{i},{i * 1000}");

        var failure = Assert.Throws<ExportWriteException>(() => file.Flush());

        Assert.Equal(2, failure.RowsInFile);
        Assert.Equal(40, failure.RowsLost);
        Assert.Contains("No space left on device", failure.Message);
        Assert.Equal("a,b\n1,2\n", Encoding.UTF8.GetString(disk.ToArray()));
        file.FailureReported();
        file.Dispose();   // reported already: not thrown again
    }

    [Fact]
    public void ARowThatWasNotEndedNeverReachesTheFile()
    {
        var disk = new MemoryStream();
        using (var file = new WholeRowFile(disk, "cut.csv", autoFlush: false))
        {
            WriteRow(file, "a,b");
            file.Text.Write("1,");   // interrupted (a stop, an error) before its end
        }
        Assert.Equal("a,b\n", Encoding.UTF8.GetString(disk.ToArray()));
    }

    [Fact]
    public void EndedRowsReachTheDiskWithinTheFlushIntervalWithoutMoreWrites()
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "quiet.csv");
        using var file = WholeRowFile.Open(path, append: false);
        WriteRow(file, "a,b");
        var deadline = DateTime.UtcNow + WholeRowFile.FlushInterval * 5;
        while (new FileInfo(path).Length == 0 && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Equal(4, new FileInfo(path).Length);
    }

    [Fact]
    public void ASecondWriterIsRefusedAndChangesNothing()
    {
        string path = Path.Combine(RepositoryPaths.NewScratchDirectory(), "one-writer.csv");
        using var first = WholeRowFile.Open(path, append: false);
        WriteRow(first, "a,b");
        first.Flush();

        var refused = Assert.Throws<ExportFileInUseException>(() => WholeRowFile.Open(path, append: false));

        Assert.Equal(path, refused.Path);
        Assert.Equal("a,b\n", File.ReadAllText(path));
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);   // readers are welcome
        Assert.Equal(4, reader.Length);
    }

    [Fact]
    public void WritingARowAllocatesNothing()
    {
        // The hot path of an export: the column-set check, the row (with a formula-escaped text cell) and its end.
        var options = new FlowOptions { NDissections = 0, StatisticalAnalysis = true };
        string sample = RepositoryPaths.NewSampleCapture();
        var flows = new List<NFlow>();
        using (var extractor = new NFStream.Engine.Flows.FlowExtractor(options))
        {
            using var source = NFStream.Engine.Capture.CaptureFile.Open(sample);
            while (extractor.Pump(source, 1000)) { }
            extractor.Finish();
            while (extractor.TryTakeFlow(out var flow)) flows.Add(flow);
        }
        var layout = ExportLayout.Of(flows[0]);
        // The same rows through the plain CSV writer: what the engine's values cost, not the safety around them.
        var plain = new CsvFlowWriter(new StreamWriter(Stream.Null), layout);
        long baseline = Allocated(() =>
        {
            foreach (var flow in flows) plain.Write(flow);
        });
        using var file = new WholeRowFile(Stream.Null, "null.csv", autoFlush: false);
        var csv = new CsvFlowWriter(file.Text, layout);
        long safe = Allocated(() =>
        {
            foreach (var flow in flows)
            {
                Assert.Null(layout.Check(flow));
                csv.Write(flow);
                file.EndRow();
            }
        });
        Assert.True(safe - baseline < 1024, $"{safe - baseline} bytes more than the plain writer's {baseline} for {20 * flows.Count} rows");
    }

    private static long Allocated(Action writeAll)
    {
        for (int i = 0; i < 50; i++) writeAll();   // warm up: buffers grow to their size
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) writeAll();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", true)]
    [InlineData("+cmd|' /C calc'!A0", true)]
    [InlineData("-2+3", true)]
    [InlineData("@SUM(A1)", true)]
    [InlineData("\tx", true)]
    [InlineData("\rx", true)]
    [InlineData("www.example.com", false)]
    [InlineData("", false)]
    public void FormulaStartsAreRecognised(string text, bool risky)
    {
        Assert.Equal(risky, FormulaInjection.IsRisky(text));
        Assert.Equal(risky ? "'" + text : text, FormulaInjection.Escape(text));
    }

    [Fact]
    public void TheHeaderQuotesNamesThatNeedIt()
    {
        var line = new StringBuilder();
        ExportLayout.AppendField(line, "udps.a,b");
        line.Append(',');
        ExportLayout.AppendField(line, "udps.say \"hi\"\nthere");
        Assert.Equal("\"udps.a,b\",\"udps.say \"\"hi\"\"\nthere\"", line.ToString());
        Assert.Equal(new[] { "udps.a,b", "udps.say \"hi\"\nthere" }, ExportLayout.ParseHeader(line + "\n1,2\n"));
        Assert.Null(ExportLayout.ParseHeader("id,expira"));
    }

    [Fact]
    public void AHeaderOfOtherColumnsIsRefusedWithWhatDiffers()
    {
        var core = ExportLayout.Of(FlowColumnSet.Core);
        var withStatistics = ExportLayout.Of(FlowColumnSet.Statistics);
        Assert.Null(core.CheckHeader(core.Names.ToArray()));
        string? problem = core.CheckHeader(withStatistics.Names.ToArray());
        Assert.NotNull(problem);
        Assert.Contains($"the file has {withStatistics.Count} columns and the flows have {core.Count}", problem);
    }

    [Fact]
    public void UnknownAnonymizationColumnsAreNamed()
    {
        Assert.Equal(new[] { "dst-ip", "udps." }, FlowAnonymizer.UnknownColumns(new[] { "src_ip", "dst-ip", "udps.seen", "udps." }));
    }
}

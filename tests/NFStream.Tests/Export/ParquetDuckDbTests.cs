using System.Diagnostics;
using DuckDB.NET.Data;
using NFStream.Engine;
using NFStream.Engine.Capture;
using NFStream.Engine.Export;
using NFStream.Engine.Flows;
using NFStream.Engine.Samples;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Export;

/// <summary>
/// Parquet files of flows read back by an independent reader, DuckDB: row counts, sums, column types, SPLT lists
/// and the source column equal the flows that were written; a run ended by SIGTERM leaves a readable file.
/// </summary>
public sealed class ParquetDuckDbTests
{
    private static readonly FlowOptions Full = new() { StatisticalAnalysis = true, SpltAnalysis = 12, NDissections = 0 };
    private readonly string dir = RepositoryPaths.NewScratchDirectory();

    private static List<NFlow> Flows(FlowOptions options, params string[] captures)
    {
        var flows = new List<NFlow>();
        foreach (var capture in captures)
        {
            using var extractor = new FlowExtractor(options);
            using var source = CaptureFile.Open(capture);
            while (extractor.Pump(source, 4096))
                while (extractor.TryTakeFlow(out var f)) flows.Add(f);
            extractor.Finish();
            while (extractor.TryTakeFlow(out var f)) flows.Add(f);
        }
        return flows;
    }

    private string Sample(string name, int seed)
    {
        string path = Path.Combine(dir, name);
        SampleCapture.Write(path, seed: seed);
        return path;
    }

    private static void Write(string file, IEnumerable<NFlow> flows, ParquetFlowLayout layout, FlowAnonymizer? anonymizer = null,
        ParquetCompression compression = ParquetCompression.Zstd, int rowGroupSize = ParquetFlowWriter.DefaultRowGroupSize)
    {
        using var writer = ParquetFlowWriter.Create(File.Create(file), layout, anonymizer, compression, rowGroupSize);
        foreach (var flow in flows) writer.Write(flow);
    }

    private static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static string Quoted(string path) => "'" + path.Replace("'", "''") + "'";

    [Theory]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Snappy)]
    public void StatisticsAndSpltReadBackWithTheSameValuesAndTypes(ParquetCompression compression)
    {
        var flows = Flows(Full, Sample("a.pcap", 1));
        string file = Path.Combine(dir, $"flows-{compression}.parquet");
        // Row groups of 7: the sample's flows span several groups, the last one partial.
        Write(file, flows, ParquetFlowLayout.For(flows[0]), compression: compression, rowGroupSize: 7);

        // NFStream's column names, in NFStream's order, with proper types.
        var schema = Query($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {Quoted(file)})");
        var expected = FlowColumns.For(Full.Columns);
        Assert.Equal(expected.Select(c => c.Name), schema.Select(r => (string)r[0]!));
        for (int i = 0; i < expected.Count; i++)
        {
            string type = expected[i].Kind switch
            {
                ColumnKind.Int or ColumnKind.UInt => "BIGINT",
                ColumnKind.Double => "DOUBLE",
                ColumnKind.String => "VARCHAR",
                ColumnKind.IntList => "INTEGER[]",
                _ => "BIGINT[]",
            };
            Assert.True(type == (string)schema[i][1]!, $"{expected[i].Name}: {schema[i][1]}, expected {type}");
        }

        // Row count and sums.
        var totals = Query($"SELECT count(*), sum(bidirectional_bytes)::BIGINT, sum(src2dst_packets)::BIGINT, sum(bidirectional_mean_ps), " +
                           $"sum(len(splt_ps))::BIGINT, count(DISTINCT src_ip) FROM {Quoted(file)}").Single();
        Assert.Equal((long)flows.Count, Convert.ToInt64(totals[0]));
        Assert.Equal(flows.Sum(f => (long)f.bidirectional_bytes), Convert.ToInt64(totals[1]));
        Assert.Equal(flows.Sum(f => (long)f.src2dst_packets), Convert.ToInt64(totals[2]));
        Assert.Equal(flows.Sum(f => f.bidirectional_mean_ps), (double)totals[3]!, 9);
        Assert.Equal(flows.Count * 12L, Convert.ToInt64(totals[4]));
        Assert.Equal(flows.Select(f => f.src_ip).Distinct().Count(), Convert.ToInt32(totals[5]));

        // Every value of every row, in order (lists element by element, doubles bit for bit).
        var rows = Query($"SELECT * FROM {Quoted(file)}");
        Assert.Equal(flows.Count, rows.Count);
        for (int r = 0; r < flows.Count; r++)
        {
            for (int c = 0; c < expected.Count; c++)
            {
                object value = expected[c].GetValue(flows[r]);
                object? read = rows[r][c];
                switch (value)
                {
                    case ulong u: Assert.Equal((long)u, Assert.IsType<long>(read)); break;
                    case int n: Assert.Equal(n, Assert.IsType<long>(read)); break;
                    case long n: Assert.Equal(n, Assert.IsType<long>(read)); break;
                    case double d: Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(Assert.IsType<double>(read))); break;
                    case string s: Assert.Equal(s, Assert.IsType<string>(read)); break;
                    case int[] a: Assert.Equal(a, Assert.IsAssignableFrom<System.Collections.IEnumerable>(read).Cast<object>().Select(Convert.ToInt32)); break;
                    case long[] a: Assert.Equal(a, Assert.IsAssignableFrom<System.Collections.IEnumerable>(read).Cast<object>().Select(Convert.ToInt64)); break;
                    default: Assert.Fail($"unexpected {value.GetType()}"); break;
                }
            }
        }
        // The SPLT series are really padded with -1 past a flow's packets.
        Assert.Contains(flows, f => f.bidirectional_packets < 12);
        var padded = Query($"SELECT count(*) FROM {Quoted(file)} WHERE list_contains(splt_ps, -1)").Single();
        Assert.Equal(flows.Count(f => f.bidirectional_packets < 12), Convert.ToInt32(padded[0]));
    }

    [Fact]
    public void SourceColumnTracesEveryRowToItsCaptureAndIsOffByDefault()
    {
        string a = Sample("first.pcap", 1), b = Sample("second.pcap", 2);
        var flows = Flows(new FlowOptions { NDissections = 0 }, a, b);
        Assert.All(flows, f => Assert.True(f.source == a || f.source == b));
        string with = Path.Combine(dir, "with-source.parquet"), without = Path.Combine(dir, "without-source.parquet");
        Write(with, flows, ParquetFlowLayout.For(flows[0], includeSource: true));
        Write(without, flows, ParquetFlowLayout.For(flows[0]));

        var perSource = Query($"SELECT source, count(*), max(id) FROM {Quoted(with)} GROUP BY source ORDER BY source");
        Assert.Equal(new[] { a, b }.OrderBy(s => s, StringComparer.Ordinal), perSource.Select(r => (string)r[0]!));
        Assert.Equal(flows.Count(f => f.source == a), Convert.ToInt32(perSource.Single(r => (string)r[0]! == a)[1]));
        Assert.Equal(flows.Count(f => f.source == b), Convert.ToInt32(perSource.Single(r => (string)r[0]! == b)[1]));
        Assert.Equal("source", Query($"SELECT column_name FROM (DESCRIBE SELECT * FROM {Quoted(with)})").Last()[0]);
        Assert.DoesNotContain(Query($"SELECT column_name FROM (DESCRIBE SELECT * FROM {Quoted(without)})"), r => (string)r[0]! == "source");
    }

    [Fact]
    public void SourceSurvivesShardedMetersAndContinuousRuns()
    {
        string a = Sample("c1.pcap", 1), b = Sample("c2.pcap", 3);
        foreach (int meters in new[] { 1, 3 })
        {
            using var extractor = new FlowExtractor(new FlowOptions { NDissections = 0, Meters = meters, IdleTimeoutSeconds = 100000 });
            var flows = new List<NFlow>();
            foreach (var capture in new[] { a, b })
            {
                using var source = CaptureFile.Open(capture);
                while (extractor.Pump(source, 64))
                    while (extractor.TryTakeFlow(out var f)) flows.Add(f);
            }
            extractor.Finish();
            while (extractor.TryTakeFlow(out var f)) flows.Add(f);
            // One capture run over both files: each flow names the file of its first packet.
            Assert.Contains(flows, f => f.source == a);
            Assert.Contains(flows, f => f.source == b);
            Assert.All(flows, f => Assert.True(f.source == a || f.source == b, $"{meters} meters: '{f.source}'"));
        }
    }

    [Fact]
    public void AnonymizedColumnsAreTextHashesAndPluginValuesKeepTheirType()
    {
        var flows = Flows(new FlowOptions { NDissections = 0 }, Sample("p.pcap", 1));
        for (int i = 0; i < flows.Count; i++)
        {
            flows[i].udps["packets_twice"] = (long)flows[i].bidirectional_packets * 2;
            flows[i].udps["ratio"] = flows[i].bidirectional_bytes / (double)flows[i].bidirectional_packets;
            flows[i].udps["tag"] = "t" + i;
            if (i % 2 == 0) flows[i].udps["even"] = true;
        }
        // The first flow decides the types; a missing value is null.
        string file = Path.Combine(dir, "udps.parquet");
        Write(file, flows, ParquetFlowLayout.For(flows[0]), new FlowAnonymizer(new[] { "src_ip", "udps.tag" }, new byte[] { 1, 2, 3 }));
        var schema = Query($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {Quoted(file)})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("VARCHAR", schema["src_ip"]);
        Assert.Equal("BIGINT", schema["udps.packets_twice"]);
        Assert.Equal("DOUBLE", schema["udps.ratio"]);
        Assert.Equal("VARCHAR", schema["udps.tag"]);
        Assert.Equal("BOOLEAN", schema["udps.even"]);
        var sums = Query($"SELECT sum(\"udps.packets_twice\")::BIGINT, count(\"udps.even\"), min(length(src_ip)), count(DISTINCT \"udps.tag\") FROM {Quoted(file)}").Single();
        Assert.Equal(flows.Sum(f => (long)f.bidirectional_packets * 2), Convert.ToInt64(sums[0]));
        Assert.Equal((flows.Count + 1) / 2, Convert.ToInt32(sums[1]));
        Assert.Equal(128, Convert.ToInt32(sums[2]));
        Assert.Equal(flows.Count, Convert.ToInt32(sums[3]));
        var hashed = new FlowAnonymizer(new[] { "src_ip" }, new byte[] { 1, 2, 3 }).Hash(flows[0].src_ip);
        Assert.Equal(hashed, Query($"SELECT src_ip FROM {Quoted(file)} LIMIT 1").Single()[0]);
    }

    [Fact]
    public void FlowThatDoesNotFitIsRefusedWithoutTouchingTheFile()
    {
        var flows = Flows(Full, Sample("m.pcap", 1));
        var other = Flows(new FlowOptions { NDissections = 0 }, Sample("m2.pcap", 1));
        string file = Path.Combine(dir, "mixed.parquet");
        using (var writer = ParquetFlowWriter.Create(File.Create(file), ParquetFlowLayout.For(flows[0])))
        {
            writer.Write(flows[0]);
            Assert.NotNull(writer.Check(other[0]));
            Assert.Throws<ArgumentException>(() => writer.Write(other[0]));
            writer.Write(flows[1]);
        }
        Assert.Equal(2L, Convert.ToInt64(Query($"SELECT count(*) FROM {Quoted(file)}").Single()[0]));
    }

    /// <summary>Adding a flow to the row group allocates nothing once the buffers have their working size.</summary>
    [Fact]
    public void AddingFlowsToARowGroupAllocatesNothing()
    {
        var flows = Flows(Full, Sample("alloc.pcap", 1));
        using var writer = ParquetFlowWriter.Create(new MemoryStream(), ParquetFlowLayout.For(flows[0], includeSource: true),
            rowGroupSize: 1 << 16);
        foreach (var f in flows) writer.Write(f);   // grows the SPLT buffers; the flows' address text is cached
        writer.Flush();
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var f in flows) writer.Write(f);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Nothing per item: a few KB once (the runtime tiering up the loop on this thread) is not per item.
        Assert.True(allocated < 16_384, $"{allocated} bytes allocated");
        Assert.Equal(2L * flows.Count, writer.Rows);
    }

    [Fact]
    public void EmptyFileHasTheDefaultColumnsAndNoRows()
    {
        string file = Path.Combine(dir, "empty.parquet");
        Write(file, Array.Empty<NFlow>(), ParquetFlowLayout.Empty());
        Assert.Equal(0L, Convert.ToInt64(Query($"SELECT count(*) FROM {Quoted(file)}").Single()[0]));
        Assert.Equal(FlowColumns.For(new FlowOptions().Columns).Select(c => c.Name),
            Query($"SELECT column_name FROM (DESCRIBE SELECT * FROM {Quoted(file)})").Select(r => (string)r[0]!));
    }

    /// <summary>
    /// A pwsh process exporting flows with statistics and SPLT is sent SIGTERM mid-run (after 20 of its 33 flows;
    /// row groups of 8): the file it leaves is valid Parquet holding exactly the flows taken, the 16 of the two full
    /// row groups and the 4 still waiting, with their values.
    /// </summary>
    [Fact]
    public void SigtermMidRunLeavesAValidFileWithTheFlowsWrittenSoFar()
    {
        string sample = Sample("term.pcap", 1), file = Path.Combine(dir, "term.parquet"), done = Path.Combine(dir, "after-kill.txt");
        string script = $$"""
            Import-Module '{{RepositoryPaths.ModuleManifest}}'
            $n = 0
            Get-NFFlow -LiteralPath '{{sample}}' -StatisticalAnalysis -SpltAnalysis 12 -NDissections 0 |
                ForEach-Object { if ($n++ -eq 20) { kill -TERM $PID; Start-Sleep -Seconds 20; Set-Content '{{done}}' 'not ended' }; $_ } |
                Export-NFFlowParquet -LiteralPath '{{file}}' -RowGroupSize 8
            """;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", script }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "pwsh did not end after SIGTERM");
        Assert.False(File.Exists(done), "the process outlived SIGTERM");

        var flows = Flows(Full with { SpltAnalysis = 12 }, sample).Take(20).ToList();
        var rows = Query($"SELECT id, bidirectional_bytes, bidirectional_stddev_ps, splt_piat_ms FROM {Quoted(file)} ORDER BY id");
        Assert.True(rows.Count == 20, $"{rows.Count} rows; stderr: {stderr.Result}");
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(flows[i].id, (long)rows[i][0]!);
            Assert.Equal((long)flows[i].bidirectional_bytes, (long)rows[i][1]!);
            Assert.Equal(flows[i].bidirectional_stddev_ps, (double)rows[i][2]!);
            Assert.Equal(flows[i].splt_piat_ms, ((System.Collections.IEnumerable)rows[i][3]!).Cast<object>().Select(Convert.ToInt64));
        }
        Assert.Equal(3L, Convert.ToInt64(Query($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({Quoted(file)})").Single()[0]));
    }
}

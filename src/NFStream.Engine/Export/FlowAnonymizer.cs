using System.Security.Cryptography;
using System.Text;

namespace NFStream.Engine.Export;

/// <summary>
/// NFStream's column anonymization: a value becomes the hex of keyed BLAKE2b-512 over its UTF-8 text. NFStream
/// draws a fresh 64-byte key per export (values link within a file, not across runs); a fixed key makes runs
/// reproducible and linkable.
/// </summary>
public sealed class FlowAnonymizer
{
    public const int KeyLength = 64;
    private readonly byte[] key;
    private readonly HashSet<string> columns;

    public FlowAnonymizer(IEnumerable<string> columns, byte[]? key = null)
    {
        this.columns = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
        if (key is { Length: > KeyLength }) throw new ArgumentException($"An anonymization key has at most {KeyLength} bytes.", nameof(key));
        this.key = key ?? RandomNumberGenerator.GetBytes(KeyLength);
    }

    public IReadOnlyCollection<string> Columns => columns;

    /// <summary>
    /// The names that are neither an NFStream column nor a plugin value (udps.NAME): an exporter refuses them
    /// before it creates its file, since anonymizing nothing would write the real values.
    /// </summary>
    public static IReadOnlyList<string> UnknownColumns(IEnumerable<string> names) => names
        .Where(n => !FlowColumns.TryGet(n, out _) && !(n.StartsWith("udps.", StringComparison.OrdinalIgnoreCase) && n.Length > 5))
        .ToArray();

    public bool Covers(string column) => columns.Contains(column);

    public string Hash(string text) => Blake2b.ComputeHashHex(key, Encoding.UTF8.GetBytes(text));
}

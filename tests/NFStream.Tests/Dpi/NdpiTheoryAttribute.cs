namespace NFStream.Tests.Dpi;

/// <summary>A theory that needs the native nDPI shim; skipped (outside CI only) like <see cref="NdpiFactAttribute"/>.</summary>
public sealed class NdpiTheoryAttribute : TheoryAttribute
{
    public NdpiTheoryAttribute()
    {
        if (new NdpiFactAttribute().Skip is { } reason) Skip = reason;
    }
}

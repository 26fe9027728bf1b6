namespace NFStream.Tests.Hosting;

/// <summary>One PowerShell session shared by the tests of a collection (importing the module once).</summary>
public sealed class PowerShellFixture : IDisposable
{
    private readonly Lazy<PowerShellSession> session = new(() => new PowerShellSession());

    public PowerShellSession Session => session.Value;

    public void Dispose()
    {
        if (session.IsValueCreated) session.Value.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PowerShellCollection : ICollectionFixture<PowerShellFixture>
{
    public const string Name = "PowerShell";
}

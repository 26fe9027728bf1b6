using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace NFStream.Training;

/// <summary>
/// Loaded with Add-Type -Path, this assembly finds ML.NET's assemblies beside itself (PowerShell does not look
/// there on its own).
/// </summary>
internal static class AssemblyResolver
{
    [ModuleInitializer]
    internal static void Register()
    {
        string directory = Path.GetDirectoryName(typeof(AssemblyResolver).Assembly.Location)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            string candidate = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
    }
}

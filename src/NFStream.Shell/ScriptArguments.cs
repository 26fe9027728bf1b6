using System.Management.Automation;

namespace NFStream.Shell;

/// <summary>
/// Binds -File arguments as pwsh does: <c>-Name value</c> and <c>-Name:value</c> are named parameters, a
/// <c>-Name</c> followed by another <c>-Name</c> (or nothing) is a switch, anything else is positional.
/// </summary>
internal static class ScriptArguments
{
    public static void Bind(PowerShell ps, IReadOnlyList<string> arguments)
    {
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            if (!IsParameterName(argument))
            {
                ps.AddArgument(argument);
                continue;
            }
            string name = argument[1..];
            int colon = name.IndexOf(':');
            if (colon > 0)
            {
                ps.AddParameter(name[..colon], Value(name[(colon + 1)..]));
            }
            else if (i + 1 < arguments.Count && !IsParameterName(arguments[i + 1]))
            {
                ps.AddParameter(name, arguments[++i]);
            }
            else
            {
                ps.AddParameter(name);
            }
        }
    }

    private static bool IsParameterName(string argument) =>
        argument.Length > 1 && argument[0] == '-' && (char.IsLetter(argument[1]) || argument[1] == '_');

    private static object Value(string text) => text switch
    {
        "$true" => true,
        "$false" => false,
        _ => text,
    };
}

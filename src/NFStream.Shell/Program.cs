using NFStream.Shell;

ShellOptions options;
try
{
    options = ShellOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ShellOptions.Usage);
    return 64;
}
if (options.ShowHelp)
{
    Console.WriteLine(ShellOptions.Usage);
    return 0;
}
using var runner = new ScriptRunner();
return runner.ImportModule() ? runner.Run(options) : 1;

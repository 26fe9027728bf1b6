using System.Management.Automation.Host;

namespace NFStream.Shell;

/// <summary>The console's size, so that table views fit the terminal (120 columns when output is redirected).</summary>
internal sealed class ShellRawUserInterface : PSHostRawUserInterface
{
    private const int RedirectedWidth = 120;

    private static int Width
    {
        get
        {
            if (Environment.GetEnvironmentVariable("COLUMNS") is { } columns && int.TryParse(columns, out int fromEnvironment) && fromEnvironment > 20)
                return fromEnvironment;
            if (Console.IsOutputRedirected) return RedirectedWidth;
            try
            {
                return Console.WindowWidth > 20 ? Console.WindowWidth : RedirectedWidth;
            }
            catch (IOException)
            {
                return RedirectedWidth;
            }
        }
    }

    public override Size BufferSize { get => new(Width, 9999); set { } }
    public override Size WindowSize { get => new(Width, 50); set { } }
    public override Size MaxWindowSize => new(Width, 50);
    public override Size MaxPhysicalWindowSize => new(Width, 50);
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Coordinates CursorPosition { get; set; }
    public override Coordinates WindowPosition { get; set; }
    public override int CursorSize { get; set; } = 25;
    public override string WindowTitle { get; set; } = "nfstream";
    public override bool KeyAvailable => false;

    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("This host does not read keys.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}

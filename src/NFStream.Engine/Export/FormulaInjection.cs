namespace NFStream.Engine.Export;

/// <summary>
/// Spreadsheet formula injection (CSV injection): a text cell that starts with '=', '+', '-', '@', a tab or a
/// carriage return is run as a formula by Excel, LibreOffice and Google Sheets. Host names, user agents, content
/// types and server names are chosen by whoever sends the traffic, so an exporter prefixes such cells with a single
/// quote, as OWASP recommends; spreadsheets show the text, and the quote is easy to strip for a pipeline that needs
/// the raw value. Numbers are never text cells and never touched. Shared by every flow exporter.
/// </summary>
public static class FormulaInjection
{
    /// <summary>The character put in front of a cell that would otherwise start a formula.</summary>
    public const char Prefix = '\'';

    /// <summary>True when a spreadsheet would read a cell starting with this text as a formula.</summary>
    public static bool IsRisky(ReadOnlySpan<char> text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The text, prefixed with a single quote when it would start a formula; otherwise the same string.</summary>
    public static string Escape(string text) => IsRisky(text) ? Prefix + text : text;
}

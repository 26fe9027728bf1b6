using System.Xml;

namespace NFStream.HelpBuilder;

/// <summary>Writes MAML (the XML that Get-Help reads for binary modules), in the layout platyPS produces.</summary>
internal static class MamlWriter
{
    private const string Msh = "http://msh";
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(string path, IEnumerable<(CmdletFacts Code, CommandHelp Text)> commands)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new System.Text.UTF8Encoding(false) };
        using var xml = XmlWriter.Create(path, settings);
        xml.WriteStartDocument();
        xml.WriteStartElement("helpItems", Msh);
        xml.WriteAttributeString("schema", "maml");
        foreach (var (code, text) in commands) WriteCommand(xml, code, text);
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteCommand(XmlWriter xml, CmdletFacts code, CommandHelp text)
    {
        xml.WriteStartElement("command", "command", Command);
        xml.WriteAttributeString("xmlns", "maml", null, Maml);
        xml.WriteAttributeString("xmlns", "dev", null, Dev);

        xml.WriteStartElement("command", "details", Command);
        xml.WriteElementString("command", "name", Command, code.Name);
        xml.WriteElementString("command", "verb", Command, code.Cmdlet.Verb);
        xml.WriteElementString("command", "noun", Command, code.Cmdlet.Noun);
        Description(xml, text.Synopsis);
        xml.WriteEndElement();

        Description(xml, text.Description);

        xml.WriteStartElement("command", "syntax", Command);
        foreach (var set in code.Syntax)
        {
            xml.WriteStartElement("command", "syntaxItem", Command);
            xml.WriteElementString("maml", "name", Maml, code.Name);
            foreach (var p in set.Parameters)
                Parameter(xml, p.Facts, text, p.Mandatory, p.Position, inSyntax: true);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteStartElement("command", "parameters", Command);
        foreach (var p in code.Parameters) Parameter(xml, p, text, p.Mandatory, p.Position, inSyntax: false);
        xml.WriteEndElement();

        xml.WriteStartElement("command", "inputTypes", Command);
        foreach (var input in text.Inputs) TypeEntry(xml, "inputType", input);
        xml.WriteEndElement();

        xml.WriteStartElement("command", "returnValues", Command);
        foreach (var output in text.Outputs) TypeEntry(xml, "returnValue", output);
        xml.WriteEndElement();

        xml.WriteStartElement("maml", "alertSet", Maml);
        xml.WriteStartElement("maml", "alert", Maml);
        Paragraphs(xml, text.Notes);
        xml.WriteEndElement();
        xml.WriteEndElement();

        xml.WriteStartElement("command", "examples", Command);
        foreach (var example in text.Examples)
        {
            xml.WriteStartElement("command", "example", Command);
            xml.WriteElementString("maml", "title", Maml, $"-------------------------- {example.Title} --------------------------");
            xml.WriteElementString("dev", "code", Dev, example.Code);
            xml.WriteStartElement("dev", "remarks", Dev);
            Paragraphs(xml, example.Remarks);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteStartElement("command", "relatedLinks", Command);
        foreach (var link in text.Links)
        {
            xml.WriteStartElement("maml", "navigationLink", Maml);
            xml.WriteElementString("maml", "linkText", Maml, link.Text);
            xml.WriteElementString("maml", "uri", Maml, link.Uri.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? link.Uri : "");
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteEndElement();
    }

    private static void Parameter(XmlWriter xml, ParameterFacts p, CommandHelp text, bool mandatory, int? position, bool inSyntax)
    {
        text.Parameters.TryGetValue(p.Name, out var help);
        xml.WriteStartElement("command", "parameter", Command);
        xml.WriteAttributeString("required", mandatory ? "true" : "false");
        xml.WriteAttributeString("variableLength", p.Type.IsArray ? "true" : "false");
        xml.WriteAttributeString("globbing", p.Wildcards ? "true" : "false");
        xml.WriteAttributeString("pipelineInput", p.PipelineInput);
        xml.WriteAttributeString("position", position is int at ? at.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named");
        xml.WriteAttributeString("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases));
        xml.WriteElementString("maml", "name", Maml, p.Name);
        Description(xml, help?.Description ?? new List<string>());
        if (inSyntax && p.ValidValues.Count > 0)
        {
            xml.WriteStartElement("command", "parameterValueGroup", Command);
            foreach (var value in p.ValidValues)
            {
                xml.WriteStartElement("command", "parameterValue", Command);
                xml.WriteAttributeString("required", "false");
                xml.WriteAttributeString("command", "variableLength", Command, "false");
                xml.WriteString(value);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        if (!p.IsSwitch)
        {
            xml.WriteStartElement("command", "parameterValue", Command);
            xml.WriteAttributeString("required", "true");
            xml.WriteAttributeString("variableLength", p.Type.IsArray ? "true" : "false");
            xml.WriteString(p.ShortTypeName);
            xml.WriteEndElement();
        }
        xml.WriteStartElement("dev", "type", Dev);
        xml.WriteElementString("maml", "name", Maml, p.IsSwitch ? "System.Management.Automation.SwitchParameter" : TypeNames.Full(p.Type));
        xml.WriteElementString("maml", "uri", Maml, "");
        xml.WriteEndElement();
        xml.WriteElementString("dev", "defaultValue", Dev, help?.DefaultValue ?? p.CodeDefault);
        xml.WriteEndElement();
    }

    private static void TypeEntry(XmlWriter xml, string element, TypeHelp type)
    {
        xml.WriteStartElement("command", element, Command);
        xml.WriteStartElement("dev", "type", Dev);
        xml.WriteElementString("maml", "name", Maml, type.TypeName);
        xml.WriteEndElement();
        Description(xml, type.Description);
        xml.WriteEndElement();
    }

    private static void Description(XmlWriter xml, List<string> paragraphs)
    {
        xml.WriteStartElement("maml", "description", Maml);
        Paragraphs(xml, paragraphs);
        xml.WriteEndElement();
    }

    private static void Paragraphs(XmlWriter xml, List<string> paragraphs)
    {
        foreach (var paragraph in paragraphs) xml.WriteElementString("maml", "para", Maml, paragraph);
    }
}

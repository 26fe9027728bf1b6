using System.Xml;

namespace NFStream.HelpBuilder;

/// <summary>Writes MAML (the format Get-HelP reads for binary modules) from the markdown and the metadata.</summary>
internal static class MamlWriter
{
    private const string Msh = "http://msh", Maml = "http://schemas.microsoft.com/maml/2004/10",
        Command = "http://schemas.microsoft.com/maml/dev/command/2004/10", Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(string path, IEnumerable<(CmdletMetadata Meta, CmdletHelpSource Help, Func<string, string> Describe)> cmdlets)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  " };
        using var w = XmlWriter.Create(path, settings);
        w.WriteStartDocument();
        w.WriteStartElement("helpItems", Msh);
        w.WriteAttributeString("schema", "maml");
        foreach (var (meta, help, describe) in cmdlets)
        {
            w.WriteStartElement("command", "command", Command);
            w.WriteAttributeString("xmlns", "maml", null, Maml);
            w.WriteAttributeString("xmlns", "dev", null, Dev);
            w.WriteStartElement("command", "details", Command);
            w.WriteElementString("command", "name", Command, meta.Name);
            w.WriteElementString("command", "verb", Command, meta.Verb);
            w.WriteElementString("command", "noun", Command, meta.Noun);
            Description(w, help.Synopsis);
            w.WriteEndElement();
            Description(w, help.Description);

            w.WriteStartElement("command", "syntax", Command);
            foreach (string set in meta.ParameterSets)
            {
                w.WriteStartElement("command", "syntaxItem", Command);
                w.WriteElementString("maml", "name", Maml, meta.Name);
                foreach (var p in meta.Parameters.Where(p => p.InSet(set))) Parameter(w, p, p.For(set), describe(p.Name));
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("command", "parameters", Command);
            foreach (var p in meta.Parameters) Parameter(w, p, p.Attributes[0], describe(p.Name));
            w.WriteEndElement();

            TypeList(w, "inputTypes", "inputType", help.Inputs);
            TypeList(w, "returnValues", "returnValue", help.Outputs);

            if (help.Notes.Count > 0)
            {
                w.WriteStartElement("maml", "alertSet", Maml);
                w.WriteStartElement("maml", "alert", Maml);
                foreach (string note in help.Notes) Paragraphs(w, note);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteStartElement("command", "examples", Command);
            foreach (var (title, code, remarks) in help.Examples)
            {
                w.WriteStartElement("command", "example", Command);
                w.WriteElementString("maml", "title", Maml, $"-------------------------- {title} --------------------------");
                w.WriteElementString("dev", "code", Dev, code);
                w.WriteStartElement("dev", "remarks", Dev);
                Paragraphs(w, remarks);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();

            w.WriteStartElement("command", "relatedLinks", Command);
            foreach (string link in help.Links)
            {
                w.WriteStartElement("maml", "navigationLink", Maml);
                bool uri = link.StartsWith("http", StringComparison.OrdinalIgnoreCase);
                w.WriteElementString("maml", "linkText", Maml, uri ? "Online" : link);
                w.WriteElementString("maml", "uri", Maml, uri ? link : "");
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void Parameter(XmlWriter w, CmdletMetadata.ParameterMetadata p, System.Management.Automation.ParameterAttribute a, string description)
    {
        bool isSwitch = p.TypeName == "SwitchParameter";
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", a.Mandatory ? "true" : "false");
        w.WriteAttributeString("variableLength", "true");
        w.WriteAttributeString("globbing", p.Wildcards ? "true" : "false");
        w.WriteAttributeString("pipelineInput", p.Pipeline(a));
        w.WriteAttributeString("position", a.Position >= 0 ? a.Position.ToString() : "named");
        w.WriteAttributeString("aliases", p.Aliases.Count > 0 ? string.Join(", ", p.Aliases) : "none");
        w.WriteElementString("maml", "name", Maml, p.Name);
        Description(w, description);
        if (!isSwitch)
        {
            w.WriteStartElement("command", "parameterValue", Command);
            w.WriteAttributeString("required", "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(p.TypeName);
            w.WriteEndElement();
        }
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, p.TypeName);
        w.WriteElementString("maml", "uri", Maml, "");
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", Dev, p.DefaultValue);
        w.WriteEndElement();
    }

    private static void TypeList(XmlWriter w, string list, string item, List<(string Type, string Text)> types)
    {
        w.WriteStartElement("command", list, Command);
        foreach (var (type, text) in types)
        {
            w.WriteStartElement("command", item, Command);
            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, type);
            w.WriteEndElement();
            Description(w, text);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Description(XmlWriter w, string text)
    {
        w.WriteStartElement("maml", "description", Maml);
        Paragraphs(w, text);
        w.WriteEndElement();
    }

    private static void Paragraphs(XmlWriter w, string text)
    {
        foreach (string paragraph in CmdletHelpSource.Paragraphs(text)) w.WriteElementString("maml", "para", Maml, paragraph);
    }
}

namespace NFStream.Engine.Capture;

/// <summary>A source whose packets (mostly) share one link type, for messages.</summary>
public interface IHasLinkType
{
    int LinkType { get; }
}

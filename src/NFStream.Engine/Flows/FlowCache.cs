namespace NFStream.Engine.Flows;

/// <summary>
/// The active flows of one meter: a hash table for lookup plus a list in creation order, which is the order in
/// which NFStream's idle scan visits flows and its end-of-input flush emits them (its cache is an OrderedDict
/// that is never reordered on lookup).
/// </summary>
internal sealed class FlowCache
{
    private readonly Dictionary<FlowKey, NFlow> table;
    private NFlow? oldest, newest;

    public FlowCache(int capacity) => table = new Dictionary<FlowKey, NFlow>(capacity);

    public int Count => table.Count;

    /// <summary>The flow created first among those still cached.</summary>
    public NFlow? Oldest => oldest;

    public bool TryGet(in FlowKey key, out NFlow flow) => table.TryGetValue(key, out flow!);

    public void Add(NFlow flow)
    {
        table.Add(flow.Key, flow);
        flow.Older = newest;
        flow.Newer = null;
        if (newest is null) oldest = flow;
        else newest.Newer = flow;
        newest = flow;
    }

    public void Remove(NFlow flow)
    {
        table.Remove(flow.Key);
        if (flow.Older is null) oldest = flow.Newer;
        else flow.Older.Newer = flow.Newer;
        if (flow.Newer is null) newest = flow.Older;
        else flow.Newer.Older = flow.Older;
        flow.Older = flow.Newer = null;
    }
}

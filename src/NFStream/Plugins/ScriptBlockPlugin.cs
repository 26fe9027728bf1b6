using System.Collections;
using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Plugins;

namespace NFStream.Plugins;

/// <summary>
/// Runs an <see cref="NFPlugin"/>'s scriptblocks as an engine plugin, on the thread that meters (the pipeline
/// thread), in the session state where the scriptblocks were written. Argument arrays and the packet's wrapper
/// are reused; -Parameter entries are defined as variables in each call's scope.
/// </summary>
internal sealed class ScriptBlockPlugin : IFlowPlugin
{
    private readonly NFPlugin definition;
    private readonly List<PSVariable>? variables;
    private readonly object?[] packetAndFlow = new object?[2];
    private readonly object?[] flowOnly = new object?[1];
    private NFPacket? lastPacket;
    private PSObject? packetObject;

    public ScriptBlockPlugin(NFPlugin definition)
    {
        this.definition = definition;
        if (definition.Parameter.Count > 0)
        {
            variables = new List<PSVariable>();
            foreach (DictionaryEntry entry in definition.Parameter)
                variables.Add(new PSVariable(entry.Key.ToString()!, entry.Value));
        }
    }

    public string Name => definition.Name;

    public void OnInit(NFPacket packet, NFlow flow) => WithPacket(definition.OnInit, "OnInit", packet, flow);

    public void OnUpdate(NFPacket packet, NFlow flow) => WithPacket(definition.OnUpdate, "OnUpdate", packet, flow);

    public void OnExpire(NFlow flow)
    {
        if (definition.OnExpire is null) return;
        flowOnly[0] = flow;
        Invoke(definition.OnExpire, "OnExpire", flowOnly, flow);
    }

    public void OnCleanup()
    {
        if (definition.OnCleanup is null) return;
        try
        {
            Invoke(definition.OnCleanup, "OnCleanup", Array.Empty<object?>(), null);
        }
        catch (PipelineStoppedException)
        {
            // After Ctrl+C the stopped pipeline runs no more script: run the cleanup in a pipeline of its own,
            // still on this thread and in this runspace (and so in the session state it was written in).
            using var own = PowerShell.Create(RunspaceMode.CurrentRunspace);
            own.AddScript("param($__cleanup, $__variables) foreach ($v in $__variables) { Set-Variable -Name $v.Name -Value $v.Value }; & $__cleanup")
                .AddArgument(definition.OnCleanup).AddArgument(variables ?? new List<PSVariable>());
            own.Invoke();
        }
    }

    private void WithPacket(ScriptBlock? block, string callback, NFPacket packet, NFlow flow)
    {
        if (block is null) return;
        if (!ReferenceEquals(packet, lastPacket))
        {
            lastPacket = packet;
            packetObject = PSObject.AsPSObject(packet);
        }
        packetAndFlow[0] = packetObject;
        packetAndFlow[1] = flow;
        Invoke(block, callback, packetAndFlow, flow);
    }

    private static string FlowControlMessage(FlowControlException e) => e switch
    {
        ExitException => "the scriptblock called 'exit', which would end the whole script. Use 'return' to end the callback, or 'throw' to stop the run with an error.",
        BreakException => "the scriptblock used 'break' outside a loop, which would end the whole run. Use 'return' to end the callback.",
        ContinueException => "the scriptblock used 'continue' outside a loop, which would end the whole run. Use 'return' to end the callback.",
        _ => $"the scriptblock left its callback with {e.GetType().Name}. Use 'return' to end the callback.",
    };

    private void Invoke(ScriptBlock block, string callback, object?[] arguments, NFlow? flow)
    {
        try
        {
            if (variables is null) block.InvokeReturnAsIs(arguments);
            else block.InvokeWithContext(null, variables, arguments);
        }
        catch (Exception e) when (e is not PipelineStoppedException && e is RuntimeException or MethodInvocationException)
        {
            throw new PluginFailedException(Name, callback, flow, e);
        }
        catch (FlowControlException e)
        {
            // continue/break outside a loop and exit would unwind past the cmdlet and end the whole run silently.
            throw new PluginFailedException(Name, callback, flow, new InvalidOperationException(FlowControlMessage(e), e));
        }
    }
}

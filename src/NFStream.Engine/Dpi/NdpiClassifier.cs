namespace NFStream.Engine.Dpi;

/// <summary>
/// Layer-7 classification with nDPI 4.2 through the native shim, following NFStream's
/// <c>n_dissections</c> rules (lib_engine.c: flow_init_bidirectional_dissection,
/// flow_update_bidirectional_dissection, meter_expire_flow, flow_bidirectional_dissection_collect_info).
/// One instance owns one nDPI detection module and serves one meter on one thread; nDPI's caches live in the
/// module, so results depend on feeding every packet of a meter, in order, to the same instance.
/// Create instances with <see cref="FlowClassifierFactory.Create"/>.
/// </summary>
public sealed unsafe class NdpiClassifier : IFlowClassifier
{
    private readonly int nDissections;
    private nint context;
    private bool disposed;
    private readonly Action<nint>? giveBack;
    private readonly Func<nint>? takeMade;

    // Names depend only on the protocol ids (application) or the category id, so they are decoded once.
    private readonly Dictionary<long, string> applicationNames = new();
    private readonly Dictionary<int, string> categoryNames = new();

    /// <param name="context">The detection module, or 0 to create it when the first flow begins: initialising
    /// nDPI (loading its protocols and lists) costs tens of milliseconds, which a run that never gives nDPI a
    /// packet should not pay, and which a metering loop then pays on its own thread, in parallel with the others.</param>
    /// <param name="giveBack">Takes the module when the classifier is disposed (<see cref="NdpiModulePool"/>),
    /// instead of freeing it.</param>
    /// <param name="takeMade">Asked first when the module is needed: a module made earlier (a pool's), or 0 to make one.</param>
    internal NdpiClassifier(nint context, int nDissections, Action<nint>? giveBack = null, Func<nint>? takeMade = null)
    {
        this.context = context;
        this.nDissections = nDissections;
        this.giveBack = giveBack;
        this.takeMade = takeMade;
    }

    /// <summary>True once the detection module exists (it is taken or created when the first flow begins, or by
    /// <see cref="Prepare"/>), until the classifier is disposed.</summary>
    public bool Initialized => context != 0;

    /// <summary>NFStream's n_dissections: how many packets (both directions) may reach nDPI, 1 to 255.</summary>
    public int NDissections => nDissections;

    /// <summary>nDPI's version string, such as "4.2.0".</summary>
    public static string NdpiRevision
    {
        get
        {
            NdpiNative.EnsureLoaded();
            return NdpiNative.NdpiRevision;
        }
    }

    public void Begin(ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs)
    {
        nint module = Context;
        if (state.Handle != 0) Release(ref state);
        state = default;
        state.Handle = NdpiNative.FlowCreate();
        if (state.Handle == 0) throw new OutOfMemoryException("nDPI could not allocate a flow.");

        Dissect(module, ref state, ipPacket, timeMs);
        if (!state.AppKnown && nDissections == 1)
        {
            GiveUp(module, ref state);
            Complete(module, ref state);
        }
    }

    public void Update(ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs, ulong bidirectionalPackets)
    {
        if (state.DetectionCompleted != 0)
        {
            if (state.DetectionCompleted == 1) state.DetectionCompleted = 2;
            return;
        }
        if (state.Handle == 0) return;

        nint module = Context;
        bool completed = false;
        if (!state.AppKnown || NdpiNative.FlowExtraDissectionPossible(module, state.Handle) == 1)
            Dissect(module, ref state, ipPacket, timeMs);
        else
            completed = true;

        if ((ulong)nDissections == bidirectionalPackets)
        {
            if (!state.AppKnown) GiveUp(module, ref state);
            completed = true;
        }
        if (completed) Complete(module, ref state);
    }

    public L7Result Finish(ref DpiFlowState state)
    {
        if (state.Result is not null) return state.Result;
        if (state.Handle == 0) return new L7Result();
        nint module = Context;
        if (!state.AppKnown) GiveUp(module, ref state);
        Complete(module, ref state);
        return state.Result!;
    }

    public void Release(ref DpiFlowState state)
    {
        state.Result = null;
        if (state.Handle == 0) return;
        NdpiNative.FlowFree(state.Handle);
        state.Handle = 0;
    }

    /// <summary>
    /// Frees the detection module (or gives it back to its pool). Flows that still hold native state can be
    /// released afterwards (nDPI flows do not point into the module), but no flow can be begun, updated or
    /// finished any more.
    /// </summary>
    public void Dispose()
    {
        FreeModule(giveBack);
        GC.SuppressFinalize(this);
    }

    /// <summary>A classifier that was never disposed (a stopped pipeline) still returns nDPI's module memory.</summary>
    ~NdpiClassifier() => FreeModule(null);

    private void FreeModule(Action<nint>? taker)
    {
        disposed = true;
        nint module = context;
        context = 0;
        if (module == 0) return;
        if (taker is not null) taker(module);
        else NdpiNative.ContextFree(module);
    }

    private nint Context => context != 0 ? context : CreateModule();

    /// <inheritdoc/>
    public void Prepare() => _ = Context;

    private nint CreateModule()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        nint module = takeMade?.Invoke() ?? 0;
        if (module != 0) return context = module;
        module = NdpiNative.ContextCreate();
        if (module == 0)
            throw new DpiUnavailableException(
                "nDPI could not initialise a detection module (out of memory, or a broken libndpi4.2 install: " +
                "apt-get install --reinstall libndpi4.2).");
        context = module;
        return module;
    }

    private static void Dissect(nint module, ref DpiFlowState state, ReadOnlySpan<byte> ipPacket, ulong timeMs)
    {
        fixed (byte* packet = ipPacket)
            state.AppKnown = NdpiNative.FlowProcess(module, state.Handle, packet, (uint)ipPacket.Length, timeMs) == 1;
    }

    /// <summary>
    /// Detection is over for this flow: no packet reaches nDPI any more, and nothing changes its state. NFStream
    /// collects the fields at expiry; collecting them now gives the same values, and frees nDPI's flow state (688
    /// bytes in 4.2, plus what nDPI hung on it) while the flow lives on, so nDPI's memory follows the flows being dissected,
    /// not the flows in the cache, and malloc reuses warm blocks instead of touching fresh pages.
    /// </summary>
    private void Complete(nint module, ref DpiFlowState state)
    {
        state.DetectionCompleted = 1;
        NdpiResult native = default;
        NdpiNative.FlowCollect(module, state.Handle, &native);
        L7Result result = ToL7Result(&native);
        NdpiNative.FlowFree(state.Handle);
        state.Handle = 0;
        state.Result = result;
    }

    private static void GiveUp(nint module, ref DpiFlowState state)
    {
        byte guessed = 0;
        state.AppKnown = NdpiNative.FlowGiveup(module, state.Handle, &guessed) == 1;
        state.Guessed = guessed != 0;
    }

    private L7Result ToL7Result(NdpiResult* r) => new()
    {
        ApplicationName = ApplicationName(r),
        CategoryName = CategoryName(r),
        IsGuessed = r->IsGuessed,
        Confidence = NdpiConfidence.ToNfstream(r->NdpiConfidence),
        RequestedServerName = NdpiText.Decode(new ReadOnlySpan<byte>(r->RequestedServerName, NdpiResult.ServerNameSize)),
        ClientFingerprint = NdpiText.Decode(new ReadOnlySpan<byte>(r->ClientFingerprint, NdpiResult.FingerprintSize)),
        ServerFingerprint = NdpiText.Decode(new ReadOnlySpan<byte>(r->ServerFingerprint, NdpiResult.FingerprintSize)),
        UserAgent = NdpiText.Decode(new ReadOnlySpan<byte>(r->UserAgent, NdpiResult.UserAgentSize)),
        ContentType = NdpiText.Decode(new ReadOnlySpan<byte>(r->ContentType, NdpiResult.ContentTypeSize)),
    };

    private string ApplicationName(NdpiResult* r)
    {
        long key = ((long)(uint)r->MasterProtocol << 32) | (uint)r->AppProtocol;
        if (!applicationNames.TryGetValue(key, out string? name))
        {
            name = NdpiText.Decode(new ReadOnlySpan<byte>(r->ApplicationName, NdpiResult.ApplicationNameSize));
            applicationNames.Add(key, name);
        }
        return name;
    }

    private string CategoryName(NdpiResult* r)
    {
        if (!categoryNames.TryGetValue(r->Category, out string? name))
        {
            name = NdpiText.Decode(new ReadOnlySpan<byte>(r->CategoryName, NdpiResult.CategoryNameSize));
            categoryNames.Add(r->Category, name);
        }
        return name;
    }
}

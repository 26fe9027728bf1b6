/*
 * nfndpi.c - the nDPI 4.2 shim behind nfndpi.h.
 *
 * It owns the nDPI calls and the knowledge of nDPI's structures, so that the managed side only sees opaque
 * handles, integers and nfndpi_result. The per-flow decision logic (when to dissect, when to give up) lives on
 * the managed side (NdpiClassifier.cs), which mirrors NFStream's n_dissections rules.
 */
#include "nfndpi.h"

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The module's own fields (caches, scratch packet) are visible only to nDPI's compilation; the shim reads them to
 * reset a used module to its just-made state (nfndpi_context_reset). ndpi_config.h, installed with the headers,
 * carries the library's own build options, so the layout is the library's. */
#define NDPI_LIB_COMPILATION
#include <ndpi_api.h>

#if defined(__GLIBC__)
#include <malloc.h>
#define NFNDPI_COUNT_BYTES 1
#else
#define NFNDPI_COUNT_BYTES 0
#endif

/* The LRU caches nDPI 4.2 makes in a module on first use (tinc's cache, of another kind, is handled beside them):
 * listed once, for the check that a module just made has none and for the reset that frees them. */
#define NFNDPI_LRU_CACHES(X) X(ookla_cache) X(bittorrent_cache) X(zoom_cache) X(stun_cache) X(tls_cert_cache) \
    X(mining_cache) X(msteams_cache)

/* libndpi's own cache library (tinc's cache), exported but not in the installed headers. */
extern void cache_free(struct cache *cache);

struct nfndpi_context {
    struct ndpi_detection_module_struct *module;
    struct ndpi_detection_module_struct *pristine; /* the module's fields right after initialisation */
};

struct nfndpi_flow {
    struct ndpi_flow_struct *ndpi;
    ndpi_protocol detected; /* what the last process/giveup call returned, as NFStream keeps it */
    uint8_t guessed;        /* written only by giveup */
};

/* nDPI's module initialisation touches process-wide state (protocol tables, libgcrypt); serialise it. */
static pthread_mutex_t module_lifecycle_lock = PTHREAD_MUTEX_INITIALIZER;

/* Memory accounting (nfndpi_live_flows, nfndpi_live_bytes). */
static _Atomic int64_t live_flows;
static _Atomic int64_t live_bytes;
static pthread_once_t allocator_once = PTHREAD_ONCE_INIT;

#if NFNDPI_COUNT_BYTES
/* nDPI's allocation wrappers: plain malloc/free that count what nDPI holds. malloc_usable_size needs no header,
 * so a block that nDPI frees with libc's free (or allocates with libc's malloc and frees with ndpi_free) skews
 * the count but never corrupts the heap. */
static void *counting_malloc(size_t size) {
    void *block = malloc(size);
    if (block != NULL) atomic_fetch_add(&live_bytes, (int64_t)malloc_usable_size(block));
    return block;
}

static void counting_free(void *block) {
    if (block == NULL) return;
    atomic_fetch_sub(&live_bytes, (int64_t)malloc_usable_size(block));
    free(block);
}
#endif

static void install_allocator(void) {
#if NFNDPI_COUNT_BYTES
    set_ndpi_malloc(counting_malloc);
    set_ndpi_free(counting_free);
#endif
}

/* NFStream copies 48 bytes from the start of each fingerprint member into its 48-byte hash buffers. Keep those
 * reads inside the nDPI flow structure. */
#define NFSTREAM_HASH_COPY 48
_Static_assert(offsetof(struct ndpi_flow_struct, protos.tls_quic.ja3_client) + NFSTREAM_HASH_COPY
                   <= sizeof(struct ndpi_flow_struct), "ja3_client copy stays inside the flow");
_Static_assert(offsetof(struct ndpi_flow_struct, protos.tls_quic.ja3_server) + NFSTREAM_HASH_COPY
                   <= sizeof(struct ndpi_flow_struct), "ja3_server copy stays inside the flow");
_Static_assert(offsetof(struct ndpi_flow_struct, protos.ssh.hassh_client) + NFSTREAM_HASH_COPY
                   <= sizeof(struct ndpi_flow_struct), "hassh_client copy stays inside the flow");
_Static_assert(offsetof(struct ndpi_flow_struct, protos.ssh.hassh_server) + NFSTREAM_HASH_COPY
                   <= sizeof(struct ndpi_flow_struct), "hassh_server copy stays inside the flow");
_Static_assert(sizeof(((struct ndpi_flow_struct *)0)->protos.dhcp.fingerprint) == NFSTREAM_HASH_COPY,
               "DHCP fingerprint is 48 bytes");
_Static_assert(sizeof(((struct ndpi_flow_struct *)0)->host_server_name) == NFNDPI_SERVER_NAME_SIZE - 1,
               "host_server_name is 80 bytes");
_Static_assert(sizeof(nfndpi_result) == 24 + NFNDPI_APPLICATION_NAME_SIZE + NFNDPI_CATEGORY_NAME_SIZE
                   + NFNDPI_SERVER_NAME_SIZE + 2 * NFNDPI_FINGERPRINT_SIZE + NFNDPI_USER_AGENT_SIZE
                   + NFNDPI_CONTENT_TYPE_SIZE, "nfndpi_result has no hidden padding");

/* Copies at most source_limit bytes of source, stopping at its first NUL, into a zeroed destination of
 * destination_size bytes, always leaving a terminating NUL. A NULL source gives an empty string. */
static void copy_bounded(char *destination, size_t destination_size, const char *source, size_t source_limit) {
    memset(destination, 0, destination_size);
    if (source == NULL || destination_size == 0) return;
    size_t limit = source_limit < destination_size - 1 ? source_limit : destination_size - 1;
    size_t length = 0;
    while (length < limit && source[length] != '\0') length++;
    memcpy(destination, source, length);
}

static int uses_protocol(const ndpi_protocol *protocol, uint16_t id) {
    return protocol->master_protocol == id || protocol->app_protocol == id;
}

static int is_tls_family(const ndpi_protocol *protocol) {
    return uses_protocol(protocol, NDPI_PROTOCOL_TLS) || uses_protocol(protocol, NDPI_PROTOCOL_DTLS)
        || uses_protocol(protocol, NDPI_PROTOCOL_MAIL_SMTPS) || uses_protocol(protocol, NDPI_PROTOCOL_MAIL_IMAPS)
        || uses_protocol(protocol, NDPI_PROTOCOL_MAIL_POPS) || uses_protocol(protocol, NDPI_PROTOCOL_QUIC);
}

NFNDPI_API uint32_t nfndpi_abi_version(void) { return NFNDPI_ABI_VERSION; }

NFNDPI_API uint32_t nfndpi_result_size(void) { return (uint32_t)sizeof(nfndpi_result); }

NFNDPI_API const char *nfndpi_ndpi_revision(void) {
    const char *revision = ndpi_revision();
    return revision != NULL ? revision : "";
}

NFNDPI_API int64_t nfndpi_live_bytes(void) {
    return NFNDPI_COUNT_BYTES ? (int64_t)atomic_load(&live_bytes) : -1;
}

NFNDPI_API nfndpi_context *nfndpi_context_create(void) {
    pthread_once(&allocator_once, install_allocator);
    nfndpi_context *context = calloc(1, sizeof(*context));
    if (context == NULL) return NULL;

    pthread_mutex_lock(&module_lifecycle_lock);
    struct ndpi_detection_module_struct *module = ndpi_init_detection_module(ndpi_no_prefs);
    if (module != NULL) {
        NDPI_PROTOCOL_BITMASK all_protocols;
        NDPI_BITMASK_SET_ALL(all_protocols);
        ndpi_set_protocol_detection_bitmask2(module, &all_protocols);
        ndpi_finalize_initialization(module);
    }
    pthread_mutex_unlock(&module_lifecycle_lock);

    if (module == NULL) {
        free(context);
        return NULL;
    }
    context->module = module;
    /* nDPI creates its caches when first needed: a module just made has none. The snapshot is only useful (and
     * reset only allowed) when that holds, which also checks that the shim sees the library's layout. */
#define NFNDPI_IS_NULL(cache) module->cache == NULL &&
    if (NFNDPI_LRU_CACHES(NFNDPI_IS_NULL) module->tinc_cache == NULL
        && module->ndpi_num_supported_protocols == ndpi_get_num_supported_protocols(module)) {
        context->pristine = malloc(sizeof(*module));
        if (context->pristine != NULL) memcpy(context->pristine, module, sizeof(*module));
    }
#undef NFNDPI_IS_NULL
    return context;
}

static void free_lru_cache(struct ndpi_lru_cache **cache) {
    if (*cache != NULL) ndpi_lru_free_cache(*cache);
    *cache = NULL;
}

NFNDPI_API int32_t nfndpi_context_reset(nfndpi_context *context) {
    if (context == NULL || context->module == NULL) return NFNDPI_ERROR_ARGUMENT;
    if (context->pristine == NULL) return NFNDPI_ERROR_UNSUPPORTED;
    struct ndpi_detection_module_struct *module = context->module;
    /* What detection changes in the module (measured on nDPI 4.2 over the corpus: these pointers and the scratch
     * packet, nothing else): the caches it made on the way go, and every field gets its just-made value back. */
#define NFNDPI_FREE(cache) free_lru_cache(&module->cache);
    NFNDPI_LRU_CACHES(NFNDPI_FREE)
#undef NFNDPI_FREE
    if (module->tinc_cache != NULL) cache_free(module->tinc_cache);
    module->tinc_cache = NULL;
    memcpy(module, context->pristine, sizeof(*module));
    return NFNDPI_OK;
}

NFNDPI_API int64_t nfndpi_context_changed_bytes(const nfndpi_context *context) {
    if (context == NULL || context->module == NULL || context->pristine == NULL) return NFNDPI_ERROR_ARGUMENT;
    const unsigned char *now = (const unsigned char *)context->module, *then = (const unsigned char *)context->pristine;
    int64_t changed = 0;
    for (size_t i = 0; i < sizeof(*context->module); i++) changed += now[i] != then[i];
    return changed;
}

NFNDPI_API void nfndpi_context_free(nfndpi_context *context) {
    if (context == NULL) return;
    pthread_mutex_lock(&module_lifecycle_lock);
    if (context->module != NULL) ndpi_exit_detection_module(context->module);
    pthread_mutex_unlock(&module_lifecycle_lock);
    free(context->pristine);
    free(context);
}

NFNDPI_API int64_t nfndpi_live_flows(void) { return atomic_load(&live_flows); }

NFNDPI_API nfndpi_flow *nfndpi_flow_create(void) {
    pthread_once(&allocator_once, install_allocator);
    nfndpi_flow *flow = calloc(1, sizeof(*flow));
    if (flow == NULL) return NULL;
    flow->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
    if (flow->ndpi == NULL) {
        free(flow);
        return NULL;
    }
    memset(flow->ndpi, 0, SIZEOF_FLOW_STRUCT);
    atomic_fetch_add(&live_flows, 1);
    return flow;
}

NFNDPI_API void nfndpi_flow_free(nfndpi_flow *flow) {
    if (flow == NULL) return;
    if (flow->ndpi != NULL) ndpi_flow_free(flow->ndpi); /* also frees the strings nDPI hung on the flow */
    free(flow);
    atomic_fetch_sub(&live_flows, 1);
}

NFNDPI_API int32_t nfndpi_flow_process(nfndpi_context *context, nfndpi_flow *flow,
                                       const uint8_t *ip_packet, uint32_t length, uint64_t time_ms) {
    if (context == NULL || flow == NULL || (ip_packet == NULL && length != 0)) return NFNDPI_ERROR_ARGUMENT;
    unsigned short clamped = length > 0xFFFFu ? (unsigned short)0xFFFFu : (unsigned short)length;
    flow->detected = ndpi_detection_process_packet(context->module, flow->ndpi, ip_packet, clamped, time_ms);
    return flow->detected.app_protocol != NDPI_PROTOCOL_UNKNOWN;
}

NFNDPI_API int32_t nfndpi_flow_extra_dissection_possible(nfndpi_context *context, nfndpi_flow *flow) {
    if (context == NULL || flow == NULL) return NFNDPI_ERROR_ARGUMENT;
    return ndpi_extra_dissection_possible(context->module, flow->ndpi) != 0;
}

NFNDPI_API int32_t nfndpi_flow_giveup(nfndpi_context *context, nfndpi_flow *flow, uint8_t *guessed) {
    if (context == NULL || flow == NULL) return NFNDPI_ERROR_ARGUMENT;
    u_int8_t was_guessed = 0;
    flow->detected = ndpi_detection_giveup(context->module, flow->ndpi, 1, &was_guessed);
    flow->guessed = was_guessed != 0;
    if (guessed != NULL) *guessed = flow->guessed;
    return flow->detected.app_protocol != NDPI_PROTOCOL_UNKNOWN;
}

NFNDPI_API int32_t nfndpi_flow_collect(nfndpi_context *context, const nfndpi_flow *flow, nfndpi_result *result) {
    if (context == NULL || flow == NULL || result == NULL) return NFNDPI_ERROR_ARGUMENT;
    memset(result, 0, sizeof(*result));
    const struct ndpi_flow_struct *ndpi = flow->ndpi;
    const ndpi_protocol *protocol = &flow->detected;

    result->master_protocol = protocol->master_protocol;
    result->app_protocol = protocol->app_protocol;
    result->category = (int32_t)protocol->category;
    result->ndpi_confidence = (int32_t)ndpi->confidence;
    result->is_guessed = flow->guessed;

    /* "Master.App", "Master" or "App" ("Unknown" when nothing matched), as nDPI names it. */
    char name[NFNDPI_APPLICATION_NAME_SIZE];
    memset(name, 0, sizeof(name));
    ndpi_protocol2name(context->module, *protocol, name, sizeof(name));
    copy_bounded(result->application_name, sizeof(result->application_name), name, sizeof(name));

    /* NFStream copies 24 bytes of the category name. */
    copy_bounded(result->category_name, sizeof(result->category_name),
                 ndpi_category_get_name(context->module, protocol->category), 24);

    /* The general-purpose name field: HTTP Host, TLS/QUIC SNI, DNS query, DHCP and NetBIOS names, ... */
    copy_bounded(result->requested_server_name, sizeof(result->requested_server_name),
                 ndpi->host_server_name, sizeof(ndpi->host_server_name));

    /* protos is a union: read a member only when the detected protocol says it is the one in use. */
    if (uses_protocol(protocol, NDPI_PROTOCOL_DHCP)) {
        copy_bounded(result->client_fingerprint, sizeof(result->client_fingerprint),
                     ndpi->protos.dhcp.fingerprint, NFSTREAM_HASH_COPY);
    } else if (uses_protocol(protocol, NDPI_PROTOCOL_HTTP)) {
        copy_bounded(result->content_type, sizeof(result->content_type), ndpi->http.content_type,
                     sizeof(result->content_type) - 1);
        copy_bounded(result->user_agent, sizeof(result->user_agent), ndpi->http.user_agent,
                     sizeof(result->user_agent) - 1);
    } else if (uses_protocol(protocol, NDPI_PROTOCOL_SSH)) {
        copy_bounded(result->client_fingerprint, sizeof(result->client_fingerprint),
                     ndpi->protos.ssh.hassh_client, NFSTREAM_HASH_COPY);
        copy_bounded(result->server_fingerprint, sizeof(result->server_fingerprint),
                     ndpi->protos.ssh.hassh_server, NFSTREAM_HASH_COPY);
    } else if (is_tls_family(protocol)) {
        copy_bounded(result->user_agent, sizeof(result->user_agent), ndpi->http.user_agent,
                     sizeof(result->user_agent) - 1);
        copy_bounded(result->client_fingerprint, sizeof(result->client_fingerprint),
                     ndpi->protos.tls_quic.ja3_client, NFSTREAM_HASH_COPY);
        copy_bounded(result->server_fingerprint, sizeof(result->server_fingerprint),
                     ndpi->protos.tls_quic.ja3_server, NFSTREAM_HASH_COPY);
    }
    return NFNDPI_OK;
}

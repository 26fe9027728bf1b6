/*
 * nfndpi.h - a flat, blittable C ABI over nDPI 4.2 for NFStream for PowerShell.
 *
 * The managed side (src/NFStream.Engine/Dpi/NdpiNative.cs) calls these functions through function pointers.
 * Everything crossing the boundary is an opaque pointer, a fixed-width integer, a byte pointer with a length, or
 * the fixed-size nfndpi_result struct. There are no callbacks.
 *
 * Threading: one nfndpi_context per thread. A context and its flows must only be used by one thread at a time.
 * Context creation and destruction are serialised inside the shim (nDPI's module setup is not reentrant).
 *
 * Bump NFNDPI_ABI_VERSION whenever a signature or nfndpi_result changes; the managed side refuses to run
 * against a shim whose nfndpi_abi_version() or nfndpi_result_size() differs from what it was compiled for.
 */
#ifndef NFNDPI_H
#define NFNDPI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NFNDPI_API __declspec(dllexport)
#else
#define NFNDPI_API __attribute__((visibility("default")))
#endif

#define NFNDPI_ABI_VERSION 4u

/* Field sizes of nfndpi_result, each including room for the terminating NUL. They follow NFStream's nf_flow
 * buffers (application_name[40], a 24-byte category copy, host_server_name[80], c_hash/s_hash[48],
 * user_agent[256], content_type[64]). */
#define NFNDPI_APPLICATION_NAME_SIZE 40
#define NFNDPI_CATEGORY_NAME_SIZE 25
#define NFNDPI_SERVER_NAME_SIZE 81
#define NFNDPI_FINGERPRINT_SIZE 49
#define NFNDPI_USER_AGENT_SIZE 256
#define NFNDPI_CONTENT_TYPE_SIZE 64

/* Return codes. */
#define NFNDPI_OK 0
#define NFNDPI_ERROR_ARGUMENT (-1)
#define NFNDPI_ERROR_UNSUPPORTED (-2)

typedef struct nfndpi_context nfndpi_context; /* one nDPI detection module */
typedef struct nfndpi_flow nfndpi_flow;       /* one nDPI flow plus the protocol last reported for it */

/* What nfndpi_flow_collect reports for a flow. Strings are NUL-terminated raw bytes as nDPI produced them; they
 * are usually UTF-8 but may hold any byte (the managed side decodes them leniently). Integers first, so the
 * layout has no padding before the character arrays. */
typedef struct nfndpi_result {
    int32_t master_protocol;   /* nDPI protocol id, 0 = unknown */
    int32_t app_protocol;      /* nDPI protocol id, 0 = unknown */
    int32_t category;          /* ndpi_protocol_category_t */
    int32_t ndpi_confidence;   /* nDPI 4.2's ndpi_confidence_t, as is (the managed side maps it) */
    int32_t is_guessed;        /* 1 only if ndpi_detection_giveup returned a guessed protocol */
    int32_t reserved;          /* 0; keeps the integer block 8-byte aligned */
    char application_name[NFNDPI_APPLICATION_NAME_SIZE];
    char category_name[NFNDPI_CATEGORY_NAME_SIZE];
    char requested_server_name[NFNDPI_SERVER_NAME_SIZE];
    char client_fingerprint[NFNDPI_FINGERPRINT_SIZE];
    char server_fingerprint[NFNDPI_FINGERPRINT_SIZE];
    char user_agent[NFNDPI_USER_AGENT_SIZE];
    char content_type[NFNDPI_CONTENT_TYPE_SIZE];
} nfndpi_result;

/* NFNDPI_ABI_VERSION of the built library. */
NFNDPI_API uint32_t nfndpi_abi_version(void);

/* sizeof(nfndpi_result) of the built library. */
NFNDPI_API uint32_t nfndpi_result_size(void);

/* nDPI's revision string (static, never NULL). */
NFNDPI_API const char *nfndpi_ndpi_revision(void);

/* Creates a detection module with every protocol enabled. NULL when nDPI could not be initialised. */
NFNDPI_API nfndpi_context *nfndpi_context_create(void);

/* Gives a used detection module back its just-made state, so it can serve another capture as a fresh one would:
 * frees the caches detection made (Ookla, BitTorrent, Zoom, STUN, TLS certificates, mining, Teams, TINC) and
 * restores every field of the module (its scratch packet included) from a copy taken when it was made. Flows
 * created on the context must have been freed, or must not be processed on it again. Returns NFNDPI_OK,
 * NFNDPI_ERROR_ARGUMENT, or NFNDPI_ERROR_UNSUPPORTED when the module could not be copied when made. */
NFNDPI_API int32_t nfndpi_context_reset(nfndpi_context *context);

/* How many bytes of the module's own fields differ from their just-made values (tests: 0 after a reset). */
NFNDPI_API int64_t nfndpi_context_changed_bytes(const nfndpi_context *context);

/* Frees the detection module. NULL is ignored. Flows created on the context must have been freed first. */
NFNDPI_API void nfndpi_context_free(nfndpi_context *context);

/* Allocates a zeroed nDPI flow. NULL when out of memory. */
NFNDPI_API nfndpi_flow *nfndpi_flow_create(void);

/* Frees the flow and everything nDPI allocated for it. NULL is ignored. */
NFNDPI_API void nfndpi_flow_free(nfndpi_flow *flow);

/* Flows created and not yet freed, in this process (all contexts): shows that flow state is released. */
NFNDPI_API int64_t nfndpi_live_flows(void);

/* Dissects one packet that starts at its IP header. Lengths above 65535 are clamped (nDPI takes 16 bits).
 * Returns 1 when the application protocol is known afterwards, 0 when not, or NFNDPI_ERROR_ARGUMENT. */
NFNDPI_API int32_t nfndpi_flow_process(nfndpi_context *context, nfndpi_flow *flow,
                                       const uint8_t *ip_packet, uint32_t length, uint64_t time_ms);

/* 1 when nDPI wants more packets of an already classified flow (ndpi_extra_dissection_possible), else 0;
 * NFNDPI_ERROR_ARGUMENT on a NULL argument. */
NFNDPI_API int32_t nfndpi_flow_extra_dissection_possible(nfndpi_context *context, nfndpi_flow *flow);

/* Gives up with guessing enabled (ndpi_detection_giveup(..., 1, &guessed)); the result replaces the flow's
 * protocol. Writes 1 to *guessed when the protocol was guessed (else 0; guessed may be NULL). Returns 1 when the
 * application protocol is known afterwards, 0 when not, or NFNDPI_ERROR_ARGUMENT. */
NFNDPI_API int32_t nfndpi_flow_giveup(nfndpi_context *context, nfndpi_flow *flow, uint8_t *guessed);

/* Fills *result with the flow's application labels and metadata, the way NFStream's
 * flow_bidirectional_dissection_collect_info does. Returns NFNDPI_OK or NFNDPI_ERROR_ARGUMENT. */
NFNDPI_API int32_t nfndpi_flow_collect(nfndpi_context *context, const nfndpi_flow *flow, nfndpi_result *result);

/* Bytes nDPI holds through its allocator right now: detection modules, flows and everything nDPI hangs on them
 * (as malloc_usable_size counts them). -1 when this platform cannot count them. The shim installs nDPI's
 * allocation wrappers (set_ndpi_malloc, set_ndpi_free) once, before the first context or flow is made. */
NFNDPI_API int64_t nfndpi_live_bytes(void);

#ifdef __cplusplus
}
#endif

#endif /* NFNDPI_H */

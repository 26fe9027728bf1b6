/*
 * shim_fuzz.c - a libFuzzer target for libnfndpi: mutated captures go through the shim's API the way
 * NFStream.Engine drives it (NdpiClassifier.cs), so nDPI 4.2 sees mutated IP headers and payloads.
 *
 * Input: a classic pcap file (either byte order, micro- or nanosecond magic), as the seeds are (captures the
 * project generates, and corpus captures when present). Records are cut at the IP header for link types
 * Ethernet (with 802.1Q tags), Linux cooked v1, BSD loopback, PPP, Cisco HDLC and raw IP; other link types, and inputs that are
 * not pcap at all, are fed from byte 0 so that arbitrary bytes still reach nDPI. Packets are grouped into flows
 * by a small table keyed on the IP addresses, protocol and ports (either direction), and each flow follows the
 * managed side's n_dissections rules (20 packets): process, extra dissection, give up, collect, free. A flow that
 * loses its table slot to another is finished on the spot, as an eviction would. Everything is freed at the end
 * of each input; one detection module lives for the whole run, as in a long capture.
 *
 * Built by CMake with -DNFNDPI_FUZZ=ON (clang, -fsanitize=fuzzer,address,undefined). With -DNFNDPI_FUZZ_REPLAY
 * the same code gets a main() that runs files given on the command line (for valgrind, which also sees inside the
 * uninstrumented libndpi). native/fuzz/run.sh drives both.
 */
#include "nfndpi.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_DISSECTIONS 20
#define FLOW_SLOTS 64

typedef struct {
    int used;
    uint8_t key[38]; /* version, protocol, two 16-byte addresses (sorted), two ports (sorted) */
    nfndpi_flow *flow;
    uint32_t packets;
    int app_known;
    int completed; /* detection over: no more packets go to nDPI */
} slot;

static nfndpi_context *context;
static slot slots[FLOW_SLOTS];

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p, int swapped) {
    return swapped ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Collects the flow's result (which reads nDPI's union members and strings) and frees it. */
static void finish(slot *s) {
    if (!s->used) return;
    if (!s->app_known && !s->completed) {
        uint8_t guessed = 0;
        nfndpi_flow_giveup(context, s->flow, &guessed);
    }
    nfndpi_result result;
    nfndpi_flow_collect(context, s->flow, &result);
    /* Every string must be terminated inside its field. */
    if (memchr(result.application_name, 0, sizeof(result.application_name)) == NULL
        || memchr(result.category_name, 0, sizeof(result.category_name)) == NULL
        || memchr(result.requested_server_name, 0, sizeof(result.requested_server_name)) == NULL
        || memchr(result.client_fingerprint, 0, sizeof(result.client_fingerprint)) == NULL
        || memchr(result.server_fingerprint, 0, sizeof(result.server_fingerprint)) == NULL
        || memchr(result.user_agent, 0, sizeof(result.user_agent)) == NULL
        || memchr(result.content_type, 0, sizeof(result.content_type)) == NULL)
        abort();
    nfndpi_flow_free(s->flow);
    memset(s, 0, sizeof(*s));
}

/* The flow key of an IP packet, direction-independent; a packet too short for one gets the all-zero key. */
static void flow_key(const uint8_t *ip, size_t length, uint8_t key[38]) {
    memset(key, 0, 38);
    if (length < 1) return;
    uint8_t version = ip[0] >> 4;
    const uint8_t *a = NULL, *b = NULL, *l4 = NULL;
    size_t address_length = 0, l4_length = 0;
    uint8_t protocol = 0;
    if (version == 4 && length >= 20) {
        size_t header = (size_t)(ip[0] & 0x0F) * 4;
        protocol = ip[9];
        a = ip + 12;
        b = ip + 16;
        address_length = 4;
        if (header >= 20 && header < length) {
            l4 = ip + header;
            l4_length = length - header;
        }
    } else if (version == 6 && length >= 40) {
        protocol = ip[6];
        a = ip + 8;
        b = ip + 24;
        address_length = 16;
        l4 = ip + 40;
        l4_length = length - 40;
    } else {
        return;
    }
    uint16_t port_a = 0, port_b = 0;
    if ((protocol == 6 || protocol == 17) && l4 != NULL && l4_length >= 4) {
        port_a = be16(l4);
        port_b = be16(l4 + 2);
    }
    int swap = memcmp(a, b, address_length) > 0 || (memcmp(a, b, address_length) == 0 && port_a > port_b);
    key[0] = version;
    key[1] = protocol;
    memcpy(key + 2, swap ? b : a, address_length);
    memcpy(key + 18, swap ? a : b, address_length);
    uint16_t low = swap ? port_b : port_a, high = swap ? port_a : port_b;
    key[34] = (uint8_t)(low >> 8);
    key[35] = (uint8_t)low;
    key[36] = (uint8_t)(high >> 8);
    key[37] = (uint8_t)high;
}

static unsigned slot_of(const uint8_t key[38]) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 38; i++) h = (h ^ key[i]) * 16777619u;
    return h % FLOW_SLOTS;
}

/* One packet, from its IP header, through the managed side's rules (NdpiClassifier.Begin and Update). */
static void meter(const uint8_t *ip, size_t length, uint64_t time_ms) {
    uint8_t key[38];
    flow_key(ip, length, key);
    slot *s = &slots[slot_of(key)];
    if (s->used && memcmp(s->key, key, sizeof(key)) != 0) finish(s); /* evicted by another flow */

    /* The engine hands nDPI at most the IP datagram that the header announces, within what was captured. */
    size_t announced = length;
    if (length >= 4 && (ip[0] >> 4) == 4) announced = be16(ip + 2);
    else if (length >= 6 && (ip[0] >> 4) == 6) announced = 40u + be16(ip + 4);
    if (announced != 0 && announced < length) length = announced;

    if (!s->used) {
        s->flow = nfndpi_flow_create();
        if (s->flow == NULL) abort();
        s->used = 1;
        memcpy(s->key, key, sizeof(key));
        s->packets = 1;
        s->app_known = nfndpi_flow_process(context, s->flow, ip, (uint32_t)length, time_ms) == 1;
        return;
    }
    s->packets++;
    if (s->completed) return;
    if (!s->app_known || nfndpi_flow_extra_dissection_possible(context, s->flow) == 1)
        s->app_known = nfndpi_flow_process(context, s->flow, ip, (uint32_t)length, time_ms) == 1;
    else
        s->completed = 1;
    if (s->packets == N_DISSECTIONS) {
        if (!s->app_known) {
            uint8_t guessed = 0;
            s->app_known = nfndpi_flow_giveup(context, s->flow, &guessed) == 1;
        }
        s->completed = 1;
    }
}

/* Offset of the IP header in a frame of the given link type, or -1 when the frame does not carry IP. */
static long ip_offset(uint32_t link_type, const uint8_t *frame, size_t length) {
    switch (link_type) {
    case 1: { /* Ethernet, with any number of 802.1Q / 802.1ad tags */
        size_t at = 12;
        while (at + 2 <= length) {
            uint16_t type = be16(frame + at);
            if (type == 0x8100 || type == 0x88a8) {
                at += 4;
                continue;
            }
            return type == 0x0800 || type == 0x86dd ? (long)(at + 2) : -1;
        }
        return -1;
    }
    case 113: /* Linux cooked capture v1 */
        return length >= 16 ? 16 : -1;
    case 0:   /* BSD loopback */
    case 9:   /* PPP */
    case 104: /* Cisco HDLC */
        return length >= 4 ? 4 : -1;
    default: /* raw IP (101, 12, 14, 228, 229) and everything else: start at byte 0 */
        return 0;
    }
}

static void run_pcap(const uint8_t *data, size_t size) {
    uint32_t magic = rd32(data, 0);
    int swapped = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
    int nano = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
    uint32_t link_type = rd32(data + 20, swapped) & 0x03FFFFFF;
    size_t at = 24;
    uint64_t clock = 0;
    while (at + 16 <= size) {
        uint32_t seconds = rd32(data + at, swapped), fraction = rd32(data + at + 4, swapped);
        uint32_t captured = rd32(data + at + 8, swapped);
        at += 16;
        if (captured > size - at) captured = (uint32_t)(size - at); /* a lying length: take what is there */
        uint64_t time_ms = (uint64_t)seconds * 1000 + (nano ? fraction / 1000000u : fraction / 1000u);
        if (time_ms < clock) time_ms = clock; /* the meter's clock never goes backwards */
        clock = time_ms;
        long offset = ip_offset(link_type, data + at, captured);
        if (offset >= 0 && (size_t)offset < captured) meter(data + at + offset, captured - (size_t)offset, time_ms);
        at += captured;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (context == NULL) {
        context = nfndpi_context_create();
        if (context == NULL) abort();
    }
    uint32_t magic = size >= 24 ? rd32(data, 0) : 0;
    if (magic == 0xa1b2c3d4u || magic == 0xd4c3b2a1u || magic == 0xa1b23c4du || magic == 0x4d3cb2a1u) {
        run_pcap(data, size);
    } else if (size > 0) {
        /* Not a pcap: the bytes are one IP packet, given twice (a flow's first and second packet). */
        meter(data, size, 1000);
        meter(data, size, 1001);
    }
    for (int i = 0; i < FLOW_SLOTS; i++) finish(&slots[i]);
    if (nfndpi_live_flows() != 0) abort(); /* every flow was freed */
    return 0;
}

#ifdef NFNDPI_FUZZ_REPLAY
#include <stdio.h>

/* Runs each file named on the command line through the target once; frees the module at the end so that
 * valgrind's leak check sees a clean exit. */
int main(int argc, char **argv) {
    int ran = 0;
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (file == NULL) {
            fprintf(stderr, "cannot open %s\n", argv[i]);
            return 2;
        }
        fseek(file, 0, SEEK_END);
        long length = ftell(file);
        fseek(file, 0, SEEK_SET);
        uint8_t *data = malloc(length > 0 ? (size_t)length : 1);
        if (data == NULL || (length > 0 && fread(data, 1, (size_t)length, file) != (size_t)length)) {
            fprintf(stderr, "cannot read %s\n", argv[i]);
            return 2;
        }
        fclose(file);
        LLVMFuzzerTestOneInput(data, (size_t)length);
        free(data);
        ran++;
    }
    nfndpi_context_free(context);
    printf("replayed %d inputs\n", ran);
    return 0;
}
#endif

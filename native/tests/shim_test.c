/*
 * shim_test.c - exercises libnfndpi with hand-built IPv4 packets: TLS (SNI, JA3), HTTP (Host, User-Agent,
 * Content-Type), DNS, SSH (HASSH), DHCP (fingerprint), guessing by port, unknown traffic, bad arguments, and
 * contexts created from several threads at once. Run it under valgrind to check for leaks:
 *   valgrind --leak-check=full ./shim_test
 * Prints one line per failed check and a closing "N passed, N failed" line; exits 1 on any failure.
 */
#include "nfndpi.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------------------------------------------------------
 * Checks
 * -------------------------------------------------------------------------------------------------------------- */

static int passed, failed;

#define CHECK(condition, ...)                                                                                    \
    do {                                                                                                         \
        if (condition) {                                                                                         \
            passed++;                                                                                            \
        } else {                                                                                                 \
            failed++;                                                                                            \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #condition);                                          \
            printf(__VA_ARGS__);                                                                                 \
            printf("\n");                                                                                        \
        }                                                                                                        \
    } while (0)

#define CHECK_STR(actual, expected)                                                                              \
    CHECK(strcmp((actual), (expected)) == 0, "got \"%s\", expected \"%s\"", (actual), (expected))

static int is_hex(const char *text, size_t length) {
    if (strlen(text) != length) return 0;
    for (size_t i = 0; i < length; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')
              || (text[i] >= 'A' && text[i] <= 'F')))
            return 0;
    return 1;
}

/* ----------------------------------------------------------------------------------------------------------------
 * Byte writer
 * -------------------------------------------------------------------------------------------------------------- */

typedef struct {
    uint8_t data[2048];
    size_t length;
} bytes;

static void put_u8(bytes *b, uint8_t value) { b->data[b->length++] = value; }
static void put_u16(bytes *b, uint16_t value) { put_u8(b, (uint8_t)(value >> 8)); put_u8(b, (uint8_t)value); }
static void put_u24(bytes *b, uint32_t value) { put_u8(b, (uint8_t)(value >> 16)); put_u16(b, (uint16_t)value); }
static void put_u32(bytes *b, uint32_t value) { put_u16(b, (uint16_t)(value >> 16)); put_u16(b, (uint16_t)value); }
static void put_raw(bytes *b, const void *data, size_t length) {
    if (length == 0) return; /* data may be NULL then, and memcpy must not get NULL */
    memcpy(b->data + b->length, data, length);
    b->length += length;
}
static void put_text(bytes *b, const char *text) { put_raw(b, text, strlen(text)); }
static void set_u16_at(bytes *b, size_t at, uint16_t value) {
    b->data[at] = (uint8_t)(value >> 8);
    b->data[at + 1] = (uint8_t)value;
}
static void set_u24_at(bytes *b, size_t at, uint32_t value) {
    b->data[at] = (uint8_t)(value >> 16);
    set_u16_at(b, at + 1, (uint16_t)value);
}

/* ----------------------------------------------------------------------------------------------------------------
 * IPv4 / TCP / UDP packets
 * -------------------------------------------------------------------------------------------------------------- */

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

static uint16_t internet_checksum(const uint8_t *data, size_t length, uint32_t sum) {
    for (size_t i = 0; i + 1 < length; i += 2) sum += (uint32_t)(data[i] << 8 | data[i + 1]);
    if (length & 1) sum += (uint32_t)data[length - 1] << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static void ipv4_packet(bytes *out, uint32_t source, uint32_t destination, uint8_t protocol, const bytes *l4) {
    out->length = 0;
    put_u8(out, 0x45);
    put_u8(out, 0);
    put_u16(out, (uint16_t)(20 + l4->length));
    put_u16(out, 0x1234);
    put_u16(out, 0x4000);
    put_u8(out, 64);
    put_u8(out, protocol);
    put_u16(out, 0);
    put_u32(out, source);
    put_u32(out, destination);
    set_u16_at(out, 10, internet_checksum(out->data, 20, 0));
    put_raw(out, l4->data, l4->length);

    /* TCP/UDP checksum over the pseudo header. */
    uint32_t pseudo = (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol
                    + (uint32_t)l4->length;
    size_t checksum_at = 20 + (protocol == 6 ? 16 : 6);
    uint16_t checksum = internet_checksum(out->data + 20, l4->length, pseudo);
    if (protocol == 17 && checksum == 0) checksum = 0xFFFF;
    set_u16_at(out, checksum_at, checksum);
}

typedef struct {
    uint32_t client_ip, server_ip;
    uint16_t client_port, server_port;
    uint32_t client_seq, server_seq;
} tcp_conversation;

/* Builds the next segment of a conversation and advances its sequence numbers. */
static void tcp_segment(bytes *out, tcp_conversation *c, int from_client, uint8_t flags, const void *payload,
                        size_t length) {
    bytes segment = {.length = 0};
    uint32_t *seq = from_client ? &c->client_seq : &c->server_seq;
    uint32_t ack = from_client ? c->server_seq : c->client_seq;
    put_u16(&segment, from_client ? c->client_port : c->server_port);
    put_u16(&segment, from_client ? c->server_port : c->client_port);
    put_u32(&segment, *seq);
    put_u32(&segment, (flags & TCP_ACK) ? ack : 0);
    put_u8(&segment, 5 << 4);
    put_u8(&segment, flags);
    put_u16(&segment, 64240);
    put_u16(&segment, 0);
    put_u16(&segment, 0);
    put_raw(&segment, payload, length);
    *seq += (uint32_t)length + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
    if (from_client)
        ipv4_packet(out, c->client_ip, c->server_ip, 6, &segment);
    else
        ipv4_packet(out, c->server_ip, c->client_ip, 6, &segment);
}

static void udp_datagram(bytes *out, uint32_t source, uint16_t source_port, uint32_t destination,
                         uint16_t destination_port, const void *payload, size_t length) {
    bytes datagram = {.length = 0};
    put_u16(&datagram, source_port);
    put_u16(&datagram, destination_port);
    put_u16(&datagram, (uint16_t)(8 + length));
    put_u16(&datagram, 0);
    put_raw(&datagram, payload, length);
    ipv4_packet(out, source, destination, 17, &datagram);
}

/* ----------------------------------------------------------------------------------------------------------------
 * Application payloads
 * -------------------------------------------------------------------------------------------------------------- */

/* A TLS 1.2 ClientHello: ciphers 4865-4866-49199-49200, extensions SNI, supported_groups (29,23,24),
 * ec_point_formats (0), signature_algorithms. Its JA3 string is "771,4865-4866-49199-49200,0-10-11-13,29-23-24,0". */
#define TLS_JA3 "9c9d32414e277e66144f16afd61c9144"

static void tls_client_hello(bytes *out, const char *server_name) {
    out->length = 0;
    put_u8(out, 0x16);
    put_u16(out, 0x0301);
    size_t record_length_at = out->length;
    put_u16(out, 0);
    put_u8(out, 0x01);
    size_t handshake_length_at = out->length;
    put_u24(out, 0);
    put_u16(out, 0x0303);
    for (int i = 0; i < 32; i++) put_u8(out, (uint8_t)(i * 7 + 1));
    put_u8(out, 0);                       /* session id */
    put_u16(out, 8);                      /* cipher suites */
    put_u16(out, 0x1301);
    put_u16(out, 0x1302);
    put_u16(out, 0xc02f);
    put_u16(out, 0xc030);
    put_u8(out, 1);                       /* compression methods */
    put_u8(out, 0);
    size_t extensions_length_at = out->length;
    put_u16(out, 0);
    size_t name_length = strlen(server_name);
    put_u16(out, 0x0000);                 /* server_name */
    put_u16(out, (uint16_t)(name_length + 5));
    put_u16(out, (uint16_t)(name_length + 3));
    put_u8(out, 0);
    put_u16(out, (uint16_t)name_length);
    put_text(out, server_name);
    put_u16(out, 0x000a);                 /* supported_groups */
    put_u16(out, 8);
    put_u16(out, 6);
    put_u16(out, 29);
    put_u16(out, 23);
    put_u16(out, 24);
    put_u16(out, 0x000b);                 /* ec_point_formats */
    put_u16(out, 2);
    put_u8(out, 1);
    put_u8(out, 0);
    put_u16(out, 0x000d);                 /* signature_algorithms */
    put_u16(out, 8);
    put_u16(out, 6);
    put_u16(out, 0x0403);
    put_u16(out, 0x0804);
    put_u16(out, 0x0401);
    set_u16_at(out, extensions_length_at, (uint16_t)(out->length - extensions_length_at - 2));
    set_u24_at(out, handshake_length_at, (uint32_t)(out->length - handshake_length_at - 3));
    set_u16_at(out, record_length_at, (uint16_t)(out->length - record_length_at - 2));
}

static void dns_query(bytes *out, const char *name) {
    out->length = 0;
    put_u16(out, 0xbeef);
    put_u16(out, 0x0100);
    put_u16(out, 1);
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, 0);
    const char *label = name;
    while (*label) {
        const char *dot = strchr(label, '.');
        size_t length = dot ? (size_t)(dot - label) : strlen(label);
        put_u8(out, (uint8_t)length);
        put_raw(out, label, length);
        label += length + (dot ? 1 : 0);
    }
    put_u8(out, 0);
    put_u16(out, 1);
    put_u16(out, 1);
}

/* An SSH binary packet carrying SSH_MSG_KEXINIT with the given name-lists. */
static void ssh_kexinit(bytes *out, const char *kex, const char *host_key, const char *cipher, const char *mac,
                        const char *compression) {
    bytes payload = {.length = 0};
    put_u8(&payload, 20);
    for (int i = 0; i < 16; i++) put_u8(&payload, (uint8_t)(0xa0 + i));
    const char *lists[10] = {kex, host_key, cipher, cipher, mac, mac, compression, compression, "", ""};
    for (int i = 0; i < 10; i++) {
        put_u32(&payload, (uint32_t)strlen(lists[i]));
        put_text(&payload, lists[i]);
    }
    put_u8(&payload, 0);
    put_u32(&payload, 0);
    size_t padding = 8 - ((5 + payload.length) % 8);
    if (padding < 4) padding += 8;
    out->length = 0;
    put_u32(out, (uint32_t)(1 + payload.length + padding));
    put_u8(out, (uint8_t)padding);
    put_raw(out, payload.data, payload.length);
    for (size_t i = 0; i < padding; i++) put_u8(out, 0);
}
/* nDPI prints HASSH in upper case (NFStream's reference output does too). */
#define SSH_CLIENT_HASSH "B21AAABFC9D2E45BAFEEF69AA7E7FADA"
#define SSH_SERVER_HASSH "D76C2DDAAA35EA40B3647C17C8E6DA56"

/* DHCPDISCOVER with host name option 12 and parameter request list 1,3,6,15, padded to BOOTP's 300 bytes
 * (nDPI 4.2 drops the end of the option list of an unpadded message). */
static void dhcp_discover(bytes *out, const char *host_name) {
    out->length = 0;
    put_u8(out, 1);
    put_u8(out, 1);
    put_u8(out, 6);
    put_u8(out, 0);
    put_u32(out, 0x3903f326);
    put_u16(out, 0);
    put_u16(out, 0x8000);
    for (int i = 0; i < 16; i++) put_u8(out, 0);          /* ciaddr yiaddr siaddr giaddr */
    const uint8_t mac[6] = {0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42};
    put_raw(out, mac, 6);
    for (int i = 0; i < 10 + 64 + 128; i++) put_u8(out, 0); /* chaddr padding, sname, file */
    put_u32(out, 0x63825363);
    put_u8(out, 53);
    put_u8(out, 1);
    put_u8(out, 1);
    put_u8(out, 12);
    put_u8(out, (uint8_t)strlen(host_name));
    put_text(out, host_name);
    put_u8(out, 55);
    put_u8(out, 4);
    put_u8(out, 1);
    put_u8(out, 3);
    put_u8(out, 6);
    put_u8(out, 15);
    put_u8(out, 255);
    while (out->length < 300) put_u8(out, 0);
}

/* ----------------------------------------------------------------------------------------------------------------
 * Helpers over the shim
 * -------------------------------------------------------------------------------------------------------------- */

static uint64_t clock_ms = 1700000000000ull;

static int process(nfndpi_context *context, nfndpi_flow *flow, const bytes *packet) {
    clock_ms += 3;
    return nfndpi_flow_process(context, flow, packet->data, (uint32_t)packet->length, clock_ms);
}

static void tcp_handshake(nfndpi_context *context, nfndpi_flow *flow, tcp_conversation *c) {
    bytes packet;
    tcp_segment(&packet, c, 1, TCP_SYN, NULL, 0);
    process(context, flow, &packet);
    tcp_segment(&packet, c, 0, TCP_SYN | TCP_ACK, NULL, 0);
    process(context, flow, &packet);
    tcp_segment(&packet, c, 1, TCP_ACK, NULL, 0);
    process(context, flow, &packet);
}

static void collect(nfndpi_context *context, nfndpi_flow *flow, nfndpi_result *result) {
    int rc = nfndpi_flow_collect(context, flow, result);
    CHECK(rc == NFNDPI_OK, "collect returned %d", rc);
}

/* ----------------------------------------------------------------------------------------------------------------
 * Tests
 * -------------------------------------------------------------------------------------------------------------- */

static void test_abi(void) {
    CHECK(nfndpi_abi_version() == NFNDPI_ABI_VERSION, "abi %u", nfndpi_abi_version());
    CHECK(nfndpi_result_size() == sizeof(nfndpi_result), "size %u", nfndpi_result_size());
    CHECK(sizeof(nfndpi_result) == 588, "sizeof(nfndpi_result) = %zu", sizeof(nfndpi_result));
    const char *revision = nfndpi_ndpi_revision();
    CHECK(revision != NULL && strncmp(revision, "4.2", 3) == 0, "revision %s", revision ? revision : "(null)");
}

static void test_tls(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    tcp_conversation c = {IP(10, 0, 0, 1), IP(93, 184, 216, 34), 51000, 443, 1000, 5000};
    tcp_handshake(context, flow, &c);
    bytes hello, packet;
    tls_client_hello(&hello, "www.example.com");
    tcp_segment(&packet, &c, 1, TCP_PSH | TCP_ACK, hello.data, hello.length);
    int known = process(context, flow, &packet);
    CHECK(known == 1, "TLS app known after ClientHello: %d", known);

    nfndpi_result result;
    collect(context, flow, &result);
    CHECK(strncmp(result.application_name, "TLS", 3) == 0, "application %s", result.application_name);
    CHECK(result.master_protocol == 91 || result.app_protocol == 91, "ids %d/%d", result.master_protocol,
          result.app_protocol);
    CHECK_STR(result.requested_server_name, "www.example.com");
    CHECK_STR(result.client_fingerprint, TLS_JA3);
    CHECK(is_hex(result.client_fingerprint, 32), "ja3 %s", result.client_fingerprint);
    CHECK_STR(result.server_fingerprint, "");
    CHECK(result.ndpi_confidence == 4, "confidence %d (DPI)", result.ndpi_confidence);
    CHECK(result.is_guessed == 0, "guessed %d", result.is_guessed);
    CHECK(strlen(result.category_name) > 0, "category empty");
    CHECK(nfndpi_flow_extra_dissection_possible(context, flow) == 1, "TLS wants the server certificate");
    nfndpi_flow_free(flow);
}

static void test_http(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    tcp_conversation c = {IP(10, 0, 0, 2), IP(93, 184, 216, 35), 51001, 80, 7000, 9000};
    tcp_handshake(context, flow, &c);
    const char *request = "GET /index.html HTTP/1.1\r\nHost: example.org\r\n"
                          "User-Agent: nfstream-shim-test/1.0\r\nAccept: */*\r\n\r\n";
    const char *response = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                           "Content-Length: 5\r\n\r\nhello";
    bytes packet;
    tcp_segment(&packet, &c, 1, TCP_PSH | TCP_ACK, request, strlen(request));
    process(context, flow, &packet);
    /* nDPI 4.2 takes the response's Content-Type only when a packet separates it from the request. */
    tcp_segment(&packet, &c, 0, TCP_ACK, NULL, 0);
    process(context, flow, &packet);
    tcp_segment(&packet, &c, 0, TCP_PSH | TCP_ACK, response, strlen(response));
    process(context, flow, &packet);

    nfndpi_result result;
    collect(context, flow, &result);
    CHECK(strncmp(result.application_name, "HTTP", 4) == 0, "application %s", result.application_name);
    CHECK_STR(result.requested_server_name, "example.org");
    CHECK_STR(result.user_agent, "nfstream-shim-test/1.0");
    CHECK_STR(result.content_type, "text/html"); /* nDPI 4.2 stops at the ';' */
    CHECK_STR(result.client_fingerprint, "");
    nfndpi_flow_free(flow);
}

static void test_http_with_invalid_utf8_host(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    tcp_conversation c = {IP(10, 0, 0, 9), IP(93, 184, 216, 39), 51009, 80, 100, 200};
    tcp_handshake(context, flow, &c);
    const char *request = "GET / HTTP/1.1\r\nHost: bad\xff\xfehost\r\nUser-Agent: x\xc3\r\n\r\n";
    bytes packet;
    tcp_segment(&packet, &c, 1, TCP_PSH | TCP_ACK, request, strlen(request));
    process(context, flow, &packet);
    nfndpi_result result;
    collect(context, flow, &result);
    /* The shim passes raw bytes; the managed side decodes them leniently. They are still NUL-terminated. */
    CHECK(strlen(result.requested_server_name) < sizeof(result.requested_server_name), "terminated");
    CHECK(strlen(result.user_agent) < sizeof(result.user_agent), "terminated");
    nfndpi_flow_free(flow);
}

static void test_dns(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    bytes query, packet;
    dns_query(&query, "www.nfstream.org");
    udp_datagram(&packet, IP(10, 0, 0, 3), 53001, IP(192, 0, 2, 53), 53, query.data, query.length);
    int known = process(context, flow, &packet);
    CHECK(known == 1, "DNS known after the query: %d", known);
    nfndpi_result result;
    collect(context, flow, &result);
    CHECK_STR(result.application_name, "DNS");
    CHECK_STR(result.requested_server_name, "www.nfstream.org");
    CHECK_STR(result.category_name, "Network");
    nfndpi_flow_free(flow);
}

static void test_ssh(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    tcp_conversation c = {IP(10, 0, 0, 4), IP(192, 0, 2, 22), 51004, 22, 300, 400};
    tcp_handshake(context, flow, &c);
    const char *client_banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    const char *server_banner = "SSH-2.0-OpenSSH_8.4p1\r\n";
    bytes packet, kexinit;
    tcp_segment(&packet, &c, 0, TCP_PSH | TCP_ACK, server_banner, strlen(server_banner));
    process(context, flow, &packet);
    tcp_segment(&packet, &c, 1, TCP_PSH | TCP_ACK, client_banner, strlen(client_banner));
    process(context, flow, &packet);
    ssh_kexinit(&kexinit, "curve25519-sha256,diffie-hellman-group14-sha256", "ssh-ed25519,rsa-sha2-256",
                "aes128-ctr,aes256-gcm@openssh.com", "hmac-sha2-256", "none");
    tcp_segment(&packet, &c, 1, TCP_PSH | TCP_ACK, kexinit.data, kexinit.length);
    process(context, flow, &packet);
    ssh_kexinit(&kexinit, "curve25519-sha256", "ssh-ed25519", "aes256-gcm@openssh.com", "hmac-sha2-512",
                "none,zlib@openssh.com");
    tcp_segment(&packet, &c, 0, TCP_PSH | TCP_ACK, kexinit.data, kexinit.length);
    process(context, flow, &packet);

    nfndpi_result result;
    collect(context, flow, &result);
    CHECK_STR(result.application_name, "SSH");
    CHECK_STR(result.client_fingerprint, SSH_CLIENT_HASSH);
    CHECK_STR(result.server_fingerprint, SSH_SERVER_HASSH);
    CHECK(is_hex(result.client_fingerprint, 32), "hassh %s", result.client_fingerprint);
    nfndpi_flow_free(flow);
}

static void test_dhcp(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    bytes discover, packet;
    dhcp_discover(&discover, "printer-7");
    udp_datagram(&packet, IP(0, 0, 0, 0), 68, IP(255, 255, 255, 255), 67, discover.data, discover.length);
    process(context, flow, &packet);
    nfndpi_result result;
    collect(context, flow, &result);
    CHECK_STR(result.application_name, "DHCP");
    CHECK_STR(result.client_fingerprint, "1,3,6,15");
    CHECK_STR(result.requested_server_name, "printer-7");
    CHECK_STR(result.server_fingerprint, "");
    nfndpi_flow_free(flow);
}

static void test_guess_by_port(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    tcp_conversation c = {IP(10, 0, 0, 5), IP(198, 51, 100, 7), 51005, 443, 10, 20};
    bytes packet;
    tcp_segment(&packet, &c, 1, TCP_SYN, NULL, 0);
    CHECK(process(context, flow, &packet) == 0, "a SYN alone is unknown");
    uint8_t guessed = 7;
    int known = nfndpi_flow_giveup(context, flow, &guessed);
    CHECK(known == 1, "giveup found a protocol: %d", known);
    CHECK(guessed == 1, "guessed %u", guessed);
    nfndpi_result result;
    collect(context, flow, &result);
    CHECK(strncmp(result.application_name, "TLS", 3) == 0, "application %s", result.application_name);
    CHECK(result.is_guessed == 1, "is_guessed %d", result.is_guessed);
    CHECK(result.ndpi_confidence == 1, "confidence %d (match by port)", result.ndpi_confidence);
    CHECK_STR(result.client_fingerprint, "");
    nfndpi_flow_free(flow);
}

static void test_unknown(nfndpi_context *context) {
    nfndpi_flow *flow = nfndpi_flow_create();
    const uint8_t noise[24] = {0x9f, 0x11, 0x00, 0x42, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02,
                               0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
    bytes packet;
    udp_datagram(&packet, IP(10, 0, 0, 6), 41234, IP(10, 0, 0, 7), 45678, noise, sizeof(noise));
    CHECK(process(context, flow, &packet) == 0, "noise is unknown");
    uint8_t guessed = 7;
    CHECK(nfndpi_flow_giveup(context, flow, &guessed) == 0, "still unknown after giveup");
    CHECK(guessed == 0, "guessed %u", guessed);
    nfndpi_result result;
    collect(context, flow, &result);
    CHECK_STR(result.application_name, "Unknown");
    CHECK(result.ndpi_confidence == 0, "confidence %d", result.ndpi_confidence);
    CHECK(result.is_guessed == 0, "is_guessed %d", result.is_guessed);
    CHECK_STR(result.requested_server_name, "");
    nfndpi_flow_free(flow);
}

static void test_edges(nfndpi_context *context) {
    nfndpi_result result;
    CHECK(nfndpi_flow_collect(NULL, NULL, &result) == NFNDPI_ERROR_ARGUMENT, "NULL collect");
    CHECK(nfndpi_flow_process(context, NULL, NULL, 0, 0) == NFNDPI_ERROR_ARGUMENT, "NULL flow");
    CHECK(nfndpi_flow_giveup(NULL, NULL, NULL) == NFNDPI_ERROR_ARGUMENT, "NULL giveup");
    CHECK(nfndpi_flow_extra_dissection_possible(NULL, NULL) == NFNDPI_ERROR_ARGUMENT, "NULL extra");
    nfndpi_flow_free(NULL);
    nfndpi_context_free(NULL);

    /* A flow freed without any packet, one given an empty packet, and one given an oversized length. */
    nfndpi_flow_free(nfndpi_flow_create());
    nfndpi_flow *flow = nfndpi_flow_create();
    CHECK(nfndpi_flow_process(context, flow, NULL, 0, 1) == 0, "empty packet is unknown");
    collect(context, flow, &result);
    CHECK_STR(result.application_name, "Unknown");
    nfndpi_flow_free(flow);

    uint8_t *big = calloc(70000, 1);
    bytes query, packet;
    dns_query(&query, "big.example");
    udp_datagram(&packet, IP(10, 0, 0, 8), 53008, IP(8, 8, 4, 4), 53, query.data, query.length);
    memcpy(big, packet.data, packet.length);
    flow = nfndpi_flow_create();
    CHECK(nfndpi_flow_process(context, flow, big, 70000, 2) >= 0, "oversized length is clamped");
    nfndpi_flow_free(flow);
    free(big);
}

static void *context_worker(void *argument) {
    (void)argument;
    for (int round = 0; round < 2; round++) {
        nfndpi_context *context = nfndpi_context_create();
        if (context == NULL) return (void *)1;
        nfndpi_flow *flow = nfndpi_flow_create();
        bytes query, packet;
        dns_query(&query, "thread.example");
        udp_datagram(&packet, IP(10, 1, 0, 1), 53100, IP(10, 1, 0, 2), 53, query.data, query.length);
        int known = nfndpi_flow_process(context, flow, packet.data, (uint32_t)packet.length, 5);
        nfndpi_flow_free(flow);
        nfndpi_context_free(context);
        if (known != 1) return (void *)1;
    }
    return NULL;
}

static void test_contexts_on_threads(void) {
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) pthread_create(&threads[i], NULL, context_worker, NULL);
    for (int i = 0; i < 3; i++) {
        void *outcome = NULL;
        pthread_join(threads[i], &outcome);
        CHECK(outcome == NULL, "worker %d failed", i);
    }
}

/* One round of flows that make nDPI allocate (TLS SNI and JA3 strings, HTTP, DNS), each freed at once. */
static void memory_round(nfndpi_context *context, int flows) {
    bytes hello, packet, payload;
    tls_client_hello(&hello, "memory.example.com");
    dns_query(&payload, "memory.example.com");
    for (int i = 0; i < flows; i++) {
        nfndpi_flow *flow = nfndpi_flow_create();
        CHECK(flow != NULL, "flow %d", i);
        if (flow == NULL) return;
        if (i % 2 == 0) {
            tcp_conversation c = {IP(10, 1, (i >> 8) & 0xFF, i & 0xFF), IP(93, 184, 216, 34), (uint16_t)(20000 + i),
                                  443, 1000, 5000};
            tcp_handshake(context, flow, &c);
            tcp_segment(&packet, &c, 1, TCP_PSH | TCP_ACK, hello.data, hello.length);
            process(context, flow, &packet);
        } else {
            udp_datagram(&packet, IP(10, 2, (i >> 8) & 0xFF, i & 0xFF), (uint16_t)(30000 + i), IP(9, 9, 9, 9), 53,
                         payload.data, payload.length);
            process(context, flow, &packet);
        }
        uint8_t guessed = 0;
        nfndpi_flow_giveup(context, flow, &guessed);
        nfndpi_result result;
        collect(context, flow, &result);
        nfndpi_flow_free(flow);
    }
}

/* nfndpi_live_flows and nfndpi_live_bytes: flows are counted while they live, and every byte nDPI allocated for
 * a flow is back when it is freed (the module's own caches settle after a first round). */
static void test_memory_accounting(void) {
    CHECK(nfndpi_live_flows() == 0, "live flows before any flow: %llu", (unsigned long long)nfndpi_live_flows());
    int64_t before = nfndpi_live_bytes();
    nfndpi_context *context = nfndpi_context_create();
    CHECK(context != NULL, "context");
    if (context == NULL) return;
    int64_t with_module = nfndpi_live_bytes();
    CHECK(with_module > before, "a detection module is counted: %lld -> %lld", (long long)before,
          (long long)with_module);

    nfndpi_flow *held[16];
    for (int i = 0; i < 16; i++) held[i] = nfndpi_flow_create();
    CHECK(nfndpi_live_flows() == 16, "16 live flows, counted %llu", (unsigned long long)nfndpi_live_flows());
    CHECK(nfndpi_live_bytes() >= with_module + 16 * (int64_t)sizeof(void *), "flows are counted in bytes");
    for (int i = 0; i < 16; i++) nfndpi_flow_free(held[i]);
    CHECK(nfndpi_live_flows() == 0, "no live flow after freeing, counted %llu",
          (unsigned long long)nfndpi_live_flows());

    memory_round(context, 200);
    int64_t settled = nfndpi_live_bytes();
    memory_round(context, 2000);
    int64_t after = nfndpi_live_bytes();
    printf("nDPI memory: module %lld bytes, after 200 flows %lld, after 2000 more %lld\n",
           (long long)(with_module - before), (long long)(settled - before), (long long)(after - before));
    CHECK(after <= settled + 4096, "nDPI memory grows with freed flows: %lld -> %lld bytes", (long long)settled,
          (long long)after);
    CHECK(nfndpi_live_flows() == 0, "no live flow after the rounds");

    nfndpi_context_free(context);
    CHECK(nfndpi_live_bytes() <= before + 4096, "freeing the module returns its memory: %lld -> %lld bytes",
          (long long)before, (long long)nfndpi_live_bytes());
}

int main(void) {
    test_abi();
    test_memory_accounting();
    nfndpi_context *context = nfndpi_context_create();
    CHECK(context != NULL, "context");
    if (context == NULL) {
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }
    test_tls(context);
    test_http(context);
    test_http_with_invalid_utf8_host(context);
    test_dns(context);
    test_ssh(context);
    test_dhcp(context);
    test_guess_by_port(context);
    test_unknown(context);
    test_edges(context);
    nfndpi_context_free(context);
    test_contexts_on_threads();

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

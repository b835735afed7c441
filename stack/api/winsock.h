/* A Winsock-compatible C facade over mcsim's simulated sockets.
 *
 * Entry points are prefixed (mcsim_setsockopt, mcsim_WSAIoctl,
 * mcsim_WSAGetLastError, ...) so they never clash with libc. Structures have
 * the 64-bit Windows layouts (ws2ipdef.h): ip_mreq_source is {multiaddr,
 * sourceaddr, interface}; GROUP_REQ is 136 bytes, GROUP_SOURCE_REQ 264,
 * GROUP_FILTER_SIZE(n) = 144 + 128n, IP_MSFILTER_SIZE(n) = 16 + 4n; addresses
 * are in network byte order; AF_INET6 is 23 and MCAST_INCLUDE 0 as on Windows.
 * Calls return 0 or SOCKET_ERROR (-1) and set mcsim_WSAGetLastError(); short
 * buffers fail with WSAEFAULT.
 *
 * Define MCSIM_WINSOCK_COMPAT_NAMES before including to get the Winsock
 * spellings (setsockopt, SOCKET_ERROR, struct ip_mreq_source, ...) as macros,
 * so Windows sample code compiles unchanged. Do not combine that with the
 * system's socket headers in one translation unit. */
#ifndef MCSIM_STACK_API_WINSOCK_H
#define MCSIM_STACK_API_WINSOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uintptr_t MCSIM_SOCKET;
#define MCSIM_INVALID_SOCKET (~(MCSIM_SOCKET)0)
#define MCSIM_SOCKET_ERROR (-1)

enum {
  MCSIM_AF_INET = 2,
  MCSIM_AF_INET6 = 23, /* Windows value */
  MCSIM_SOCK_DGRAM = 2,
  MCSIM_IPPROTO_IP = 0,
  MCSIM_IPPROTO_IPV6 = 41,
  MCSIM_IPPROTO_UDP = 17,
  /* level IPPROTO_IP */
  MCSIM_IP_MULTICAST_IF = 9,
  MCSIM_IP_MULTICAST_TTL = 10,
  MCSIM_IP_MULTICAST_LOOP = 11,
  MCSIM_IP_ADD_MEMBERSHIP = 12,
  MCSIM_IP_DROP_MEMBERSHIP = 13,
  MCSIM_IP_ADD_SOURCE_MEMBERSHIP = 15,
  MCSIM_IP_DROP_SOURCE_MEMBERSHIP = 16,
  MCSIM_IP_BLOCK_SOURCE = 17,
  MCSIM_IP_UNBLOCK_SOURCE = 18,
  /* level IPPROTO_IPV6 */
  MCSIM_IPV6_MULTICAST_IF = 9,
  MCSIM_IPV6_MULTICAST_HOPS = 10,
  MCSIM_IPV6_MULTICAST_LOOP = 11,
  MCSIM_IPV6_ADD_MEMBERSHIP = 12,
  MCSIM_IPV6_DROP_MEMBERSHIP = 13,
  /* either level */
  MCSIM_MCAST_JOIN_GROUP = 41,
  MCSIM_MCAST_LEAVE_GROUP = 42,
  MCSIM_MCAST_BLOCK_SOURCE = 43,
  MCSIM_MCAST_UNBLOCK_SOURCE = 44,
  MCSIM_MCAST_JOIN_SOURCE_GROUP = 45,
  MCSIM_MCAST_LEAVE_SOURCE_GROUP = 46,
  MCSIM_MCAST_INCLUDE = 0,
  MCSIM_MCAST_EXCLUDE = 1,
  /* errors (winerror.h) */
  MCSIM_WSAEFAULT = 10014,
  MCSIM_WSAEINVAL = 10022,
  MCSIM_WSAENOTSOCK = 10038,
  MCSIM_WSAENOPROTOOPT = 10042,
  MCSIM_WSAEAFNOSUPPORT = 10047,
  MCSIM_WSAEADDRINUSE = 10048,
  MCSIM_WSAEADDRNOTAVAIL = 10049,
  MCSIM_WSAENOBUFS = 10055
};

#define MCSIM_SIO_GET_MULTICAST_FILTER 0x8004747CUL
#define MCSIM_SIO_SET_MULTICAST_FILTER 0x8004747DUL
#define MCSIM_SIOCSMSFILTER 0x8004747EUL
#define MCSIM_SIOCGMSFILTER 0x8004747FUL

typedef struct mcsim_in_addr { uint32_t s_addr; } mcsim_in_addr; /* network byte order */
typedef struct mcsim_in6_addr { uint8_t s6_addr[16]; } mcsim_in6_addr;

struct mcsim_ip_mreq {
  mcsim_in_addr imr_multiaddr;
  mcsim_in_addr imr_interface; /* local address, or an index in 0.0.0.0/8 */
};
struct mcsim_ip_mreq_source { /* Windows field order */
  mcsim_in_addr imr_multiaddr;
  mcsim_in_addr imr_sourceaddr;
  mcsim_in_addr imr_interface;
};
struct mcsim_ipv6_mreq {
  mcsim_in6_addr ipv6mr_multiaddr;
  uint32_t ipv6mr_interface;
};
typedef struct mcsim_sockaddr_storage {
  uint16_t ss_family;
  char ss_pad1[6];
  int64_t ss_align;
  char ss_pad2[112];
} mcsim_sockaddr_storage;
typedef struct mcsim_sockaddr_in {
  uint16_t sin_family;
  uint16_t sin_port;
  mcsim_in_addr sin_addr;
  char sin_zero[8];
} mcsim_sockaddr_in;
typedef struct mcsim_sockaddr_in6 {
  uint16_t sin6_family;
  uint16_t sin6_port;
  uint32_t sin6_flowinfo;
  mcsim_in6_addr sin6_addr;
  uint32_t sin6_scope_id;
} mcsim_sockaddr_in6;
typedef struct mcsim_group_req {
  uint32_t gr_interface;
  mcsim_sockaddr_storage gr_group;
} MCSIM_GROUP_REQ;
typedef struct mcsim_group_source_req {
  uint32_t gsr_interface;
  mcsim_sockaddr_storage gsr_group;
  mcsim_sockaddr_storage gsr_source;
} MCSIM_GROUP_SOURCE_REQ;
typedef struct mcsim_group_filter {
  uint32_t gf_interface;
  mcsim_sockaddr_storage gf_group;
  uint32_t gf_fmode; /* MCSIM_MCAST_INCLUDE / MCSIM_MCAST_EXCLUDE */
  uint32_t gf_numsrc;
  mcsim_sockaddr_storage gf_slist[1];
} MCSIM_GROUP_FILTER;
struct mcsim_ip_msfilter {
  mcsim_in_addr imsf_multiaddr;
  mcsim_in_addr imsf_interface;
  uint32_t imsf_fmode;
  uint32_t imsf_numsrc;
  mcsim_in_addr imsf_slist[1];
};
#define MCSIM_GROUP_FILTER_SIZE(n) (144u + 128u * (uint32_t)(n))
#define MCSIM_IP_MSFILTER_SIZE(n) (16u + 4u * (uint32_t)(n))

/* Simulation control: a fresh stack with profile "windows" or "linux"
 * (returns 0, or -1 for an unknown name) and interfaces on it. */
int mcsim_winsock_reset(const char* profile);
uint32_t mcsim_add_interface(const char* name, uint32_t ipv4_net_order);

MCSIM_SOCKET mcsim_socket(int af, int type, int protocol);
int mcsim_closesocket(MCSIM_SOCKET s);
int mcsim_setsockopt(MCSIM_SOCKET s, int level, int optname, const char* optval, int optlen);
int mcsim_getsockopt(MCSIM_SOCKET s, int level, int optname, char* optval, int* optlen);
int mcsim_WSAIoctl(MCSIM_SOCKET s, uint32_t code, void* in, uint32_t in_len, void* out, uint32_t out_len,
                   uint32_t* bytes_returned, void* overlapped, void* completion_routine);
int mcsim_WSAGetLastError(void);
/* Name and reason of the last error ("WSAEADDRNOTAVAIL", "seed table row 7: ..."). */
const char* mcsim_WSALastErrorName(void);
const char* mcsim_WSALastErrorReason(void);

#ifdef MCSIM_WINSOCK_COMPAT_NAMES
#define SOCKET MCSIM_SOCKET
#define INVALID_SOCKET MCSIM_INVALID_SOCKET
#define SOCKET_ERROR MCSIM_SOCKET_ERROR
#define AF_INET MCSIM_AF_INET
#define AF_INET6 MCSIM_AF_INET6
#define SOCK_DGRAM MCSIM_SOCK_DGRAM
#define IPPROTO_IP MCSIM_IPPROTO_IP
#define IPPROTO_IPV6 MCSIM_IPPROTO_IPV6
#define IPPROTO_UDP MCSIM_IPPROTO_UDP
#define IP_MULTICAST_IF MCSIM_IP_MULTICAST_IF
#define IP_MULTICAST_TTL MCSIM_IP_MULTICAST_TTL
#define IP_MULTICAST_LOOP MCSIM_IP_MULTICAST_LOOP
#define IP_ADD_MEMBERSHIP MCSIM_IP_ADD_MEMBERSHIP
#define IP_DROP_MEMBERSHIP MCSIM_IP_DROP_MEMBERSHIP
#define IP_ADD_SOURCE_MEMBERSHIP MCSIM_IP_ADD_SOURCE_MEMBERSHIP
#define IP_DROP_SOURCE_MEMBERSHIP MCSIM_IP_DROP_SOURCE_MEMBERSHIP
#define IP_BLOCK_SOURCE MCSIM_IP_BLOCK_SOURCE
#define IP_UNBLOCK_SOURCE MCSIM_IP_UNBLOCK_SOURCE
#define IPV6_ADD_MEMBERSHIP MCSIM_IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP MCSIM_IPV6_DROP_MEMBERSHIP
#define MCAST_JOIN_GROUP MCSIM_MCAST_JOIN_GROUP
#define MCAST_LEAVE_GROUP MCSIM_MCAST_LEAVE_GROUP
#define MCAST_BLOCK_SOURCE MCSIM_MCAST_BLOCK_SOURCE
#define MCAST_UNBLOCK_SOURCE MCSIM_MCAST_UNBLOCK_SOURCE
#define MCAST_JOIN_SOURCE_GROUP MCSIM_MCAST_JOIN_SOURCE_GROUP
#define MCAST_LEAVE_SOURCE_GROUP MCSIM_MCAST_LEAVE_SOURCE_GROUP
#define MCAST_INCLUDE MCSIM_MCAST_INCLUDE
#define MCAST_EXCLUDE MCSIM_MCAST_EXCLUDE
#define SIO_GET_MULTICAST_FILTER MCSIM_SIO_GET_MULTICAST_FILTER
#define SIO_SET_MULTICAST_FILTER MCSIM_SIO_SET_MULTICAST_FILTER
#define SIOCSMSFILTER MCSIM_SIOCSMSFILTER
#define SIOCGMSFILTER MCSIM_SIOCGMSFILTER
#define GROUP_FILTER_SIZE MCSIM_GROUP_FILTER_SIZE
#define IP_MSFILTER_SIZE MCSIM_IP_MSFILTER_SIZE
#define WSAEFAULT MCSIM_WSAEFAULT
#define WSAEINVAL MCSIM_WSAEINVAL
#define WSAENOPROTOOPT MCSIM_WSAENOPROTOOPT
#define WSAEADDRINUSE MCSIM_WSAEADDRINUSE
#define WSAEADDRNOTAVAIL MCSIM_WSAEADDRNOTAVAIL
#define WSAENOBUFS MCSIM_WSAENOBUFS
#define in_addr mcsim_in_addr
#define ip_mreq mcsim_ip_mreq
#define ip_mreq_source mcsim_ip_mreq_source
#define ipv6_mreq mcsim_ipv6_mreq
#define ip_msfilter mcsim_ip_msfilter
#define GROUP_REQ MCSIM_GROUP_REQ
#define GROUP_SOURCE_REQ MCSIM_GROUP_SOURCE_REQ
#define GROUP_FILTER MCSIM_GROUP_FILTER
#define UINT32 uint32_t
#define DWORD uint32_t
#define socket mcsim_socket
#define closesocket mcsim_closesocket
#define setsockopt mcsim_setsockopt
#define getsockopt mcsim_getsockopt
#define WSAIoctl mcsim_WSAIoctl
#define WSAGetLastError mcsim_WSAGetLastError
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MCSIM_STACK_API_WINSOCK_H */

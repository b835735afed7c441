/* The join-source-group example of seed 000 ("多播编程示例"), compiled as C
 * against mcsim's Winsock facade. The two functions are the seed's code; only
 * the Windows-only includes and the #pragma comment(lib) are replaced by the
 * facade header. seed_example_run() drives them as the seed's "controlled
 * source" steps describe and returns 0 when everything behaves as documented. */
#define MCSIM_WINSOCK_COMPAT_NAMES
#include "stack/api/winsock.h"

#define u_int32 UINT32  // Unix uses u_int32

int                  /* OUT: whatever setsockopt() returns */
join_source_group(int sd, u_int32 grpaddr,
   u_int32 srcaddr, u_int32 iaddr)
{
   struct ip_mreq_source imr;

   imr.imr_multiaddr.s_addr  = grpaddr;
   imr.imr_sourceaddr.s_addr = srcaddr;
   imr.imr_interface.s_addr  = iaddr;
   return setsockopt(sd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, (char *) &imr, sizeof(imr));
}

int
leave_source_group(int sd, u_int32 grpaddr,
   u_int32 srcaddr, u_int32 iaddr)
{
   struct ip_mreq_source imr;

   imr.imr_multiaddr.s_addr  = grpaddr;
   imr.imr_sourceaddr.s_addr = srcaddr;
   imr.imr_interface.s_addr  = iaddr;
   return setsockopt(sd, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, (char *) &imr, sizeof(imr));
}

/* Network-order address from four octets, independent of host byte order. */
static u_int32 addr4(unsigned a, unsigned b, unsigned c, unsigned d) {
  unsigned char o[4];
  u_int32 r;
  o[0] = (unsigned char)a; o[1] = (unsigned char)b; o[2] = (unsigned char)c; o[3] = (unsigned char)d;
  r = 0;
  { unsigned char* p = (unsigned char*)&r; p[0] = o[0]; p[1] = o[1]; p[2] = o[2]; p[3] = o[3]; }
  return r;
}

int seed_example_run(void) {
  const u_int32 iface = addr4(10, 0, 0, 1), grp = addr4(232, 1, 1, 1);
  const u_int32 s1 = addr4(192, 168, 1, 10), s2 = addr4(192, 168, 1, 11);
  SOCKET sd;
  if (sizeof(struct ip_mreq_source) != 12 || sizeof(GROUP_REQ) != 136 || sizeof(GROUP_SOURCE_REQ) != 264) return 1;
  if (GROUP_FILTER_SIZE(2) != 144 + 256 || IP_MSFILTER_SIZE(3) != 28) return 2;
  if (mcsim_winsock_reset("windows") != 0) return 3;
  mcsim_add_interface("eth0", iface);
  sd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (sd == INVALID_SOCKET) return 4;
  /* Controlled-source application: join each group/source pair ... */
  if (join_source_group((int)sd, grp, s1, iface) != 0) return 5;
  if (join_source_group((int)sd, grp, s2, iface) != 0) return 6;
  /* ... the same pair twice is seed table row 7 ... */
  if (join_source_group((int)sd, grp, s1, iface) != SOCKET_ERROR) return 7;
  if (WSAGetLastError() != WSAEADDRNOTAVAIL) return 8;
  /* ... leave each pair ... */
  if (leave_source_group((int)sd, grp, s1, iface) != 0) return 9;
  /* ... a pair no longer in the include list is row 10 ... */
  if (leave_source_group((int)sd, grp, s1, iface) != SOCKET_ERROR) return 10;
  if (WSAGetLastError() != WSAEADDRNOTAVAIL) return 11;
  if (leave_source_group((int)sd, grp, s2, iface) != 0) return 12;
  /* ... a short buffer is WSAEFAULT. */
  {
    struct ip_mreq_source imr;
    imr.imr_multiaddr.s_addr = grp;
    imr.imr_sourceaddr.s_addr = s1;
    imr.imr_interface.s_addr = iface;
    if (setsockopt(sd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, (char*)&imr, 8) != SOCKET_ERROR) return 13;
    if (WSAGetLastError() != WSAEFAULT) return 14;
  }
  if (closesocket(sd) != 0) return 15;
  return 0;
}

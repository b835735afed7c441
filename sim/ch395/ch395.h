/* WCH CH395 firmware-facing C API for the mcsim device model (sim/ch395/device.hpp).
 *
 * Firmware written for the chip compiles unchanged against this header: the command
 * codes, status codes, interrupt bits and function names/signatures are WCH's
 * (CH395INC.H / CH395CMD.H V1.1 2014/8/1 as shipped in WCH's CH395EVT package, mirrored in
 * github.com/orix-software/ch395-lib doc/EVT/EXAM/PUB/). Sources for every fact: docs/ch395.md.
 *
 * Two ways to use it:
 *  - call the CH395CMD* / CH395* functions (sim/ch395/ch395_api.cpp, which frame every
 *    command exactly as WCH's CH395CMD.C does), or
 *  - bring your own copy of WCH's CH395CMD.C and link only the transport functions
 *    xWriteCH395Cmd / xWriteCH395Data / xReadCH395Data / xEndCH395Cmd
 *    (sim/ch395/ch395_transport.cpp; they live in their own object file so the two never
 *    clash at link time).
 * Either way the bytes go to "the current device", set with ch395_bind().
 */
#ifndef MCSIM_SIM_CH395_CH395_H
#define MCSIM_SIM_CH395_CH395_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* WCH's type names (CH395INC.H). UINT32 is "unsigned long" in WCH's 8051 header; here it
 * is a fixed 32-bit type, which every use in CH395CMD.C is compatible with. */
#ifndef UINT8
typedef uint8_t UINT8;
#endif
#ifndef UINT16
typedef uint16_t UINT16;
#endif
#ifndef UINT32
typedef uint32_t UINT32;
#endif
#ifndef PUINT8
typedef uint8_t* PUINT8;
#endif

/* ---- Command codes (CH395INC.H "命令代码"). CMDxy_NAME: x = input bytes, y = output bytes,
 * W = wait for completion via CMD01_GET_CMD_STATUS. ---- */
#define CMD01_GET_IC_VER 0x01
#define CMD31_SET_BAUDRATE 0x02
#define CMD00_ENTER_SLEEP 0x03
#define CMD00_RESET_ALL 0x05
#define CMD11_CHECK_EXIST 0x06
#define CMD02_GET_GLOB_INT_STATUS_ALL 0x19
#define CMD10_SET_PHY 0x20
#define CMD60_SET_MAC_ADDR 0x21
#define CMD40_SET_IP_ADDR 0x22
#define CMD40_SET_GWIP_ADDR 0x23
#define CMD40_SET_MASK_ADDR 0x24
#define CMD90_SET_MAC_FILT 0x25
#define CMD01_GET_PHY_STATUS 0x26
#define CMD0W_INIT_CH395 0x27
#define CMD08_GET_UNREACH_IPPORT 0x28
#define CMD01_GET_GLOB_INT_STATUS 0x29
#define CMD10_SET_RETRAN_COUNT 0x2A
#define CMD20_SET_RETRAN_PERIOD 0x2B
#define CMD01_GET_CMD_STATUS 0x2C
#define CMD06_GET_REMOT_IPP_SN 0x2D
#define CMD10_CLEAR_RECV_BUF_SN 0x2E
#define CMD12_GET_SOCKET_STATUS_SN 0x2F
#define CMD11_GET_INT_STATUS_SN 0x30
#define CMD50_SET_IP_ADDR_SN 0x31
#define CMD30_SET_DES_PORT_SN 0x32
#define CMD30_SET_SOUR_PORT_SN 0x33
#define CMD20_SET_PROTO_TYPE_SN 0x34
#define CMD1W_OPEN_SOCKET_SN 0x35
#define CMD1W_TCP_LISTEN_SN 0x36
#define CMD1W_TCP_CONNECT_SN 0x37
#define CMD1W_TCP_DISNCONNECT_SN 0x38
#define CMD30_WRITE_SEND_BUF_SN 0x39
#define CMD12_GET_RECV_LEN_SN 0x3B
#define CMD30_READ_RECV_BUF_SN 0x3C
#define CMD1W_CLOSE_SOCKET_SN 0x3D
#define CMD20_SET_IPRAW_PRO_SN 0x3E
#define CMD01_PING_ENABLE 0x3F
#define CMD06_GET_MAC_ADDR 0x40
#define CMD10_DHCP_ENABLE 0x41
#define CMD01_GET_DHCP_STATUS 0x42
#define CMD014_GET_IP_INF 0x43
#define CMD20_SET_TCP_MSS 0x50
#define CMD20_SET_TTL 0x51
#define CMD30_SET_RECV_BUF 0x52
#define CMD30_SET_SEND_BUF 0x53
#define CMD10_SET_MAC_RECV_BUF 0x54
#define CMD40_SET_FUN_PARA 0x55

/* ---- Socket protocol types ---- */
#define PROTO_TYPE_IP_RAW 0
#define PROTO_TYPE_MAC_RAW 1
#define PROTO_TYPE_UDP 2
#define PROTO_TYPE_TCP 3

/* ---- PHY status ---- */
#define PHY_DISCONN (1 << 0)
#define PHY_10M_FLL (1 << 1)
#define PHY_10M_HALF (1 << 2)
#define PHY_100M_FLL (1 << 3)
#define PHY_100M_HALF (1 << 4)
#define PHY_AUTO (1 << 5)

/* ---- MAC filter type (first data byte of CMD90_SET_MAC_FILT; WCH spells BORADPKT) ---- */
#define MAC_FILT_RECV_BORADPKT (1 << 0)
#define MAC_FILT_RECV_ALL (1 << 1)
#define MAC_FILT_RECV_MULTIPKT (1 << 2)
#define MAC_FILT_RECV_ENABLE (1 << 3)
#define MAC_FILT_SEND_ENABLE (1 << 4)

/* ---- Global interrupt status (GET_GLOB_INT_STATUS[_ALL]) ---- */
#define GINT_STAT_UNREACH (1 << 0)
#define GINT_STAT_IP_CONFLI (1 << 1)
#define GINT_STAT_PHY_CHANGE (1 << 2)
#define GINT_STAT_DHCP (1 << 3)
#define GINT_STAT_SOCK0 (1 << 4)
#define GINT_STAT_SOCK1 (1 << 5)
#define GINT_STAT_SOCK2 (1 << 6)
#define GINT_STAT_SOCK3 (1 << 7)
#define GINT_STAT_SOCK4 (1 << 8)
#define GINT_STAT_SOCK5 (1 << 9)
#define GINT_STAT_SOCK6 (1 << 10)
#define GINT_STAT_SOCK7 (1 << 11)

/* ---- Socket interrupt status (GET_INT_STATUS_SN) ---- */
#define SINT_STAT_SENBUF_FREE (1 << 0)
#define SINT_STAT_SEND_OK (1 << 1)
#define SINT_STAT_RECV (1 << 2)
#define SINT_STAT_CONNECT (1 << 3)
#define SINT_STAT_DISCONNECT (1 << 4)
#define SINT_STAT_TIM_OUT (1 << 6)

/* ---- Command status (GET_CMD_STATUS) ---- */
#define CMD_ERR_SUCCESS 0x00
#define CMD_RET_ABORT 0x5F
#define CH395_ERR_BUSY 0x10
#define CH395_ERR_MEM 0x11
#define CH395_ERR_BUF 0x12
#define CH395_ERR_TIMEOUT 0x13
#define CH395_ERR_RTE 0x14
#define CH395_ERR_ABRT 0x15
#define CH395_ERR_RST 0x16
#define CH395_ERR_CLSD 0x17
#define CH395_ERR_CONN 0x18
#define CH395_ERR_VAL 0x19
#define CH395_ERR_ARG 0x1a
#define CH395_ERR_USE 0x1b
#define CH395_ERR_IF 0x1c
#define CH395_ERR_ISCONN 0x1d
#define CH395_ERR_OPEN 0x20
#define CH395_ERR_UNKNOW 0xFA

/* ---- Binding to the simulated chip ---- */
/* Opaque handle: a mcsim::ch395::Ch395Device* seen from C. */
typedef struct Ch395DeviceHandle Ch395DeviceHandle;
/* Sets the device every function below talks to (NULL: none; writes are dropped, reads
 * return 0). The simulator binds a device before each call into its firmware. */
void ch395_bind(Ch395DeviceHandle* dev);
Ch395DeviceHandle* ch395_bound(void);

/* ---- WCH transport (CH395SPI_HW.C / CH395UART.C / CH395PARA_HW.C) ---- */
void xWriteCH395Cmd(UINT8 cmd);
void xWriteCH395Data(UINT8 mdata);
UINT8 xReadCH395Data(void);
/* In WCH's code this is a macro (SPI: chip select high; UART/parallel: empty). Here it is a
 * function that ends the command on the bound device. */
void xEndCH395Cmd(void);

/* ---- WCH command functions (CH395CMD.H) ---- */
void CH395CMDReset(void);
UINT8 CH395CMDGetVer(void);
UINT8 CH395CMDCheckExist(UINT8 testdata);
UINT8 CH395CMDGetPHYStatus(void);
UINT8 CH395CMDGetGlobIntStatus(void);
UINT16 CH395CMDGetGlobIntStatus_ALL(void);
UINT8 CH395CMDInitCH395(void);
UINT8 CH395GetCmdStatus(void);
void CH395CMDSetIPAddr(UINT8* ipaddr);
void CH395CMDSetGWIPAddr(UINT8* gwipaddr);
void CH395CMDSetMASKAddr(UINT8* maskaddr);
void CH395CMDSetMACAddr(UINT8* amcaddr);
void CH395CMDGetMACAddr(UINT8* amcaddr);
void CH395CMDSetMACFilt(UINT8 filtype, UINT32 table0, UINT32 table1);
void CH395SetSocketDesIP(UINT8 sockindex, UINT8* ipaddr);
void CH395SetSocketProtType(UINT8 sockindex, UINT8 prottype);
void CH395SetSocketDesPort(UINT8 sockindex, UINT16 desprot);
void CH395SetSocketSourPort(UINT8 sockindex, UINT16 surprot);
void CH395SetSocketIPRAWProto(UINT8 sockindex, UINT8 prototype);
void CH395SendData(UINT8 sockindex, UINT8* databuf, UINT16 len);
UINT16 CH395GetRecvLength(UINT8 sockindex);
void CH395ClearRecvBuf(UINT8 sockindex);
void CH395GetRecvData(UINT8 sockindex, UINT16 len, UINT8* pbuf);
UINT8 CH395OpenSocket(UINT8 sockindex);
UINT8 CH395CloseSocket(UINT8 sockindex);
UINT8 CH395GetSocketInt(UINT8 sockindex);
void CH395SetTTLNum(UINT8 sockindex, UINT8 TTLnum);
/* Multicast address CRC-32, top 6 bits: the index of the hash-filter bit (0-31: HASH0
 * bit n, 32-63: HASH1 bit n-32). WCH's CH395CRCRet6Bit, same algorithm. */
UINT8 CH395CRCRet6Bit(UINT8* mac_addr);
/* Not a WCH name: DESIGN.md / the issue call CH395CMDSetMACFilt this; same function. */
void CH395SetMACFilt(UINT8 filtype, UINT32 table0, UINT32 table1);

/* ---- Firmware registry (the C files in scenarios/ch395) ---- */
/* Parameters the simulator hands to a firmware instance; the first member of every
 * firmware's state (ctx points to state_size zeroed bytes whose head is this struct). */
#define CH395_FW_MAX_GROUPS 8
typedef struct Ch395FwParams {
  uint8_t mac[6];
  uint8_t ip[4];
  uint8_t gateway[4];
  uint8_t mask[4];
  uint8_t num_groups;                    /* groups to join (IPv4, network order) */
  uint8_t groups[CH395_FW_MAX_GROUPS][4];
  uint32_t report_interval_ms;           /* periodic send (seed002_*): 0 = firmware default */
  uint64_t leave_at_ns;                  /* igmpv3_reporter: leave all groups then; 0 = never */
  uint32_t seed;                         /* random delays (igmpv3_reporter) */
} Ch395FwParams;

typedef struct Ch395Firmware {
  const char* name;
  size_t state_size; /* bytes of per-instance state, >= sizeof(Ch395FwParams) */
  void (*init)(void* ctx);
  void (*poll)(void* ctx, uint64_t now_ns);
} Ch395Firmware;

/* NULL when no firmware has that name. */
const Ch395Firmware* ch395_find_firmware(const char* name);
/* NULL-terminated list of all firmware. */
const Ch395Firmware* const* ch395_firmware_list(void);

/* Firmware built as a shared object against this header exports
 *   const Ch395Firmware* mcsim_ch395_firmware(void);
 * and is named in a scenario by its path (`firmware: ./fw.so`). The WCH functions it calls
 * (CH395OpenSocket, ...) resolve to the mcsim executable's, which exports them. */
#define CH395_FIRMWARE_ENTRY "mcsim_ch395_firmware"
/* Loads a firmware shared object; NULL with a message in `error` on failure. */
const Ch395Firmware* ch395_load_firmware(const char* path, char* error, size_t error_len);
/* Non-zero when `name` names a file (contains '/' or ends in .so) rather than built-in firmware. */
int ch395_firmware_is_path(const char* name);

#ifdef __cplusplus
}
#endif

#endif /* MCSIM_SIM_CH395_CH395_H */

// WCH CH395 command functions (names, signatures and byte framing of WCH's CH395CMD.C,
// CH395EVT package, mirrored in orix-software/ch395-lib doc/EVT/EXAM/PUB/CH395CMD.C) on top
// of the transport functions of ch395_transport.cpp. The chip model answers at once, so the
// "wait for completion" loops (INIT, OPEN, CLOSE) end at their first status poll; WCH's
// mDelaymS between polls is not needed and left out.
#include "sim/ch395/ch395.h"

extern "C" {

void CH395CMDReset(void) {
  xWriteCH395Cmd(CMD00_RESET_ALL);
  xEndCH395Cmd();
}

UINT8 CH395CMDGetVer(void) {
  xWriteCH395Cmd(CMD01_GET_IC_VER);
  UINT8 i = xReadCH395Data();
  xEndCH395Cmd();
  return i;
}

UINT8 CH395CMDCheckExist(UINT8 testdata) {
  xWriteCH395Cmd(CMD11_CHECK_EXIST);
  xWriteCH395Data(testdata);
  UINT8 i = xReadCH395Data();
  xEndCH395Cmd();
  return i;
}

UINT8 CH395CMDGetPHYStatus(void) {
  xWriteCH395Cmd(CMD01_GET_PHY_STATUS);
  UINT8 i = xReadCH395Data();
  xEndCH395Cmd();
  return i;
}

UINT8 CH395CMDGetGlobIntStatus(void) {
  xWriteCH395Cmd(CMD01_GET_GLOB_INT_STATUS);
  UINT8 s = xReadCH395Data();
  xEndCH395Cmd();
  return s;
}

UINT16 CH395CMDGetGlobIntStatus_ALL(void) {
  xWriteCH395Cmd(CMD02_GET_GLOB_INT_STATUS_ALL);
  UINT16 s = xReadCH395Data();
  s = static_cast<UINT16>((xReadCH395Data() << 8) + s);
  xEndCH395Cmd();
  return s;
}

UINT8 CH395GetCmdStatus(void) {
  xWriteCH395Cmd(CMD01_GET_CMD_STATUS);
  UINT8 i = xReadCH395Data();
  xEndCH395Cmd();
  return i;
}

namespace {
// WCH's wait loop: poll GET_CMD_STATUS until it is not BUSY, at most ~200 times.
UINT8 wait_status() {
  UINT8 i = 0;
  for (;;) {
    UINT8 s = CH395GetCmdStatus();
    if (s != CH395_ERR_BUSY) return s;
    if (i++ > 200) return CH395_ERR_UNKNOW;
  }
}
void write4(UINT8 cmd, const UINT8* p) {
  xWriteCH395Cmd(cmd);
  for (int i = 0; i < 4; i++) xWriteCH395Data(*p++);
  xEndCH395Cmd();
}
}  // namespace

UINT8 CH395CMDInitCH395(void) {
  xWriteCH395Cmd(CMD0W_INIT_CH395);
  xEndCH395Cmd();
  return wait_status();
}

void CH395CMDSetIPAddr(UINT8* ipaddr) { write4(CMD40_SET_IP_ADDR, ipaddr); }
void CH395CMDSetGWIPAddr(UINT8* gwipaddr) { write4(CMD40_SET_GWIP_ADDR, gwipaddr); }
void CH395CMDSetMASKAddr(UINT8* maskaddr) { write4(CMD40_SET_MASK_ADDR, maskaddr); }

void CH395CMDSetMACAddr(UINT8* amcaddr) {
  xWriteCH395Cmd(CMD60_SET_MAC_ADDR);
  for (int i = 0; i < 6; i++) xWriteCH395Data(*amcaddr++);
  xEndCH395Cmd();
}

void CH395CMDGetMACAddr(UINT8* amcaddr) {
  xWriteCH395Cmd(CMD06_GET_MAC_ADDR);
  for (int i = 0; i < 6; i++) *amcaddr++ = xReadCH395Data();
  xEndCH395Cmd();
}

void CH395CMDSetMACFilt(UINT8 filtype, UINT32 table0, UINT32 table1) {
  xWriteCH395Cmd(CMD90_SET_MAC_FILT);
  xWriteCH395Data(filtype);
  xWriteCH395Data(static_cast<UINT8>(table0));
  xWriteCH395Data(static_cast<UINT8>(table0 >> 8));
  xWriteCH395Data(static_cast<UINT8>(table0 >> 16));
  xWriteCH395Data(static_cast<UINT8>(table0 >> 24));
  xWriteCH395Data(static_cast<UINT8>(table1));
  xWriteCH395Data(static_cast<UINT8>(table1 >> 8));
  xWriteCH395Data(static_cast<UINT8>(table1 >> 16));
  xWriteCH395Data(static_cast<UINT8>(table1 >> 24));
  xEndCH395Cmd();
}

void CH395SetMACFilt(UINT8 filtype, UINT32 table0, UINT32 table1) { CH395CMDSetMACFilt(filtype, table0, table1); }

void CH395SetSocketDesIP(UINT8 sockindex, UINT8* ipaddr) {
  xWriteCH395Cmd(CMD50_SET_IP_ADDR_SN);
  xWriteCH395Data(sockindex);
  for (int i = 0; i < 4; i++) xWriteCH395Data(*ipaddr++);
  xEndCH395Cmd();
}

void CH395SetSocketProtType(UINT8 sockindex, UINT8 prottype) {
  xWriteCH395Cmd(CMD20_SET_PROTO_TYPE_SN);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(prottype);
  xEndCH395Cmd();
}

void CH395SetSocketDesPort(UINT8 sockindex, UINT16 desprot) {
  xWriteCH395Cmd(CMD30_SET_DES_PORT_SN);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(static_cast<UINT8>(desprot));
  xWriteCH395Data(static_cast<UINT8>(desprot >> 8));
  xEndCH395Cmd();
}

void CH395SetSocketSourPort(UINT8 sockindex, UINT16 surprot) {
  xWriteCH395Cmd(CMD30_SET_SOUR_PORT_SN);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(static_cast<UINT8>(surprot));
  xWriteCH395Data(static_cast<UINT8>(surprot >> 8));
  xEndCH395Cmd();
}

void CH395SetSocketIPRAWProto(UINT8 sockindex, UINT8 prototype) {
  xWriteCH395Cmd(CMD20_SET_IPRAW_PRO_SN);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(prototype);
  xEndCH395Cmd();
}

void CH395SendData(UINT8 sockindex, UINT8* databuf, UINT16 len) {
  xWriteCH395Cmd(CMD30_WRITE_SEND_BUF_SN);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(static_cast<UINT8>(len));
  xWriteCH395Data(static_cast<UINT8>(len >> 8));
  for (UINT16 i = 0; i < len; i++) xWriteCH395Data(*databuf++);
  xEndCH395Cmd();
}

UINT16 CH395GetRecvLength(UINT8 sockindex) {
  xWriteCH395Cmd(CMD12_GET_RECV_LEN_SN);
  xWriteCH395Data(sockindex);
  UINT16 i = xReadCH395Data();
  i = static_cast<UINT16>((xReadCH395Data() << 8) + i);
  xEndCH395Cmd();
  return i;
}

void CH395ClearRecvBuf(UINT8 sockindex) {
  xWriteCH395Cmd(CMD10_CLEAR_RECV_BUF_SN);
  xWriteCH395Data(sockindex);
  xEndCH395Cmd();
}

void CH395GetRecvData(UINT8 sockindex, UINT16 len, UINT8* pbuf) {
  if (!len) return;
  xWriteCH395Cmd(CMD30_READ_RECV_BUF_SN);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(static_cast<UINT8>(len));
  xWriteCH395Data(static_cast<UINT8>(len >> 8));
  for (UINT16 i = 0; i < len; i++) *pbuf++ = xReadCH395Data();
  xEndCH395Cmd();
}

UINT8 CH395OpenSocket(UINT8 sockindex) {
  xWriteCH395Cmd(CMD1W_OPEN_SOCKET_SN);
  xWriteCH395Data(sockindex);
  xEndCH395Cmd();
  return wait_status();
}

UINT8 CH395CloseSocket(UINT8 sockindex) {
  xWriteCH395Cmd(CMD1W_CLOSE_SOCKET_SN);
  xWriteCH395Data(sockindex);
  xEndCH395Cmd();
  return wait_status();
}

UINT8 CH395GetSocketInt(UINT8 sockindex) {
  xWriteCH395Cmd(CMD11_GET_INT_STATUS_SN);
  xWriteCH395Data(sockindex);
  UINT8 s = xReadCH395Data();
  xEndCH395Cmd();
  return s;
}

void CH395SetTTLNum(UINT8 sockindex, UINT8 TTLnum) {
  xWriteCH395Cmd(CMD20_SET_TTL);
  xWriteCH395Data(sockindex);
  xWriteCH395Data(TTLnum);
  xEndCH395Cmd();
}

UINT8 CH395CRCRet6Bit(UINT8* mac_addr) {
  const UINT32 poly = 0x04C11DB7u;
  UINT32 crc = 0xFFFFFFFFu;
  for (int b = 0; b < 6; b++) {
    UINT8 c = *mac_addr++;
    for (int bit = 0; bit < 8; bit++) {
      crc = (crc << 1) ^ ((((crc >> 31) ^ c) & 0x01u) ? poly : 0u);
      c = static_cast<UINT8>(c >> 1);
    }
  }
  return static_cast<UINT8>(crc >> 26);
}

}  // extern "C"

#include "pcap/capture.hpp"

#include <pcap/pcap.h>

#include "stack/wire/bytes.hpp"

namespace mcsim::pcap {

using wire::load_be16;
using wire::load_be32;

bool linktype_supported(int lt) {
  switch (lt) {
    case linktype::kNull:
    case linktype::kEthernet:
    case linktype::kRaw:
    case linktype::kLoop:
    case linktype::kLinuxSll:
    case linktype::kIpv4:
    case linktype::kIpv6:
    case linktype::kLinuxSll2:
    case 12:  // DLT_RAW on some BSDs, as libpcap may report it
    case 14:
      return true;
    default:
      return false;
  }
}

const char* linktype_name(int lt) {
  switch (lt) {
    case linktype::kNull: return "NULL";
    case linktype::kEthernet: return "EN10MB";
    case linktype::kRaw: case 12: case 14: return "RAW";
    case linktype::kLoop: return "LOOP";
    case linktype::kLinuxSll: return "LINUX_SLL";
    case linktype::kIpv4: return "IPV4";
    case linktype::kIpv6: return "IPV6";
    case linktype::kLinuxSll2: return "LINUX_SLL2";
    default: return "unsupported";
  }
}

struct Reader::Impl {
  pcap_t* handle = nullptr;
};

std::unique_ptr<Reader> Reader::open(const std::string& path, std::string& error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* h = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!h) {
    error = path + ": cannot read capture: " + errbuf;
    return nullptr;
  }
  std::unique_ptr<Reader> r(new Reader());
  r->impl_ = new Impl{h};
  r->path_ = path;
  r->linktype_ = pcap_datalink(h);
  return r;
}

Reader::~Reader() {
  if (impl_) {
    pcap_close(impl_->handle);
    delete impl_;
  }
}

bool Reader::next(Frame& f) {
  struct pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(impl_->handle, &hdr, &data);
  if (rc == 1) {
    f.number = ++count_;
    f.ts_sec = hdr->ts.tv_sec;
    f.ts_nsec = static_cast<std::uint32_t>(hdr->ts.tv_usec);  // nanoseconds (precision NANO)
    f.caplen = hdr->caplen;
    f.len = hdr->len;
    f.linktype = linktype_;
    f.data = Bytes(data, hdr->caplen);
    return true;
  }
  if (rc == PCAP_ERROR) {
    error_ = path_ + ": frame " + std::to_string(count_ + 1) + ": " + pcap_geterr(impl_->handle);
  }
  return false;  // PCAP_ERROR_BREAK: end of file
}

struct Writer::Impl {
  pcap_t* dead = nullptr;
  pcap_dumper_t* dumper = nullptr;
};

std::unique_ptr<Writer> Writer::open(const std::string& path, int lt, std::string& error, std::uint32_t snaplen) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(lt, static_cast<int>(snaplen), PCAP_TSTAMP_PRECISION_NANO);
  if (!dead) {
    error = path + ": cannot create pcap writer";
    return nullptr;
  }
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  if (!d) {
    error = path + ": cannot write: " + pcap_geterr(dead);
    pcap_close(dead);
    return nullptr;
  }
  std::unique_ptr<Writer> w(new Writer());
  w->impl_ = new Impl{dead, d};
  return w;
}

Writer::~Writer() {
  if (impl_) {
    pcap_dump_close(impl_->dumper);
    pcap_close(impl_->dead);
    delete impl_;
  }
}

void Writer::write(std::int64_t ts_sec, std::uint32_t ts_nsec, Bytes frame, std::uint32_t orig_len) {
  struct pcap_pkthdr hdr {};
  hdr.ts.tv_sec = static_cast<time_t>(ts_sec);
  hdr.ts.tv_usec = static_cast<suseconds_t>(ts_nsec);  // nanoseconds for a NANO-precision dumper
  hdr.caplen = static_cast<bpf_u_int32>(frame.size());
  hdr.len = static_cast<bpf_u_int32>(orig_len ? orig_len : frame.size());
  pcap_dump(reinterpret_cast<u_char*>(impl_->dumper), &hdr, frame.data());
}

void Writer::flush() { pcap_dump_flush(impl_->dumper); }

namespace {

bool ip_by_af(std::uint32_t af, Bytes payload, Bytes& ip) {
  // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
  // 30 (macOS), 23 (Windows).
  if (af == 2 || af == 10 || af == 23 || af == 24 || af == 28 || af == 30) {
    ip = payload;
    return true;
  }
  return false;
}

bool ip_by_ethertype(std::uint16_t et, Bytes payload, Bytes& ip) {
  if (et == 0x0800 || et == 0x86DD) {
    ip = payload;
    return true;
  }
  return false;
}

}  // namespace

bool extract_ip(int lt, Bytes f, Bytes& ip, wire::ErrorSet& errors) {
  switch (lt) {
    case linktype::kEthernet: {
      if (f.size() < 14) {
        errors.add(wire::WireError::Truncated);
        return false;
      }
      std::size_t off = 12;
      std::uint16_t et = load_be16(f.data() + off);
      while (et == 0x8100 || et == 0x88A8 || et == 0x9100) {  // 802.1Q / 802.1ad
        off += 4;
        if (off + 2 > f.size()) {
          errors.add(wire::WireError::Truncated);
          return false;
        }
        et = load_be16(f.data() + off);
      }
      return ip_by_ethertype(et, f.subspan(off + 2), ip);
    }
    case linktype::kLinuxSll:  // 16-byte cooked header, protocol at offset 14
      if (f.size() < 16) {
        errors.add(wire::WireError::Truncated);
        return false;
      }
      return ip_by_ethertype(load_be16(f.data() + 14), f.subspan(16), ip);
    case linktype::kLinuxSll2:  // 20-byte cooked header, protocol at offset 0
      if (f.size() < 20) {
        errors.add(wire::WireError::Truncated);
        return false;
      }
      return ip_by_ethertype(load_be16(f.data()), f.subspan(20), ip);
    case linktype::kNull: {  // 4-byte address family in the writer's byte order
      if (f.size() < 4) {
        errors.add(wire::WireError::Truncated);
        return false;
      }
      std::uint32_t le = f[0] | (f[1] << 8) | (f[2] << 16) | (std::uint32_t{f[3]} << 24);
      std::uint32_t af = le < 256 ? le : load_be32(f.data());
      return ip_by_af(af, f.subspan(4), ip);
    }
    case linktype::kLoop:
      if (f.size() < 4) {
        errors.add(wire::WireError::Truncated);
        return false;
      }
      return ip_by_af(load_be32(f.data()), f.subspan(4), ip);
    case linktype::kRaw:
    case linktype::kIpv4:
    case linktype::kIpv6:
    case 12:
    case 14:
      ip = f;
      return !f.empty();
    default:
      return false;
  }
}

}  // namespace mcsim::pcap

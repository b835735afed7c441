// A snooping switch (RFC 4541): one SnoopTable per address family over the same ports.
// IGMP (RFC 4541 §2) and MLD (§3) state are independent; the data plane asks
// forward_data with the datagram's destination group and source.
#pragma once

#include <algorithm>
#include <optional>

#include "stack/snoop/snoop_table.hpp"

namespace mcsim::snoop {

class SnoopSwitch {
 public:
  explicit SnoopSwitch(SnoopConfig cfg) : igmp_(cfg), mld_(cfg) {}

  void handle(unsigned in_port, const wire::IgmpMessage& m, const Ipv4Addr& src, Time now) {
    igmp_.handle(in_port, m, src, now);
  }
  void handle(unsigned in_port, const wire::MldMessage& m, const Ipv6Addr& src, Time now) {
    mld_.handle(in_port, m, src, now);
  }
  PortSet forward_control(unsigned in_port, const wire::IgmpMessage& m, Time now) const {
    return igmp_.forward_control(in_port, m, now);
  }
  PortSet forward_control(unsigned in_port, const wire::MldMessage& m, Time now) const {
    return mld_.forward_control(in_port, m, now);
  }
  PortSet forward_data(const Ipv4Addr& group, const Ipv4Addr& source, unsigned in_port, Time now) const {
    return igmp_.forward_data(group, source, in_port, now);
  }
  PortSet forward_data(const Ipv6Addr& group, const Ipv6Addr& source, unsigned in_port, Time now) const {
    return mld_.forward_data(group, source, in_port, now);
  }
  /// A datagram that is neither IPv4 nor IPv6 multicast is bridged as usual: every other port.
  PortSet flood(unsigned in_port) const {
    PortSet s = igmp_.all_ports();
    s.reset(in_port);
    return s;
  }

  std::optional<Time> next_deadline() const {
    auto a = igmp_.next_deadline();
    auto b = mld_.next_deadline();
    if (a && b) return std::min(*a, *b);
    return a ? a : b;
  }
  void expire(Time now) {
    igmp_.expire(now);
    mld_.expire(now);
  }

  IgmpSnoopTable& igmp() { return igmp_; }
  const IgmpSnoopTable& igmp() const { return igmp_; }
  MldSnoopTable& mld() { return mld_; }
  const MldSnoopTable& mld() const { return mld_; }

 private:
  IgmpSnoopTable igmp_;
  MldSnoopTable mld_;
};

}  // namespace mcsim::snoop

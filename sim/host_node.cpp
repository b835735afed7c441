// A simulated host: HostStack (socket-option layer + IGMP/MLD engines) on one interface.
#include <tuple>
#include <utility>
#include <algorithm>
#include <map>

#include "sim/json.hpp"
#include "sim/nodes.hpp"
#include "stack/host/host_stack.hpp"
#include "stack/wire/packet.hpp"
#include "stack/wire/udp.hpp"

namespace mcsim::sim {

MacAddr default_mac(int number) {
  // 24 bits of node number (the same addresses as 16 bits below 65,536 nodes).
  return MacAddr({0x02, 0x00, 0x00, static_cast<std::uint8_t>(number >> 16), static_cast<std::uint8_t>(number >> 8),
                  static_cast<std::uint8_t>(number)});
}

namespace {


std::string sources_text(const std::vector<IpAddr>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].to_string();
  return s + "}";
}

template <class A>
std::vector<IpAddr> ip_list(const SourceSet<A>& s) {
  std::vector<IpAddr> v;
  for (const auto& a : s) v.emplace_back(a);
  return v;
}

template <class A>
std::string filter_text(const Filter<A>& f) {
  if (!f.is_member()) return "not a member";
  return std::string(f.mode == FilterMode::Include ? "include " : "exclude ") + sources_text(ip_list(f.sources));
}

class HostNode final : public Node {
 public:
  /// `spec`: this host's settings, read during construction only; `stored`: the spec the
  /// node keeps referring to for its LAN, location and settings (the same HostSpec for a
  /// listed host, the block's base for a block host, so 100,000 block hosts hold no
  /// HostSpec each). The name and addresses, which differ per block host, are copied.
  HostNode(const HostSpec& spec, const HostSpec& stored, const NodeEnv& env, int number, std::uint32_t mtu)
      : spec_(stored), name_(spec.name), ipv4_(spec.ipv4), ipv6_(spec.ipv6), log_(env.log),
        rng_(env.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(number)) {
    mac_ = spec.mac.value_or(default_mac(number));
    host::HostConfig igmp_cfg, mld_cfg;
    igmp_cfg.mtu = mld_cfg.mtu = mtu;
    // A host declared with an older version is that version only (like a forced kernel).
    igmp_cfg.force_version = spec.igmp >= host::Ipv4Traits::kMaxVersion ? 0 : spec.igmp;
    mld_cfg.force_version = spec.mld >= host::Ipv6Traits::kMaxVersion ? 0 : spec.mld;
    if (spec.robustness) igmp_cfg.robustness = mld_cfg.robustness = *spec.robustness;
    if (spec.unsolicited_report_interval)
      igmp_cfg.unsolicited_report_interval = mld_cfg.unsolicited_report_interval = *spec.unsolicited_report_interval;
    stack_.emplace(env.profile, igmp_cfg, mld_cfg, rng_);
    std::vector<Ipv4Addr> v4;
    if (spec.ipv4) v4.push_back(*spec.ipv4);
    ifx_ = stack_->add_interface("eth0", v4, true);
    ll_ = spec.ipv6 && spec.ipv6->is_link_local_unicast() ? *spec.ipv6 : link_local_from_mac(mac_);
  }

  const std::string& name() const override { return name_; }
  const std::string& lan() const override { return spec_.lan; }
  const SourceLoc& loc() const override { return spec_.loc; }

  void start(Time now) override {
    // RFC 4291 §2.7.1 / RFC 4861 §7.2.1: join the solicited-node group of each address.
    if (spec_.solicited_node) {
      stack_->add_ipv6_address(ifx_, ll_, now);
      if (ipv6_ && !(*ipv6_ == ll_) && ipv6_->solicited_node() != ll_.solicited_node())
        stack_->add_ipv6_address(ifx_, *ipv6_, now);
    }
  }

  std::optional<Time> next_deadline() const override {
    if (extras_ && extras_->data_head < extras_->data_out.size()) return Time{0};
    return stack_->next_deadline();
  }

  std::optional<std::vector<std::uint8_t>> poll_frame(Time now) override {
    if (extras_ && extras_->data_head < extras_->data_out.size()) {
      auto f = std::move(extras_->data_out[extras_->data_head++]);
      if (extras_->data_head == extras_->data_out.size()) {
        decltype(extras_->data_out)().swap(extras_->data_out);  // frees the buffer (`= {}` would keep it)
        extras_->data_head = 0;
      }
      return f;
    }
    auto o = stack_->poll_output(now);
    if (!o) return std::nullopt;
    // The datagram is built straight after 14 bytes of room for the Ethernet header.
    std::vector<std::uint8_t> frame;
    frame.reserve(128);
    frame.resize(14);
    if (auto* v4 = std::get_if<host::HostOutput<host::Ipv4Traits>>(&o->out)) {
      wire::build_igmp_datagram(wire::igmp_ip_header(ipv4_.value_or(Ipv4Addr{}), v4->dst), v4->msg, frame);
    } else {
      auto& v6 = std::get<host::HostOutput<host::Ipv6Traits>>(o->out);
      wire::build_mld_datagram(wire::mld_ip_header(ll_, v6.dst), v6.msg, frame);  // RFC 9777 §5.2.13
    }
    wire::fill_ethernet_for(mac_, frame);
    return frame;
  }

  bool filters_macs() const override { return true; }

  /// RFC 1112 §6.4 / RFC 2464 §7: of the multicast MACs, the NIC takes the all-systems /
  /// all-nodes groups and the groups joined on the interface (sockets and the kernel's
  /// solicited-node groups). Unicast and broadcast frames are not filtered.
  void accepted_macs(std::vector<MacAddr>& out) const override {
    out.push_back(MacAddr::multicast_for(Ipv4Addr::from_u32(0xE0000001u)));
    out.push_back(MacAddr({0x33, 0x33, 0x00, 0x00, 0x00, 0x01}));
    for (const auto& g : stack_->sockets().interface_states<Ipv4Addr>())
      if (g.ifindex == ifx_ && g.state.is_member()) out.push_back(MacAddr::multicast_for(g.group));
    for (const auto& g : stack_->sockets().interface_states<Ipv6Addr>())
      if (g.ifindex == ifx_ && g.state.is_member()) out.push_back(MacAddr::multicast_for(g.group));
    if (spec_.solicited_node) {
      out.push_back(MacAddr::multicast_for(ll_.solicited_node()));
      if (ipv6_) out.push_back(MacAddr::multicast_for(ipv6_->solicited_node()));
    }
  }

  void receive(const std::vector<std::uint8_t>& frame, Time now) override {
    if (!link_up_) return;
    wire::DecodedPacket p;
    if (!wire::decode_ethernet_frame(frame, p)) {
      if (auto d = wire::parse_udp_frame(frame); d && d->dst.is_multicast()) deliver(*d, now);
      return;
    }
    if (!p.usable) return;
    // RFC 1122 §3.2.1.2: IP discards datagrams with a bad header checksum.
    if (p.proto == wire::PacketProto::Igmp && !p.ip4.checksum_ok) return;
    if (p.proto == wire::PacketProto::Igmp)
      stack_->handle(ifx_, p.igmp, now);
    else if (p.proto == wire::PacketProto::Mld)
      stack_->handle(ifx_, p.mld, now);
  }

  ActionOutcome act(const EventSpec& ev, Time now) override {
    ActionOutcome out;
    switch (ev.op) {
      case OpKind::Link:
        link_up_ = ev.link_up;
        if (ev.link_up)
          stack_->link_up(ifx_, now);
        else
          stack_->link_down(ifx_, now);
        if (log_)
          out.log.push_back({JsonObject().seconds("t", now).str("node", name_).str("event", "link")
                               .str("state", ev.link_up ? "up" : "down").done(),
                           format_seconds(now) + "  " + name_ + " link " + (ev.link_up ? "up" : "down")});
        return out;
      case OpKind::Send:
        send_data(ev, now, out);
        return out;
      case OpKind::Close: {
        auto it = find_socket(ev.socket);
        api::Status st = it == sockets_.end()
                             ? api::Status(stack_->sockets().profile().error(api::Errc::NotSock, "socket was never opened or is closed"))
                             : stack_->sockets(now).close(it->second);
        if (it != sockets_.end()) sockets_.erase(it);
        finish_sockopt(ev, st, now, out);
        // Closing drops every membership of the socket (both families may change).
        for (const auto& c : stack_->sockets().last_changes<Ipv4Addr>()) log_state(c.group, c.new_state, now, out);
        for (const auto& c : stack_->sockets().last_changes<Ipv6Addr>()) log_state(c.group, c.new_state, now, out);
        return out;
      }
      case OpKind::SetFilter:
      case OpKind::SocketOption: {
        // The family is the group's; options without a group (IP_MULTICAST_TTL, ...) have
        // their own (api::OptionFamily).
        bool v4 = ev.group ? ev.group->family == Family::V4 : true;
        if (!ev.group && ev.option) v4 = api::info(*ev.option).family != api::OptionFamily::V6;
        if (v4)
          sockopt<Ipv4Addr>(ev, now, out);
        else
          sockopt<Ipv6Addr>(ev, now, out);
        return out;
      }
      default:
        out.result = "unsupported";
        return out;
    }
  }

  CheckOutcome check(const ExpectSpec& x, Time) override {
    CheckOutcome c;
    if (!x.group) {
      c.what = "expectation needs a group";
      return c;
    }
    if (x.receives) return check_receives(x);
    if (x.group->family == Family::V4)
      return check_state<Ipv4Addr>(x, x.group->v4);
    return check_state<Ipv6Addr>(x, x.group->v6);
  }

 private:
  template <class A>
  static const A& pick(const IpAddr& a) {
    if constexpr (std::is_same_v<A, Ipv4Addr>)
      return a.v4;
    else
      return a.v6;
  }

  api::SocketId socket_for(const std::string& label, Family f, Time now) {
    auto it = std::lower_bound(sockets_.begin(), sockets_.end(), label,
                               [](const auto& e, const std::string& l) { return e.first < l; });
    if (it != sockets_.end() && it->first == label) return it->second;
    const api::SocketId s = stack_->sockets(now).open(f);
    sockets_.emplace(it, label, s);
    return s;
  }

  template <class A>
  void sockopt(const EventSpec& ev, Time now, ActionOutcome& out) {
    const Family fam = std::is_same_v<A, Ipv4Addr> ? Family::V4 : Family::V6;
    const api::SocketId s = socket_for(ev.socket, fam, now);
    const A group = ev.group ? pick<A>(*ev.group) : A{};
    api::Status st;
    const api::Option opt = ev.option.value_or(api::Option::McastMsfilter);
    auto& sockets = stack_->sockets(now);
    if (ev.op == OpKind::SetFilter || opt == api::Option::IpMsfilter || opt == api::Option::McastMsfilter) {
      std::vector<A> srcs;
      for (const auto& a : ev.sources) srcs.push_back(pick<A>(a));
      st = sockets.set_filter<A>(s, opt, api::IfRef::with_index(ifx_), group, ev.mode.value_or(FilterMode::Include), srcs);
    } else if (api::info(opt).op != api::MembershipOp::None) {
      api::MembershipReq<A> req{group, ev.source ? pick<A>(*ev.source) : A{}, api::IfRef::with_index(ifx_)};
      st = sockets.set_option<A>(s, opt, req);
    } else if (opt == api::Option::IpMulticastIf || opt == api::Option::Ipv6MulticastIf) {
      // IP_MULTICAST_IF / IPV6_MULTICAST_IF: `value` is an interface index (default: this one).
      st = sockets.set_multicast_if(s, opt, api::IfRef::with_index(static_cast<api::IfIndex>(ev.value.value_or(ifx_))));
    } else {
      // IP_MULTICAST_TTL/LOOP, IPV6_MULTICAST_HOPS/LOOP take an integer `value`.
      st = ev.value ? sockets.set_int_option(s, opt, static_cast<int>(*ev.value))
                    : api::Status(stack_->sockets().profile().error(api::Errc::Inval, "this option needs a value: (value: N)"));
    }
    finish_sockopt(ev, st, now, out);
    for (const auto& c : stack_->sockets().last_changes<A>()) log_state(c.group, c.new_state, now, out);
  }

  void finish_sockopt(const EventSpec& ev, const api::Status& st, Time now, ActionOutcome& out) {
    out.result = st.ok() ? "ok" : std::string(st.name());
    if (!log_) return;
    JsonObject j;
    j.seconds("t", now).str("node", name_).str("event", "sockopt").str("socket", ev.socket).str("op", ev.op_name);
    if (ev.group) j.addr("group", *ev.group);
    if (ev.source) j.addr("source", *ev.source);
    if (ev.op == OpKind::SetFilter) {
      j.str("mode", ev.mode.value_or(FilterMode::Include) == FilterMode::Include ? "include" : "exclude");
      j.addr_list("sources", ev.sources);
    }
    j.str("result", out.result).num("code", st.code());
    if (!st.ok()) j.str("reason", st.error().reason);
    std::string text = format_seconds(now) + "  " + name_ + " " + ev.socket + " " + ev.op_name;
    if (ev.group) text += " " + ev.group->to_string();
    if (ev.source) text += " " + ev.source->to_string();
    if (ev.op == OpKind::SetFilter) text += std::string(" ") + (ev.mode == FilterMode::Exclude ? "exclude " : "include ") + sources_text(ev.sources);
    text += " -> " + out.result;
    if (!st.ok()) text += " (" + std::to_string(st.code()) + ": " + std::string(st.error().reason) + ")";
    out.log.push_back({j.done(), std::move(text)});
  }

  template <class A>
  void log_state(const A& group, const Filter<A>& f, Time now, ActionOutcome& out) {
    if (!log_) return;
    const auto srcs = ip_list(f.sources);
    out.log.push_back({JsonObject().seconds("t", now).str("node", name_).str("event", "state").addr("group", group)
                           .str("mode", f.mode == FilterMode::Include ? "include" : "exclude").addr_list("sources", srcs).done(),
                       format_seconds(now) + "  " + name_ + " state " + IpAddr(group).to_string() + " " + filter_text(f)});
  }

  template <class A>
  CheckOutcome check_state(const ExpectSpec& x, const A& group) {
    CheckOutcome c;
    const Filter<A> f = stack_->sockets().interface_state(ifx_, group);
    c.observed = filter_text(f);
    c.what = name_ + " " + IpAddr(group).to_string();
    bool ok = true;
    if (x.member) {
      c.what += *x.member ? " member" : " not a member";
      ok = ok && f.is_member() == *x.member;
    }
    if (x.mode) {
      c.what += x.mode == FilterMode::Include ? " include" : " exclude";
      ok = ok && f.mode == *x.mode;
    }
    if (x.sources) {
      SourceSet<A> want;
      for (const auto& a : *x.sources) want.insert(pick<A>(a));
      c.what += " " + sources_text(ip_list(want));
      ok = ok && f.sources == want;
    }
    c.passed = ok;
    return c;
  }

  /// SEND: `count` UDP datagrams to the group from this host (or from `source`, as a data
  /// source node on the LAN would send them); TTL / hop limit 1 like a default socket.
  void send_data(const EventSpec& ev, Time now, ActionOutcome& out) {
    const IpAddr& g = *ev.group;
    IpAddr src;
    if (ev.source) src = *ev.source;
    else if (g.family == Family::V4) src = ipv4_.value_or(Ipv4Addr{});
    else src = ipv6_ && !ipv6_->is_link_local_unicast() ? *ipv6_ : ll_;
    static constexpr std::uint8_t kPayload[] = {'m', 'c', 's', 'i', 'm', ' ', 'd', 'a', 't', 'a'};
    for (std::uint32_t i = 0; i < ev.count; ++i) {
      std::vector<std::uint8_t> d, frame;
      if (g.family == Family::V4) {
        wire::Ipv4Header h;
        h.src = src.v4;
        h.dst = g.v4;
        h.ttl = 1;
        h.id = static_cast<std::uint16_t>(++ip_id_);
        wire::build_udp4_datagram(h, 5001, 5001, kPayload, d);
      } else {
        wire::Ipv6Header h;
        h.src = src.v6;
        h.dst = g.v6;
        h.hop_limit = 1;
        wire::build_udp6_datagram(h, 5001, 5001, kPayload, d);
      }
      wire::build_ethernet_for(mac_, d, frame);
      extras().data_out.push_back(std::move(frame));
    }
    if (log_)
      out.log.push_back({JsonObject().seconds("t", now).str("node", name_).str("event", "send").addr("group", g)
                           .addr("source", src).num("count", ev.count).done(),
                       format_seconds(now) + "  " + name_ + " send " + std::to_string(ev.count) + " datagram(s) " +
                           src.to_string() + " -> " + g.to_string()});
  }

  /// RFC 9776 §3.2 / RFC 3678: the interface takes a datagram when its merged filter admits
  /// the source, and each socket only when its own filter does.
  void deliver(const wire::UdpDatagramInfo& d, Time now) {
    if (d.dst.family == Family::V4) deliver_as<Ipv4Addr>(d.dst.v4, d.src.v4, IpAddr(d.src), IpAddr(d.dst), now);
    else deliver_as<Ipv6Addr>(d.dst.v6, d.src.v6, IpAddr(d.src), IpAddr(d.dst), now);
  }

  template <class A>
  void deliver_as(const A& g, const A& s, const IpAddr& src, const IpAddr& grp, Time now) {
    auto& api = stack_->sockets();
    if (!api.interface_state(ifx_, g).allows(s)) return;
    for (const auto& [label, id] : sockets_) {
      for (const auto& m : api.memberships<A>(id)) {
        if (m.ifindex != ifx_ || !(m.group == g) || !m.filter().allows(s)) continue;
        if (!received_) received_ = std::make_unique<Received>();
        const std::uint64_t n = ++(*received_)[{label, grp.to_string(), src.to_string()}];
        if (log_)
          extras().pending_log.push_back({JsonObject().seconds("t", now).str("node", name_).str("event", "deliver")
                                    .str("socket", label).addr("group", grp).addr("source", src)
                                    .num("count", static_cast<std::int64_t>(n)).done(),
                                format_seconds(now) + "  " + name_ + " " + label + " receives " + src.to_string() +
                                    " -> " + grp.to_string() + " (#" + std::to_string(n) + ")"});
      }
    }
  }

  std::vector<LogLine> take_log() override {
    if (!extras_) return {};
    return std::exchange(extras_->pending_log, {});
  }

  /// receives: true when the socket has received at least one datagram of (group, source)
  /// since the run began (any source when none is named); false when it has received none.
  CheckOutcome check_receives(const ExpectSpec& x) {
    CheckOutcome c;
    std::uint64_t n = 0;
    const std::string g = x.group->to_string();
    if (received_)
      for (const auto& [k, v] : *received_)
        if (std::get<0>(k) == x.socket && std::get<1>(k) == g && (!x.source || std::get<2>(k) == x.source->to_string())) n += v;
    c.what = name_ + " socket " + x.socket + (*x.receives ? " receives " : " does not receive ") + g +
             (x.source ? " from " + x.source->to_string() : "");
    c.observed = std::to_string(n) + " datagram(s) received";
    c.passed = (n > 0) == *x.receives;
    return c;
  }

  // Members ordered to pack (one HostNode per simulated host).
  const HostSpec& spec_;  // the simulation's scenario outlives its nodes
  std::string name_;
  std::optional<Ipv4Addr> ipv4_;
  std::uint32_t ip_id_ = 0;
  std::optional<Ipv6Addr> ipv6_;
  MacAddr mac_;
  bool log_ = true;
  bool link_up_ = true;
  api::IfIndex ifx_ = 0;
  Ipv6Addr ll_;
  // Datagrams received per (socket, group, source); allocated on the first delivery.
  using Received = std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t>;
  std::unique_ptr<Received> received_;
  // What only sending or receiving data needs, allocated on first use (most hosts never do).
  struct Extras {
    std::vector<std::vector<std::uint8_t>> data_out;  // SEND datagrams not yet polled, from data_head
    std::size_t data_head = 0;
    std::vector<LogLine> pending_log;
  };
  std::unique_ptr<Extras> extras_;
  Extras& extras() {
    if (!extras_) extras_ = std::make_unique<Extras>();
    return *extras_;
  }
  Rng rng_;
  std::optional<host::HostStack> stack_;  // in the node: no separate heap block per host
  // Socket labels, sorted (a vector: a std::map node per host costs ~80 bytes).
  std::vector<std::pair<std::string, api::SocketId>> sockets_;
  using SocketIt = std::vector<std::pair<std::string, api::SocketId>>::iterator;
  SocketIt find_socket(const std::string& label) {
    auto it = std::lower_bound(sockets_.begin(), sockets_.end(), label,
                               [](const auto& e, const std::string& l) { return e.first < l; });
    return it != sockets_.end() && it->first == label ? it : sockets_.end();
  }
};

}  // namespace

std::unique_ptr<Node> make_host_node(const HostSpec& spec, const NodeEnv& env, int number, std::uint32_t mtu) {
  return std::make_unique<HostNode>(spec, spec, env, number, mtu);
}

std::unique_ptr<Node> make_block_host_node(const HostBlockSpec& block, std::uint32_t k, const NodeEnv& env, int number,
                                           std::uint32_t mtu) {
  return std::make_unique<HostNode>(block.host(k), block.base, env, number, mtu);
}

}  // namespace mcsim::sim

// A simulated multicast router: the stack/router querier engines for IGMP and MLD on one LAN.
#include <algorithm>
#include <utility>

#include "sim/json.hpp"
#include "sim/nodes.hpp"
#include "stack/router/router_iface.hpp"
#include "stack/wire/packet.hpp"

namespace mcsim::sim {
namespace {


std::string set_text(const std::vector<IpAddr>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].to_string();
  return s + "}";
}

struct Drops {
  std::uint64_t n[5]{};
  static Drops of(const router::DropCounters& d) {
    return Drops{{d.no_router_alert, d.bad_ttl, d.bad_source, d.bad_checksum, d.other}};
  }
};
constexpr const char* kDropReason[5] = {"no_router_alert", "bad_ttl", "bad_source", "bad_checksum", "other"};

class RouterNode final : public Node {
 public:
  RouterNode(const RouterSpec& spec, const NodeEnv& env, int number)
      : spec_(spec), log_(env.log), rng_(env.seed * 0xD1B54A32D192ED03ull + static_cast<std::uint64_t>(number)) {
    mac_ = spec.mac.value_or(default_mac(number));
    ll_ = spec.ipv6 && spec.ipv6->is_link_local_unicast() ? *spec.ipv6 : link_local_from_mac(mac_);
    router::RouterConfig c;
    if (spec.robustness) c.robustness = *spec.robustness;
    if (spec.query_interval) c.query_interval = *spec.query_interval;
    if (spec.query_response_interval) c.query_response_interval = *spec.query_response_interval;
    if (spec.last_member_query_interval) c.last_member_query_interval = *spec.last_member_query_interval;
    if (spec.last_member_query_count) c.last_member_query_count = *spec.last_member_query_count;
    c.require_router_alert = spec.require_router_alert;
    if (spec.igmp && spec.ipv4) {
      c.version = spec.igmp;
      igmp_ = std::make_unique<router::IgmpRouter>(c, *spec.ipv4, rng_);
    }
    if (spec.mld) {
      c.version = spec.mld;
      mld_ = std::make_unique<router::MldRouter>(c, ll_, rng_);
    }
  }

  const std::string& name() const override { return spec_.name; }
  const std::string& lan() const override { return spec_.lan; }
  const SourceLoc& loc() const override { return spec_.loc; }

  void start(Time now) override {
    if (igmp_) igmp_->start(now);
    if (mld_) mld_->start(now);
  }

  std::optional<Time> next_deadline() const override {
    std::optional<Time> best;
    for (auto d : {igmp_ ? igmp_->next_deadline() : std::nullopt, mld_ ? mld_->next_deadline() : std::nullopt})
      if (d && (!best || *d < *best)) best = d;
    return best;
  }

  std::optional<std::vector<std::uint8_t>> poll_frame(Time now) override {
    for (;;) {
      std::vector<std::uint8_t> d, frame;
      if (auto o = igmp_ ? igmp_->poll_output(now) : std::nullopt) {
        // RFC 9776 §4: TTL 1, Router Alert, TOS 0xC0 for queries too.
        wire::build_igmp_datagram(wire::igmp_ip_header(*spec_.ipv4, o->dst), o->msg, d);
      } else if (auto m = mld_ ? mld_->poll_output(now) : std::nullopt) {
        wire::build_mld_datagram(wire::mld_ip_header(ll_, m->dst), m->msg, d);  // RFC 9777 §5
      } else {
        return std::nullopt;
      }
      if (!link_up_) continue;  // a down link sends nothing
      wire::build_ethernet_for(mac_, d, frame);
      return frame;
    }
  }

  void receive(const std::vector<std::uint8_t>& frame, Time now) override {
    if (!link_up_) return;
    // The NIC takes multicast, broadcast and frames to its own MAC; other unicast frames
    // (e.g. seed 002's MAC-RAW report addressed to a PC) never reach the IP layer.
    if (frame.size() >= 6 && !(frame[0] & 1) && !(MacAddr::from_bytes(frame.data()) == mac_)) return;
    wire::DecodedPacket p;
    if (!wire::decode_ethernet_frame(frame, p) || !p.usable) return;
    if (p.proto == wire::PacketProto::Igmp && !p.ip4.checksum_ok) {
      // RFC 791 §3.1 / RFC 1122 §3.2.1.2: a datagram with a bad header checksum is discarded
      // by IP before IGMP sees it.
      pending_log_.push_back({JsonObject().seconds("t", now).str("node", spec_.name).str("event", "drop")
                                  .addr("from", IpAddr(p.ip4.src)).str("reason", "bad_ip_checksum").done(),
                              format_seconds(now) + "  " + spec_.name + " drops message from " + p.ip4.src.to_string() +
                                  ": bad_ip_checksum"});
      return;
    }
    if (p.proto == wire::PacketProto::Igmp && igmp_) {
      if (p.ip4.src == *spec_.ipv4) return;  // our own query looped back
      router::RxInfo<Ipv4Addr> rx{p.ip4.src, p.ip4.dst, p.ip4.ttl, p.ip4.router_alert, p.igmp.checksum_ok};
      const Drops before = Drops::of(igmp_->drops());
      igmp_->handle(p.igmp, rx, now);
      note_drops(before, Drops::of(igmp_->drops()), IpAddr(p.ip4.src), now);
    } else if (p.proto == wire::PacketProto::Mld && mld_) {
      if (p.ip6.src == ll_) return;
      router::RxInfo<Ipv6Addr> rx{p.ip6.src, p.ip6.dst, p.ip6.hop_limit, p.ip6.router_alert, p.mld.checksum_ok};
      const Drops before = Drops::of(mld_->drops());
      mld_->handle(p.mld, rx, now);
      note_drops(before, Drops::of(mld_->drops()), IpAddr(p.ip6.src), now);
    }
  }

  /// Drop events are logged when the engine's counters move (e.g. require_router_alert).
  std::vector<LogLine> take_log() override { return std::exchange(pending_log_, {}); }

  ActionOutcome act(const EventSpec& ev, Time now) override {
    ActionOutcome out;
    if (ev.op == OpKind::Link) {
      link_up_ = ev.link_up;
      if (log_)
        out.log.push_back({JsonObject().seconds("t", now).str("node", spec_.name).str("event", "link")
                             .str("state", ev.link_up ? "up" : "down").done(),
                         format_seconds(now) + "  " + spec_.name + " link " + (ev.link_up ? "up" : "down")});
      return out;
    }
    if (ev.op != OpKind::Query) {
      out.result = "unsupported";
      return out;
    }
    const bool v4 = ev.group ? ev.group->family == Family::V4 : ev.family != Family::V6;
    const bool v6 = ev.group ? ev.group->family == Family::V6 : ev.family != Family::V4;
    if (v4 && igmp_) query(*igmp_, ev, now);
    if (v6 && mld_) query(*mld_, ev, now);
    return out;
  }

  CheckOutcome check(const ExpectSpec& x, Time now) override {
    CheckOutcome c;
    if (x.querier) {
      const bool want_v6 = x.group && x.group->family == Family::V6;
      const bool is = want_v6 ? (mld_ && mld_->is_querier()) : (igmp_ ? igmp_->is_querier() : mld_ && mld_->is_querier());
      c.what = spec_.name + (*x.querier ? " is querier" : " is not querier");
      c.observed = is ? "querier" : "non-querier";
      c.passed = is == *x.querier;
      if (!x.group) return c;
    }
    if (!x.group) {
      c.what = "router expectation needs a group or querier";
      return c;
    }
    if (x.group->family == Family::V4)
      return igmp_ ? check_group(*igmp_, x.group->v4, x, now) : missing("IGMP");
    return mld_ ? check_group(*mld_, x.group->v6, x, now) : missing("MLD");
  }

 private:
  CheckOutcome missing(const char* what) {
    CheckOutcome c;
    c.what = spec_.name + " has no " + what + " router";
    return c;
  }

  template <class R>
  void query(R& r, const EventSpec& ev, Time now) {
    using A = typename R::Addr;
    router::QueryRequest<A> q;
    q.version = ev.version.value_or(0);
    if (ev.group) {
      if constexpr (std::is_same_v<A, Ipv4Addr>) q.group = ev.group->v4;
      else q.group = ev.group->v6;
    }
    for (const auto& s : ev.sources) {
      if constexpr (std::is_same_v<A, Ipv4Addr>) q.sources.push_back(s.v4);
      else q.sources.push_back(s.v6);
    }
    q.max_resp = ev.max_resp;
    q.s_flag = ev.s_flag;
    q.qrv = ev.qrv;
    q.qqi = ev.qqi;
    r.send_query(q, now);
  }

  template <class R, class A>
  CheckOutcome check_group(const R& r, const A& g, const ExpectSpec& x, Time now) {
    CheckOutcome c;
    c.what = spec_.name + " " + IpAddr(g).to_string();
    auto view = r.group(g, now);
    // RFC 9776 §6.2.1: INCLUDE lists the sources with running timers; EXCLUDE lists the
    // excluded sources (timer 0) — the router-visible filter.
    FilterMode mode = FilterMode::Include;
    std::vector<IpAddr> listed;
    bool member = false;
    if (view) {
      mode = view->mode;
      for (const auto& [s, t] : view->sources)
        if ((mode == FilterMode::Include) == (t > 0)) listed.emplace_back(s);
      member = mode == FilterMode::Exclude || !listed.empty();
    }
    c.observed = member ? std::string(mode == FilterMode::Include ? "include " : "exclude ") + set_text(listed) : "no state";
    bool ok = true;
    if (x.member) {
      c.what += *x.member ? " member" : " no member";
      ok = ok && member == *x.member;
    }
    if (x.mode) {
      c.what += *x.mode == FilterMode::Include ? " include" : " exclude";
      ok = ok && member && mode == *x.mode;
    }
    if (x.sources) {
      std::vector<IpAddr> want = *x.sources;
      auto key = [](const IpAddr& a) { return a.to_string(); };
      std::sort(want.begin(), want.end(), [&](const IpAddr& p, const IpAddr& q) { return key(p) < key(q); });
      std::sort(listed.begin(), listed.end(), [&](const IpAddr& p, const IpAddr& q) { return key(p) < key(q); });
      c.what += " " + set_text(want);
      ok = ok && want == listed;
    }
    c.passed = ok;
    return c;
  }

  void note_drops(const Drops& before, const Drops& after, const IpAddr& from, Time now) {
    if (!log_) return;
    for (int i = 0; i < 5; ++i) {
      if (after.n[i] == before.n[i]) continue;
      pending_log_.push_back({JsonObject().seconds("t", now).str("node", spec_.name).str("event", "drop")
                                  .addr("from", from).str("reason", kDropReason[i]).done(),
                              format_seconds(now) + "  " + spec_.name + " drops message from " + from.to_string() +
                                  ": " + kDropReason[i]});
    }
  }

  RouterSpec spec_;
  bool log_ = true;
  Rng rng_;
  MacAddr mac_;
  Ipv6Addr ll_;
  std::unique_ptr<router::IgmpRouter> igmp_;
  std::unique_ptr<router::MldRouter> mld_;
  bool link_up_ = true;
  std::vector<LogLine> pending_log_;
};

}  // namespace

std::unique_ptr<Node> make_router_node(const RouterSpec& spec, const NodeEnv& env, int number) {
  return std::make_unique<RouterNode>(spec, env, number);
}

}  // namespace mcsim::sim

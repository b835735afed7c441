// Filter algebra, RFC 9776 §3.2 merge, §5.1 state-change records, and
// property tests over random socket-call sequences.
#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <span>
#include <vector>

#include "stack/api/socket_api.hpp"
#include "stack/filter/filter.hpp"
#include "stack/filter/state_change.hpp"
#include "stack/grow.hpp"

namespace mcsim {
template <class A>
void PrintTo(const Filter<A>& f, std::ostream* os) {
  *os << to_string(f.mode) << " {";
  for (const auto& x : f.sources) *os << " " << x.to_string();
  *os << " }";
}
}  // namespace mcsim

namespace {

using namespace mcsim;
using namespace mcsim::api;
using S4 = SourceSet<Ipv4Addr>;
using F4 = Filter<Ipv4Addr>;

const Ipv4Addr a{10, 0, 0, 1}, b{10, 0, 0, 2}, c{10, 0, 0, 3}, d{10, 0, 0, 4};
const Ipv4Addr G{239, 1, 1, 1};

TEST(SourceSet, SortedUniqueAndLinearOps) {
  const std::vector<Ipv4Addr> raw{c, a, c, b};
  S4 s = S4::from_unsorted(raw);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], a);
  EXPECT_EQ(s[2], c);
  EXPECT_FALSE(s.insert(b));
  EXPECT_TRUE(s.insert(d));
  EXPECT_TRUE(s.erase(a));
  EXPECT_FALSE(s.erase(a));
  EXPECT_EQ((S4{a, b} | S4{b, c}), (S4{a, b, c}));
  EXPECT_EQ((S4{a, b} & S4{b, c}), (S4{b}));
  EXPECT_EQ((S4{a, b} - S4{b, c}), (S4{a}));
  S4 x{a, b, c};
  x.intersect_with(S4{b, c, d});
  EXPECT_EQ(x, (S4{b, c}));
  x.subtract(S4{c});
  EXPECT_EQ(x, (S4{b}));
}

// The one-pointer storage of SourceSet (stack/filter/source_set.hpp): empty sets hold no
// heap block, copies are deep, moves steal, clear() keeps the capacity; and the sizes the
// scale benchmark depends on (docs/performance.md "Memory per membership").
TEST(SourceSet, CompactStorage) {
  static_assert(sizeof(S4) == sizeof(void*));
  static_assert(sizeof(F4) == 16);
  static_assert(sizeof(Membership<Ipv4Addr>) == 32);
  static_assert(sizeof(IfaceGroupState<Ipv4Addr>) == 24);
  CompactVec<Ipv4Addr> v;
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_EQ(v.begin(), nullptr);
  EXPECT_EQ(v.erase(v.begin(), v.end()), v.end());
  for (const auto& x : {d, b, a}) v.insert(v.begin(), x);  // a b d
  v.insert(v.begin() + 2, c);                                // a b c d
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], a);
  EXPECT_EQ(v[1], b);
  EXPECT_EQ(v[2], c);
  EXPECT_EQ(v[3], d);
  v.insert(v.begin(), v[3]);  // an element of the vector itself, through a reallocation
  EXPECT_EQ(v[0], d);
  EXPECT_EQ(v.size(), 5u);
  v.erase(v.begin());
  v.erase(v.begin() + 1, v.begin() + 3);  // drop b c
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], a);
  EXPECT_EQ(v[1], d);
  CompactVec<Ipv4Addr> w = v;  // deep copy
  w.push_back(G);
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(v == w);
  CompactVec<Ipv4Addr> m = std::move(w);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(m.size(), 3u);
  const std::size_t cap = m.capacity();
  m.clear();
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.capacity(), cap);
  m.swap(v);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(v.capacity(), cap);
  S4 s{c, a};
  S4 t = s;
  t.insert(b);
  EXPECT_EQ(s, (S4{a, c}));
  EXPECT_EQ(t, (S4{a, b, c}));
  EXPECT_EQ(s.view().size(), 2u);
}

// grow_for_one (stack/grow.hpp): doubling up to 8, then a quarter more.
TEST(Grow, DoublesToEightThenAQuarter) {
  std::vector<int> v;
  std::vector<std::size_t> caps;
  for (int i = 0; i < 16; ++i) {
    grow_for_one(v);
    v.push_back(i);
    if (caps.empty() || caps.back() != v.capacity()) caps.push_back(v.capacity());
  }
  EXPECT_EQ(caps, (std::vector<std::size_t>{1, 2, 4, 8, 10, 12, 15, 18}));
}

// RFC 9776 §3.2 examples.
TEST(Merge, Rfc9776Section3_2) {
  // All INCLUDE: union.
  EXPECT_EQ(merge_filters<Ipv4Addr>(std::vector<F4>{{FilterMode::Include, {a, b}}, {FilterMode::Include, {b, c}}}),
            (F4{FilterMode::Include, {a, b, c}}));
  // Any EXCLUDE: intersection of exclude lists minus include sources.
  EXPECT_EQ(merge_filters<Ipv4Addr>(std::vector<F4>{{FilterMode::Exclude, {a, b, c}},
                                                    {FilterMode::Exclude, {b, c, d}},
                                                    {FilterMode::Include, {c}}}),
            (F4{FilterMode::Exclude, {b}}));
  EXPECT_EQ(merge_filters<Ipv4Addr>(std::vector<F4>{{FilterMode::Include, {a}}, F4::any_source()}), F4::any_source());
  EXPECT_EQ(merge_filters<Ipv4Addr>(std::vector<F4>{}), F4::none());
}

// RFC 9776 §5.1 table.
TEST(StateChange, Rfc9776Section5_1Table) {
  using R = GroupRecord<Ipv4Addr>;
  EXPECT_EQ(state_change_records(G, F4{FilterMode::Include, {a, b}}, F4{FilterMode::Include, {b, c}}),
            (std::vector<R>{{RecordType::AllowNewSources, G, {c}}, {RecordType::BlockOldSources, G, {a}}}));
  EXPECT_EQ(state_change_records(G, F4{FilterMode::Exclude, {a, b}}, F4{FilterMode::Exclude, {b, c}}),
            (std::vector<R>{{RecordType::AllowNewSources, G, {a}}, {RecordType::BlockOldSources, G, {c}}}));
  EXPECT_EQ(state_change_records(G, F4{FilterMode::Include, {a}}, F4{FilterMode::Exclude, {b}}),
            (std::vector<R>{{RecordType::ChangeToExcludeMode, G, {b}}}));
  EXPECT_EQ(state_change_records(G, F4{FilterMode::Exclude, {a}}, F4{FilterMode::Include, {b}}),
            (std::vector<R>{{RecordType::ChangeToIncludeMode, G, {b}}}));
  EXPECT_TRUE(state_change_records(G, F4{FilterMode::Exclude, {a}}, F4{FilterMode::Exclude, {a}}).empty());
  // Only non-empty ALLOW/BLOCK records.
  EXPECT_EQ(state_change_records(G, F4{FilterMode::Include, {a}}, F4{FilterMode::Include, {a, b}}),
            (std::vector<R>{{RecordType::AllowNewSources, G, {b}}}));
  // Join / leave: INCLUDE {} <-> EXCLUDE {}.
  EXPECT_EQ(state_change_records(G, F4::none(), F4::any_source()),
            (std::vector<R>{{RecordType::ChangeToExcludeMode, G, {}}}));
  EXPECT_EQ(state_change_records(G, F4::any_source(), F4::none()),
            (std::vector<R>{{RecordType::ChangeToIncludeMode, G, {}}}));
  EXPECT_EQ(to_string(RecordType::BlockOldSources), "BLOCK_OLD_SOURCES");
  EXPECT_EQ(static_cast<int>(RecordType::AllowNewSources), 5);
}

// Property: after any sequence of calls, every interface state equals the
// merge of the socket states, and applying each change's §5.1 records to the
// old router-visible state yields the new one.
template <class A>
void property_run(Profile profile, std::vector<A> groups, std::vector<A> sources, unsigned seed) {
  SocketApi api(profile);
  const IfIndex i1 = api.add_interface("eth0");
  const IfIndex i2 = api.add_interface("eth1");
  std::vector<SocketId> socks;
  for (int k = 0; k < 4; ++k) socks.push_back(api.open(A::family));
  std::vector<Filter<A>> router;  // router-visible state per (iface, group), driven only by records
  auto key = [&](IfIndex i, std::size_t g) { return (i == i1 ? 0 : 1) * groups.size() + g; };
  router.resize(2 * groups.size());
  std::mt19937 rng(seed);
  const Option opts[] = {Option::McastJoinGroup,     Option::McastLeaveGroup,       Option::McastBlockSource,
                         Option::McastUnblockSource, Option::McastJoinSourceGroup, Option::McastLeaveSourceGroup};
  for (int step = 0; step < 400; ++step) {
    const SocketId s = socks[rng() % socks.size()];
    const std::size_t gi = rng() % groups.size();
    const IfIndex ifx = rng() % 2 ? i1 : i2;
    const int kind = static_cast<int>(rng() % 8);
    bool called = true;
    if (kind < 6) {
      (void)api.set_option<A>(s, opts[kind], MembershipReq<A>{groups[gi], sources[rng() % sources.size()],
                                                              IfRef::with_index(ifx)});
    } else if (kind == 6) {
      std::vector<A> list;
      for (const auto& x : sources)
        if (rng() % 2) list.push_back(x);
      (void)api.set_filter<A>(s, Option::McastMsfilter, IfRef::with_index(ifx), groups[gi],
                              rng() % 2 ? FilterMode::Include : FilterMode::Exclude, list);
    } else if (rng() % 10 == 0) {
      (void)api.close(s);
      socks.erase(std::find(socks.begin(), socks.end(), s));
      socks.push_back(api.open(A::family));
    } else {
      called = false;
    }
    // Records take the router from old to new.
    for (const auto& ch : called ? api.template last_changes<A>() : std::span<const IfaceStateChange<A>>{}) {
      const std::size_t g = static_cast<std::size_t>(std::find(groups.begin(), groups.end(), ch.group) - groups.begin());
      auto& r = router[key(ch.ifindex, g)];
      ASSERT_EQ(r, ch.old_state);
      const auto recs = state_change_records(ch.group, ch.old_state, ch.new_state);
      r = apply_records<A>(r, recs);
      ASSERT_EQ(r, ch.new_state);
    }
    // Interface state == merge of socket states.
    for (IfIndex ifi : {i1, i2})
      for (std::size_t g = 0; g < groups.size(); ++g) {
        FilterMerger<A> m;
        for (SocketId so : socks)
          for (const auto& mem : api.template memberships<A>(so))
            if (mem.ifindex == ifi && mem.group == groups[g]) m.add(mem.filter());
        ASSERT_EQ(api.interface_state(ifi, groups[g]), m.result()) << "step " << step;
        ASSERT_EQ(router[key(ifi, g)], m.result());
      }
  }
}

TEST(FilterProperty, InterfaceStateIsMergeAndRecordsReplay_Windows_V4) {
  for (unsigned seed = 1; seed <= 20; ++seed)
    property_run<Ipv4Addr>(Profile::windows(), {G, Ipv4Addr{239, 1, 1, 2}}, {a, b, c, d}, seed);
}
TEST(FilterProperty, InterfaceStateIsMergeAndRecordsReplay_Linux_V4) {
  for (unsigned seed = 1; seed <= 20; ++seed)
    property_run<Ipv4Addr>(Profile::linux_kernel(), {G, Ipv4Addr{239, 1, 1, 2}}, {a, b, c, d}, seed);
}
TEST(FilterProperty, InterfaceStateIsMergeAndRecordsReplay_Linux_V6) {
  const auto s1 = ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), s2 = ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
  for (unsigned seed = 1; seed <= 20; ++seed)
    property_run<Ipv6Addr>(Profile::linux_kernel(), {ipv6::make(0xff0e, 0, 0, 0, 0, 0, 0, 1)}, {s1, s2}, seed);
}
TEST(FilterProperty, InterfaceStateIsMergeAndRecordsReplay_Windows_V6) {
  const auto s1 = ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), s2 = ipv6::make(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
  for (unsigned seed = 1; seed <= 20; ++seed)
    property_run<Ipv6Addr>(Profile::windows(), {ipv6::make(0xff0e, 0, 0, 0, 0, 0, 0, 1)}, {s1, s2}, seed);
}

// Linux behaviours measured on the running kernel (see the differential test).
TEST(LinuxProfile, KernelObservedCases) {
  SocketApi api(Profile::linux_kernel());
  api.add_interface("v0", std::vector<Ipv4Addr>{Ipv4Addr{10, 9, 0, 1}});
  auto s = api.open(Family::V4);
  const MembershipReq<Ipv4Addr> r{Ipv4Addr{239, 1, 1, 1}, Ipv4Addr{10, 0, 0, 5}, IfRef::with_address({10, 9, 0, 1})};
  ASSERT_TRUE(api.set_option(s, Option::IpAddMembership, r).ok());
  EXPECT_EQ(api.set_option(s, Option::IpAddMembership, r).name(), "EADDRINUSE");
  EXPECT_EQ(api.set_option(s, Option::IpUnblockSource, r).name(), "EADDRNOTAVAIL");
  // An any-source join with no source list may switch to INCLUDE (igmp.c ip_mc_source).
  EXPECT_TRUE(api.set_option(s, Option::IpAddSourceMembership, r).ok());
  auto s2 = api.open(Family::V4);
  ASSERT_TRUE(api.set_option(s2, Option::IpAddMembership, r).ok());
  ASSERT_TRUE(api.set_option(s2, Option::IpBlockSource, r).ok());
  EXPECT_EQ(api.set_option(s2, Option::IpBlockSource, r).name(), "EADDRNOTAVAIL");
  ASSERT_TRUE(api.set_option(s2, Option::IpUnblockSource, r).ok());
  EXPECT_EQ(api.set_option(s2, Option::IpAddSourceMembership, r).name(), "EINVAL");  // a list was set
  EXPECT_EQ(api.set_option(s2, Option::IpAddMembership, MembershipReq<Ipv4Addr>{{239, 1, 1, 1}, {}, IfRef::with_index(9)})
                .name(),
            "ENODEV");
}

TEST(LinuxProfile, DefaultLimits) {
  const Profile p = Profile::linux_kernel();
  EXPECT_EQ(p.limits.max_groups_v4, 20u);
  EXPECT_EQ(p.limits.max_sources_v4, 10u);
  EXPECT_EQ(p.limits.max_sources_v6, 64u);
  SocketApi api(p);
  api.add_interface("v0");
  auto s = api.open(Family::V4);
  for (std::uint8_t i = 0; i < 20; ++i)
    ASSERT_TRUE(api.set_option(s, Option::McastJoinGroup, MembershipReq<Ipv4Addr>{{239, 0, 0, i}, {}, {}}).ok());
  EXPECT_EQ(api.set_option(s, Option::McastJoinGroup, MembershipReq<Ipv4Addr>{{239, 0, 1, 0}, {}, {}}).name(), "ENOBUFS");
  for (std::uint8_t i = 0; i < 10; ++i)
    ASSERT_TRUE(api.set_option(s, Option::McastBlockSource, MembershipReq<Ipv4Addr>{{239, 0, 0, 0}, {10, 0, 0, i}, {}}).ok());
  EXPECT_EQ(api.set_option(s, Option::McastBlockSource, MembershipReq<Ipv4Addr>{{239, 0, 0, 0}, {10, 0, 1, 0}, {}}).name(),
            "ENOBUFS");
}

TEST(Options, NamesAndWinsockNumbers) {
  for (const auto& o : all_options()) {
    EXPECT_EQ(info(o.option).name, o.name);  // table order matches the enum
    EXPECT_EQ(option_by_name(o.name), o.option);
  }
  EXPECT_EQ(option_from_winsock(kIpprotoIp, 15), Option::IpAddSourceMembership);
  EXPECT_EQ(option_from_winsock(kIpprotoIp, 18), Option::IpUnblockSource);
  EXPECT_EQ(option_from_winsock(kIpprotoIpv6, 12), Option::Ipv6AddMembership);
  EXPECT_EQ(option_from_winsock(kIpprotoIpv6, 45), Option::McastJoinSourceGroup);
  EXPECT_EQ(option_from_linux(kIpprotoIp, 39), Option::IpAddSourceMembership);
  EXPECT_EQ(option_by_name("IPV6_JOIN_GROUP"), Option::Ipv6AddMembership);
  EXPECT_EQ(ioctl_from_code(0x8004747Cu), Ioctl::SioGetMulticastFilter);
  EXPECT_EQ(ioctl_by_name("SIOCSMSFILTER"), Ioctl::SiocSMsFilter);
  EXPECT_EQ(static_cast<std::uint32_t>(Ioctl::SiocGMsFilter), 0x8004747Fu);
}

}  // namespace

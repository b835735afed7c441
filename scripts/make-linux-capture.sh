#!/usr/bin/env bash
# Records what the running Linux kernel puts on the wire for a sequence of multicast socket
# calls (IGMPv3, IGMPv2 forced, MLDv2, MLDv1 forced), in network namespaces made here.
# Output: a pcap (Ethernet) of the kernel's reports/leaves as seen by a peer namespace.
# Needs root. Usage: scripts/make-linux-capture.sh OUT.pcap
set -euo pipefail
out=${1:?usage: $0 OUT.pcap}
[ "$(id -u)" = 0 ] || { echo "make-linux-capture: needs root (network namespaces)" >&2; exit 2; }
py=/usr/bin/python3
tag="mcsimcap$$"
h="${tag}h"; p="${tag}p"
cleanup() {
  [ -n "${tcpdump_pid:-}" ] && kill "$tcpdump_pid" 2>/dev/null || true
  ip netns del "$h" 2>/dev/null || true
  ip netns del "$p" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$h"; ip netns add "$p"
ip link add veth0 netns "$h" type veth peer name veth1 netns "$p"
ip -n "$h" link set lo up; ip -n "$p" link set lo up
ip -n "$h" link set veth0 address 02:00:00:00:00:02
ip -n "$p" link set veth1 address 02:00:00:00:00:01
ip -n "$h" addr add 10.99.0.2/24 dev veth0
ip -n "$p" addr add 10.99.0.1/24 dev veth1
ip netns exec "$h" sysctl -qw net.ipv6.conf.veth0.dad_transmits=0 net.ipv4.conf.veth0.igmpv3_unsolicited_report_interval=100 \
  net.ipv6.conf.veth0.mldv2_unsolicited_report_interval=100 net.ipv4.conf.veth0.igmpv2_unsolicited_report_interval=100 \
  net.ipv6.conf.veth0.mldv1_unsolicited_report_interval=100
ip -n "$p" link set veth1 up
tmp=$(mktemp /tmp/mcsimcap.XXXXXX.pcap)
ip netns exec "$p" tcpdump -U -q -i veth1 -w "$tmp" 'igmp or (ip6 and ip6[6]=0)' 2>/dev/null &
tcpdump_pid=$!
sleep 1
ip -n "$h" link set veth0 up
sleep 1.5
ip netns exec "$h" "$py" - <<'PY'
import socket, struct, time
IP_ADD_SOURCE_MEMBERSHIP = 39
IP_BLOCK_SOURCE = 38
def mreq(g): return socket.inet_aton(g) + socket.inet_aton("10.99.0.2")
def mreq_source(g, s): return socket.inet_aton(g) + socket.inet_aton("10.99.0.2") + socket.inet_aton(s)  # Linux order
idx = socket.if_nametoindex("veth0")
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq("239.1.1.1")); time.sleep(0.8)
a.setsockopt(socket.IPPROTO_IP, IP_BLOCK_SOURCE, mreq_source("239.1.1.1", "10.99.0.5")); time.sleep(0.8)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, mreq_source("232.1.1.1", "10.99.0.9")); time.sleep(0.8)
a.close(); time.sleep(0.8)
b.close(); time.sleep(0.8)
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff3e::1:2") + struct.pack("@I", idx)); time.sleep(0.8)
c.close(); time.sleep(0.8)
PY
ip netns exec "$h" sysctl -qw net.ipv4.conf.veth0.force_igmp_version=2 net.ipv6.conf.veth0.force_mld_version=1
ip netns exec "$h" "$py" - <<'PY'
import socket, struct, time
idx = socket.if_nametoindex("veth0")
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("239.2.2.2") + socket.inet_aton("10.99.0.2")); time.sleep(0.8)
a.close(); time.sleep(0.8)
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff3e::2:3") + struct.pack("@I", idx)); time.sleep(0.8)
c.close(); time.sleep(1.0)
PY
sleep 0.5
kill "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true; tcpdump_pid=
mv "$tmp" "$out"
echo "make-linux-capture: wrote $out"

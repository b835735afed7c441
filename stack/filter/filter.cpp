// Explicit instantiations for both address families, so errors in the
// templates show up when the library builds.
#include "stack/filter/filter.hpp"

#include "stack/addr.hpp"
#include "stack/filter/state_change.hpp"

namespace mcsim {

template class SourceSet<Ipv4Addr>;
template class SourceSet<Ipv6Addr>;
template struct Filter<Ipv4Addr>;
template struct Filter<Ipv6Addr>;
template class FilterMerger<Ipv4Addr>;
template class FilterMerger<Ipv6Addr>;
template struct GroupRecord<Ipv4Addr>;
template struct GroupRecord<Ipv6Addr>;

}  // namespace mcsim

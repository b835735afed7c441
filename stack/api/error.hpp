// Errors as values: {name, number, one-line reason}. Names and numbers depend
// on the error profile (WSA* for windows, errno for linux); `errc` is the
// profile-independent meaning, for code that branches on it.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

namespace mcsim::api {

enum class Errc : std::uint8_t {
  Inval,         // WSAEINVAL 10022 / EINVAL 22
  AddrNotAvail,  // WSAEADDRNOTAVAIL 10049 / EADDRNOTAVAIL 99
  AddrInUse,     // WSAEADDRINUSE 10048 / EADDRINUSE 98
  NoBufs,        // WSAENOBUFS 10055 / ENOBUFS 105
  Fault,         // WSAEFAULT 10014 / EFAULT 14
  NoProtoOpt,    // WSAENOPROTOOPT 10042 / ENOPROTOOPT 92
  NoDev,         // (linux only) ENODEV 19
  AfNoSupport,   // WSAEAFNOSUPPORT 10047 / EAFNOSUPPORT 97
  NotSock,       // WSAENOTSOCK 10038 / EBADF 9
};

struct Error {
  Errc errc = Errc::Inval;
  std::string_view name;    // "WSAEADDRNOTAVAIL", "EADDRINUSE", ...
  std::int32_t code = 0;    // 10049, 98, ...
  std::string_view reason;  // one line, cites the rule (seed table row, kernel function)

  /// Same error (name and code); the reason text is not compared.
  friend bool operator==(const Error& a, const Error& b) { return a.code == b.code && a.name == b.name; }
};

/// Success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : err_(e), failed_(true) {}  // NOLINT(implicit): errors convert to a failed Status
  static Status success() { return {}; }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return err_; }
  /// Error code, 0 on success.
  std::int32_t code() const { return failed_ ? err_.code : 0; }
  std::string_view name() const { return failed_ ? err_.name : std::string_view("OK"); }

 private:
  Error err_{};
  bool failed_ = false;
};

/// A value or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : value_(std::move(v)) {}                 // NOLINT(implicit)
  Result(Error e) : err_(e), failed_(true) {}           // NOLINT(implicit)
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return value_; }
  T& value() { return value_; }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  const Error& error() const { return err_; }
  Status status() const { return failed_ ? Status(err_) : Status(); }
  std::int32_t code() const { return failed_ ? err_.code : 0; }

 private:
  T value_{};
  Error err_{};
  bool failed_ = false;
};

}  // namespace mcsim::api

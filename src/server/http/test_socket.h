#pragma once
// Raw TCP helpers for the HTTP tests: lets a test send byte-exact (including malformed or
// partial) requests and observe exactly what the server writes back and when it closes.
// Test-only; not thread-safe per descriptor.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace infermetry::http::testing {

// Owns a connected socket to 127.0.0.1:port; fd() < 0 if the connect failed.
class RawConn {
 public:
  explicit RawConn(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  int fd() const { return fd_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response: the head up to the blank line plus Content-Length body bytes. Returns
  // what arrived (possibly partial) if the peer closes or `timeout` passes first.
  std::string ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const size_t head_end = pending_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t total = head_end + 4 + ContentLength(pending_.substr(0, head_end));
        if (pending_.size() >= total) {
          std::string out = pending_.substr(0, total);
          pending_.erase(0, total);
          return out;
        }
      }
      if (ReadSome(deadline) <= 0) {
        std::string out;
        out.swap(pending_);
        return out;
      }
    }
  }

  // True if the peer closes (EOF or reset) within `timeout`; bytes that arrive meanwhile are
  // appended to *received when given.
  bool WaitClosed(std::chrono::milliseconds timeout, std::string* received = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const ssize_t n = ReadSome(deadline);
      if (n == 0 || n == -1) {
        if (received != nullptr) received->append(pending_);
        pending_.clear();
        return true;
      }
      if (n == -2) return false;
    }
  }

 private:
  // >0 bytes read into pending_, 0 EOF, -1 error, -2 timeout.
  ssize_t ReadSome(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -2;
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r == 0) return -2;
    if (r < 0) return -1;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) pending_.append(buf, static_cast<size_t>(n));
    return n < 0 ? -1 : n;
  }

  static size_t ContentLength(std::string_view head) {
    for (std::string_view key : {"\r\nContent-Length: ", "\r\ncontent-length: "}) {
      const size_t pos = head.find(key);
      if (pos != std::string_view::npos) {
        return std::strtoull(std::string(head.substr(pos + key.size(), 20)).c_str(), nullptr, 10);
      }
    }
    return 0;
  }

  int fd_ = -1;
  std::string pending_;
};

// Splits a raw response into its head (through the blank line) and body.
inline std::string_view ResponseBody(std::string_view response) {
  const size_t pos = response.find("\r\n\r\n");
  return pos == std::string_view::npos ? std::string_view() : response.substr(pos + 4);
}

}  // namespace infermetry::http::testing

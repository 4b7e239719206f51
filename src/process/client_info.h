#pragma once
// Client information of the request being processed: the Collector's client.Info, carried the
// only way a pipeline without a context parameter can carry it, as a thread-local scope.
//
// A receiver that knows who sent a batch (the otlp receiver: peer address always; request
// headers or gRPC metadata with `include_metadata: true`) opens a ClientInfoScope around its
// Consume call. Every component that runs synchronously on that thread, inside that call, sees
// it through CurrentClientInfo(): the processors up to and including the exporters' Consume.
// Nothing that runs on another thread or later sees it: a batch processor that holds data
// (pipelines without a durable exporter) sends merged batches with no client information, as
// the Collector's batch processor does without `metadata_keys`; exporters' sending queues and
// retries do not carry it either. In pass-through mode (durable pipelines) the batch processor
// calls the next consumer inside the receiver's call, so the information stays visible.
//
// Thread-safety: the scope is per thread; a ClientInfo must outlive every scope that shows it
// and must not change while shown.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infermetry::process {

struct ClientInfo {
  // "ip:port" of the peer, or "" when unknown.
  std::string address;
  // Request metadata (HTTP headers, gRPC metadata) as (key, value) pairs in arrival order,
  // keys lower-case; a key may repeat. Empty unless the receiver includes metadata.
  std::vector<std::pair<std::string, std::string>> metadata;

  // Appends a pair, lower-casing the key.
  void AddMetadata(std::string_view key, std::string_view value);
  // Every value of `key` (compared case-insensitively), in arrival order; empty when absent.
  std::vector<std::string_view> Get(std::string_view key) const;
};

// Shows `info` (may be null: no client information) to CurrentClientInfo() on this thread until
// the scope ends, then restores what was shown before. Scopes nest; they must end in reverse
// order of creation (automatic when they are locals).
class ClientInfoScope {
 public:
  explicit ClientInfoScope(const ClientInfo* info);
  ~ClientInfoScope();
  ClientInfoScope(const ClientInfoScope&) = delete;
  ClientInfoScope& operator=(const ClientInfoScope&) = delete;

 private:
  const ClientInfo* previous_;
};

// The client information of the innermost scope on this thread, or null outside any scope.
// The pointer is valid until that scope ends.
const ClientInfo* CurrentClientInfo();

}  // namespace infermetry::process

#include "process/fanout.h"

#include <cassert>

namespace infermetry::process {
namespace {

template <typename T, typename Fn>
Status Fanout(const std::vector<Consumer*>& consumers, T&& batch, Fn consume) {
  Status first;
  for (size_t i = 0; i < consumers.size(); ++i) {
    Status st;
    if (i + 1 < consumers.size()) {
      T copy(batch);
      st = consume(consumers[i], std::move(copy));
    } else {
      st = consume(consumers[i], std::move(batch));
    }
    if (!st.ok() && first.ok()) first = std::move(st);
  }
  return first;
}

}  // namespace

FanoutConsumer::FanoutConsumer(std::vector<Consumer*> consumers)
    : consumers_(std::move(consumers)) {
  assert(!consumers_.empty());
}

Status FanoutConsumer::ConsumeTraces(Traces&& batch) {
  return Fanout(consumers_, std::move(batch),
                [](Consumer* c, Traces&& b) { return c->ConsumeTraces(std::move(b)); });
}

Status FanoutConsumer::ConsumeMetrics(Metrics&& batch) {
  return Fanout(consumers_, std::move(batch),
                [](Consumer* c, Metrics&& b) { return c->ConsumeMetrics(std::move(b)); });
}

Status FanoutConsumer::ConsumeLogs(Logs&& batch) {
  return Fanout(consumers_, std::move(batch),
                [](Consumer* c, Logs&& b) { return c->ConsumeLogs(std::move(b)); });
}

}  // namespace infermetry::process

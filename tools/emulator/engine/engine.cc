#include "emulator/engine/engine.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include "emulator/engine/request_state.h"
#include "emulator/engine/scheduler.h"
#include "emulator/engine/step_model.h"

namespace infermetry::emulator {
namespace {

constexpr uint32_t kVocabSize = 50000;

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The record vLLM builds when a request finishes; times not reached yet count as `end`.
FinishedRequestStats MakeStats(const RequestState& r, const char* reason, double end) {
  FinishedRequestStats s;
  s.finish_reason = reason;
  s.e2e_latency = end - r.arrival_time;
  s.num_prompt_tokens = r.num_prompt_tokens;
  s.num_generation_tokens = r.num_output_tokens;
  s.max_tokens_param = r.max_output_tokens;
  s.n = r.spec.n;
  const double scheduled = r.first_scheduled_time >= 0 ? r.first_scheduled_time : end;
  const double first = r.first_token_time >= 0 ? r.first_token_time : end;
  const double last = r.last_token_time >= 0 ? r.last_token_time : first;
  s.queued_time = scheduled - r.arrival_time;
  s.prefill_time = first - scheduled;
  s.inference_time = last - scheduled;
  s.decode_time = last - first;
  s.mean_time_per_output_token =
      r.num_output_tokens > 1 ? s.decode_time / (r.num_output_tokens - 1) : 0.0;
  s.num_cached_tokens = std::max(0, r.num_cached_tokens);
  s.num_preemptions = r.num_preemptions;
  return s;
}

}  // namespace

struct Engine::Impl {
  Impl(EngineConfig c, int index) : config(std::move(c)), engine_index(index), scheduler(config) {}

  // The reason `r` stops after its latest token, or nullptr while it goes on.
  const char* StopReason(const RequestState& r) const {
    if (r.num_tokens() >= config.max_model_len ||
        (r.max_output_tokens > 0 && r.num_output_tokens >= r.max_output_tokens)) {
      return "length";
    }
    if (r.num_output_tokens >= r.target_output_tokens) return "stop";
    return nullptr;
  }

  uint32_t NextToken(const RequestState& r) const {
    return static_cast<uint32_t>(Mix64(r.token_seed ^ static_cast<uint64_t>(r.num_tokens())) %
                                 kVocabSize);
  }

  void ProcessAborts(double now, StepResult* result);
  void ApplyStep(double end, StepResult* result);

  EngineConfig config;
  int engine_index;
  Scheduler scheduler;
  std::unordered_map<RequestId, std::unique_ptr<RequestState>> requests;
  std::vector<RequestId> pending_aborts;
  RequestId next_id = 1;
  uint64_t step_number = 0;
  double time_scale = 1.0;
  SchedulePlan plan;
  std::vector<RequestId> done;
};

void Engine::Impl::ProcessAborts(double now, StepResult* result) {
  done.clear();
  for (RequestId id : pending_aborts) {
    auto it = requests.find(id);
    if (it == requests.end() || it->second->finished) continue;
    RequestState& r = *it->second;
    scheduler.Finish(&r);
    done.push_back(id);
    RequestOutput out;
    out.id = id;
    out.total_tokens = r.num_output_tokens;
    out.finished = true;
    out.finish_reason = "abort";
    out.stats = MakeStats(r, "abort", now);
    out.arrival_time = r.arrival_time;
    result->outputs.push_back(std::move(out));
  }
  pending_aborts.clear();
  // The running set still points at the aborted requests until DropFinished.
  scheduler.DropFinished();
  for (RequestId id : done) requests.erase(id);
}

void Engine::Impl::ApplyStep(double end, StepResult* result) {
  IterationStats& it = result->iteration;
  it.iteration_timestamp = end;
  it.num_preempted_reqs = plan.num_preempted;
  done.clear();
  result->outputs.reserve(result->outputs.size() + plan.scheduled.size());
  for (const ScheduledRequest& s : plan.scheduled) {
    RequestState& r = *s.request;
    r.num_computed_tokens += s.num_new_tokens;
    if (r.num_computed_tokens < r.num_tokens()) continue;  // a prefill chunk: no token yet
    r.tokens.push_back(NextToken(r));
    ++r.num_output_tokens;
    ++it.num_generation_tokens;
    if (r.first_token_time < 0) {
      r.first_token_time = end;
      it.time_to_first_tokens_iter.push_back(end - r.arrival_time);
      const int cached = std::max(0, r.num_cached_tokens);
      it.num_prompt_tokens += r.num_prompt_tokens;
      it.prompt_tokens_local_compute += r.num_prompt_tokens - cached;
      it.prompt_tokens_local_cache_hit += cached;
    } else {
      it.inter_token_latencies_iter.push_back(end - r.last_token_time);
    }
    r.last_token_time = end;

    RequestOutput out;
    out.id = r.id;
    out.new_tokens = 1;
    out.total_tokens = r.num_output_tokens;
    out.arrival_time = r.arrival_time;
    if (const char* reason = StopReason(r)) {
      out.finished = true;
      out.finish_reason = reason;
      out.stats = MakeStats(r, reason, end);
      it.finished_requests.push_back(out.stats);
      scheduler.Finish(&r);
      done.push_back(r.id);
    }
    result->outputs.push_back(std::move(out));
  }
  scheduler.DropFinished();
  for (RequestId id : done) requests.erase(id);
}

Engine::Engine(EngineConfig config, int engine_index)
    : impl_(std::make_unique<Impl>(std::move(config), engine_index)) {}

Engine::~Engine() = default;

Result<RequestId> Engine::Add(RequestSpec spec, double now) {
  const int len = static_cast<int>(spec.prompt.size());
  if (len == 0) return InvalidArgument("request prompt is empty");
  if (len > impl_->config.max_model_len - 1) {
    return InvalidArgument(
        "prompt of " + std::to_string(len) + " tokens does not fit: max_model_len is " +
        std::to_string(impl_->config.max_model_len) + " and at least one token must be generated");
  }
  auto r = std::make_unique<RequestState>();
  r->id = impl_->next_id++;
  r->tokens = std::move(spec.prompt);
  spec.prompt.clear();
  r->spec = std::move(spec);
  r->num_prompt_tokens = len;
  r->target_output_tokens = std::max(1, r->spec.target_output_tokens);
  r->max_output_tokens = std::max(0, r->spec.max_tokens);
  r->arrival_time = now;
  r->token_seed = Mix64((static_cast<uint64_t>(impl_->engine_index) << 40) ^ r->id);
  RequestState* raw = r.get();
  impl_->requests.emplace(raw->id, std::move(r));
  impl_->scheduler.AddWaiting(raw);
  return raw->id;
}

void Engine::Abort(RequestId id) {
  if (impl_->requests.count(id) != 0) impl_->pending_aborts.push_back(id);
}

StepResult Engine::Step(double now) {
  StepResult result;
  Impl& m = *impl_;
  m.ProcessAborts(now, &result);
  if (m.scheduler.Idle()) {
    result.iteration.iteration_timestamp = now;
    result.scheduler = CurrentSchedulerStats();
    return result;
  }
  m.scheduler.Schedule(now, &m.plan);
  result.duration = StepSeconds(m.config, m.plan.shape) *
                    StepJitter(m.config, m.engine_index, m.step_number) * m.time_scale;
  ++m.step_number;
  result.num_scheduled_reqs = static_cast<int>(m.plan.scheduled.size());
  for (const ScheduledRequest& s : m.plan.scheduled) {
    result.num_scheduled_tokens += s.num_new_tokens;
  }
  m.ApplyStep(now + result.duration, &result);
  result.scheduler = CurrentSchedulerStats();
  result.scheduler.prefix_cache_queries = m.plan.prefix_cache_queries;
  result.scheduler.prefix_cache_hits = m.plan.prefix_cache_hits;
  return result;
}

bool Engine::Idle() const { return impl_->scheduler.Idle() && impl_->pending_aborts.empty(); }

int Engine::num_unfinished() const {
  return impl_->scheduler.num_running() + impl_->scheduler.num_waiting();
}

SchedulerStats Engine::CurrentSchedulerStats() const {
  SchedulerStats s;
  s.num_running_reqs = impl_->scheduler.num_running();
  s.num_waiting_reqs = impl_->scheduler.num_waiting();
  s.num_waiting_for_capacity = s.num_waiting_reqs;
  s.num_waiting_deferred = 0;
  s.kv_cache_usage = impl_->scheduler.kv_cache().Usage();
  return s;
}

const EngineConfig& Engine::config() const { return impl_->config; }

int Engine::engine_index() const { return impl_->engine_index; }

void Engine::SetStepTimeScale(double factor) { impl_->time_scale = factor > 0 ? factor : 1.0; }

}  // namespace infermetry::emulator

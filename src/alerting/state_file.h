#pragma once
// The alert state that survives a restart: every alerting rule's pending, firing and recently
// resolved alerts with their times (active_at, fired_at, last sent...), as JSON, written
// atomically (common/env.h WriteFileAtomic) after every evaluation that changed it. After a
// restart an alert that still matches keeps its state and its startsAt, so it is neither lost
// nor sent again as a new alert.
//
//   {"version":1,"rules":[{"group":"vllm","alert":"VllmKvCacheSaturated","alerts":[
//     {"labels":{...},"annotations":{...},"state":"firing","value":0.97,"active_at":1795..,
//      "fired_at":..,"resolved_at":0,"last_sent":..,"valid_until":..,"keep_firing_since":0}]}]}

#include <string>
#include <vector>

#include "alerting/rule_group.h"
#include "common/env.h"
#include "common/result.h"

namespace infermetry::alerting {

std::string EncodeState(const std::vector<SavedRule>& rules);
// kCorruption naming `path` when the text is not a state file.
Result<std::vector<SavedRule>> DecodeState(std::string_view text, const std::string& path);

// One alert state change as an event of the `alerts` stream (and a line of `rules eval`):
//   {"p_timestamp":"2026-11-24T23:38:37.951Z","alertname":"VllmKvCacheSaturated","group":"vllm",
//    "state":"firing","previous_state":"pending","value":0.94,"labels":{"instance":...}}
// (labels without alertname; a NaN or infinite value as a string).
std::string TransitionEvent(const Transition& t, std::string_view group);

Status SaveStateFile(Env* env, const std::string& path, const std::vector<SavedRule>& rules);
// No file: no rules.
Result<std::vector<SavedRule>> LoadStateFile(Env* env, const std::string& path);

}  // namespace infermetry::alerting

#pragma once
// The JSON bodies the notifier POSTs: Alertmanager API v2 postableAlert arrays, and the message
// Alertmanager itself sends to webhook receivers (version "4"). Pure functions, no I/O.
//
// Times are RFC 3339 in UTC with milliseconds ("2026-11-24T23:30:00.123Z"); labels and
// annotations are JSON objects in label-name order.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert.h"
#include "model/labels.h"

namespace infermetry::alerting {

// Appends `ms` (milliseconds since the Unix epoch, may be negative) as
// "YYYY-MM-DDTHH:MM:SS.mmmZ".
void AppendRfc3339Millis(std::string* out, int64_t ms);
std::string FormatRfc3339Millis(int64_t ms);

// 16 lowercase hex digits of labels.Hash(): stable for a label set, whatever order the labels
// were given in (Labels are kept sorted).
std::string AlertFingerprint(const model::Labels& labels);

// True when `n` is firing at `now_ms`: no end time (0), or an end time after now.
bool IsFiring(const Notification& n, int64_t now_ms);

// Alertmanager API v2 body for POST /api/v2/alerts: a JSON array of postableAlert objects
// {"labels":{..},"annotations":{..},"startsAt":..,"endsAt":..,"generatorURL":..}.
// startsAt and endsAt are left out when 0 (Alertmanager then uses the arrival time, and for endsAt
// its resolve_timeout); generatorURL is left out when empty.
std::string EncodePostableAlerts(const std::vector<Notification>& batch);

// Webhook body, the shape Alertmanager sends to webhook receivers:
// {"version":"4","groupKey":"{}:{}","truncatedAlerts":0,"status":"firing"|"resolved",
//  "receiver":"infermetry","groupLabels":{},"commonLabels":{..},"commonAnnotations":{..},
//  "externalURL":..,"alerts":[{"status","labels","annotations","startsAt","endsAt",
//  "generatorURL","fingerprint"}]}
// The message's status is "firing" when any alert in it is firing at `now_ms`. commonLabels and
// commonAnnotations hold the pairs every alert of the batch has. As Alertmanager does, an unset
// time is written as Go's zero time "0001-01-01T00:00:00Z".
std::string EncodeWebhookMessage(const std::vector<Notification>& batch,
                                 std::string_view external_url, int64_t now_ms);

}  // namespace infermetry::alerting

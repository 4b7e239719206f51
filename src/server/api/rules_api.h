#pragma once
// The Prometheus HTTP API's rule and alert routes over a running rule manager:
//
//   GET /api/v1/rules[?type=alert|record]   groups with every rule's health, last error, last
//                                           evaluation, evaluation time and (alerting rules)
//                                           state and alerts; SQL rules carry
//                                           "queryLanguage":"sql"
//   GET /api/v1/alerts                      pending and firing alerts
//
// Shapes as Prometheus 2.42 answers them (so Grafana's alert list reads them).

#include "alerting/rule_manager.h"
#include "server/http/router.h"

namespace infermetry::api {

void RegisterRulesApi(http::Router* router, const alerting::RuleManager* manager);

}  // namespace infermetry::api

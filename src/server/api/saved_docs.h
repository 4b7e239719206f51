#pragma once
// Documents the web UI saves in the store: custom dashboards and saved SQL queries ("filters",
// as Parseable calls them). One file per document, <storage.path>/ui/<kind>/<id>.json, holding
// {"id","updated","value"}; each write is atomic (temporary file, fsync, rename), so a document
// is either the old or the new one after a crash.
//
//   GET    /api/v1/<kind>        [{"id":"a1","updated":"2026-11-25T10:00:00.000Z","value":{...}}, ...]
//                                (sorted by id)
//   GET    /api/v1/<kind>/<id>   the value as it was sent
//   PUT    /api/v1/<kind>/<id>   body: a JSON object of at most 1 MiB → {"id","updated"}
//   DELETE /api/v1/<kind>/<id>   {"id"}; 404 when absent
// kind: "dashboards" or "filters". id: 1-64 characters of A-Z a-z 0-9 _ -.
// Errors: text/plain, 400 (bad id, body not a JSON object: the parser's message with the byte
// offset), 401 without valid Basic credentials (the SQL API's users), 404, 413, 500 (I/O).
//
// Thread-safety: requests on one kind are serialized.

#include <string>

#include "server/api/parseable_auth.h"
#include "server/http/router.h"

namespace infermetry::api {

struct SavedDocsOptions {
  std::string dir;  // documents go under <dir>/<kind>/
  ApiAuth auth;
};

void RegisterSavedDocsApi(http::Router* router, SavedDocsOptions options);

}  // namespace infermetry::api

#pragma once
// The web UI's files, embedded in the binary at build time (src/server/web/CMakeLists.txt:
// web/ bundled by esbuild, written out by cmake/embed_assets.cmake).

#include <cstddef>
#include <span>
#include <string_view>

namespace infermetry::web {

struct Asset {
  const char* name;          // "index.html", "app.js", "app.css"
  const char* content_type;  // "text/javascript; charset=utf-8"
  const unsigned char* data;
  size_t size;
  const char* etag;          // quoted: "\"3f2a...\"", changes with the content
};

// Every embedded file; static storage.
std::span<const Asset> Assets();

}  // namespace infermetry::web

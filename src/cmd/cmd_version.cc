#include <cstdio>

#include "cmd/command.h"

namespace infermetry::cmd {

int RunVersion(int, char**) {
  std::printf("infermetry %s\n", INFERMETRY_VERSION);
  return 0;
}

}  // namespace infermetry::cmd

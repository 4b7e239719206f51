#pragma once
// The engine's view of one request while it is queued or running (internal to the engine:
// Engine and Scheduler share it; nothing outside tools/emulator/engine includes this header).

#include <cstdint>
#include <vector>

#include "emulator/engine/engine.h"
#include "emulator/engine/kv_cache.h"

namespace infermetry::emulator {

struct RequestState {
  RequestId id = 0;
  RequestSpec spec;              // spec.prompt is moved into `tokens`
  std::vector<uint32_t> tokens;  // the prompt, then the generated tokens
  int num_prompt_tokens = 0;
  int num_output_tokens = 0;
  // Tokens whose KV is in the cache (or is computed by the step being planned).
  int num_computed_tokens = 0;
  int target_output_tokens = 1;  // >= 1
  int max_output_tokens = 0;     // from spec.max_tokens; 0 = unset

  // KV blocks, in token order, and the hashes of the full blocks of `tokens` computed so far.
  std::vector<int> blocks;
  std::vector<BlockHash> block_hashes;
  int num_registered_blocks = 0;  // leading blocks registered in the prefix cache

  int num_cached_tokens = -1;  // prefix-cache hit at the first scheduling; -1 before
  int num_preemptions = 0;

  // Wall times; -1 while not reached. first_scheduled_time survives preemptions.
  double arrival_time = 0;
  double first_scheduled_time = -1;
  double first_token_time = -1;
  double last_token_time = -1;

  bool running = false;     // in the running set (else waiting)
  bool finished = false;    // set when it leaves the engine
  uint64_t token_seed = 0;  // generated token ids derive from it

  int num_tokens() const { return static_cast<int>(tokens.size()); }
};

}  // namespace infermetry::emulator

//===- Parallel.h - Deterministic chunked loops -------------------*- C++
//-*-===//
//
// Calibration reduces large tensors on several threads. To keep tables
// byte-identical whatever the thread count, work is cut into chunks of a
// fixed size (never into one piece per thread) and partial results are
// combined in chunk order.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_LIB_QUANT_CALIBRATION_PARALLEL_H
#define TPUC_LIB_QUANT_CALIBRATION_PARALLEL_H

#include <cstdint>

namespace tpuc::calibration {

/// Elements per chunk: large enough to amortize scheduling, small enough to
/// balance two threads on the smaller activations.
constexpr int64_t kChunkSize = 1 << 15;

inline int64_t numChunks(int64_t n) {
  return (n + kChunkSize - 1) / kChunkSize;
}

/// Calls fn(chunk, begin, end) for every chunk of [0, n), on the OpenMP
/// threads when there is more than one chunk.
template <typename F> void forEachChunk(int64_t n, F fn) {
  const int64_t chunks = numChunks(n);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t begin = c * kChunkSize;
    int64_t end = begin + kChunkSize < n ? begin + kChunkSize : n;
    fn(c, begin, end);
  }
}

} // namespace tpuc::calibration

#endif // TPUC_LIB_QUANT_CALIBRATION_PARALLEL_H

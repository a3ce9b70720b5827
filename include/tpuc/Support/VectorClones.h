//===- VectorClones.h - One function compiled for several x86 ISAs -*- C++
//-*-===//
//
// TPUC_VECTOR_CLONES before a function with vectorizable loops compiles it
// for AVX-512, AVX2 and baseline x86-64, the loader picking one for the host
// (GCC target_clones). Files using it are built with -ffp-contract=off, so
// that every clone rounds each operation the same way and results do not
// depend on the host CPU. Elsewhere it expands to nothing.
//
//===----------------------------------------------------------------------===//

#ifndef TPUC_SUPPORT_VECTORCLONES_H
#define TPUC_SUPPORT_VECTORCLONES_H

#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define TPUC_VECTOR_CLONES                                                     \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef TPUC_VECTOR_CLONES
#define TPUC_VECTOR_CLONES
#endif

#endif // TPUC_SUPPORT_VECTORCLONES_H

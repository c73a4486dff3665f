// Copyright ptser authors.
//
// base/cxx17.h — stops a build below C++17 with a message that says how to
// fix it.  Every public ptser header includes it first, so that the first
// error a consumer sees is this one and not "'optional' is not a member of
// 'std'" from deep inside a header.  (Bazel 4's default C++ toolchain
// compiles with -std=c++0x; the README's .bazelrc lines set C++17.)
#ifndef PTSER_BASE_CXX17_H_
#define PTSER_BASE_CXX17_H_

#if defined(_MSVC_LANG)
#define PTSER_CPLUSPLUS_ _MSVC_LANG
#else
#define PTSER_CPLUSPLUS_ __cplusplus
#endif

#if PTSER_CPLUSPLUS_ < 201703L
#error "ptser needs C++17: add build --cxxopt=-std=c++17 --host_cxxopt=-std=c++17 to your .bazelrc"
#endif

#undef PTSER_CPLUSPLUS_

#endif  // PTSER_BASE_CXX17_H_

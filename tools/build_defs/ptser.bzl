"""Thin macros every ptser BUILD file uses, so copts and features live in one place."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

# Warnings are errors for our own code (not for third_party).
PTSER_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-sign-compare",
    "-Wno-missing-field-initializers",
]

def ptser_cc_library(name, copts = [], **kwargs):
    cc_library(
        name = name,
        copts = PTSER_COPTS + copts,
        **kwargs
    )

def ptser_cc_test(name, copts = [], deps = [], size = "small", **kwargs):
    cc_test(
        name = name,
        size = size,
        copts = PTSER_COPTS + copts,
        deps = deps + ["@com_google_googletest//:gtest_main"],
        **kwargs
    )

def ptser_cc_binary(name, copts = [], **kwargs):
    cc_binary(
        name = name,
        copts = PTSER_COPTS + copts,
        **kwargs
    )

def ptser_cc_benchmark(name, copts = [], deps = [], tags = [], features = [], **kwargs):
    """A Google Benchmark binary; Debian ships libbenchmark only as a .so."""
    cc_binary(
        name = name,
        testonly = True,
        copts = PTSER_COPTS + copts,
        deps = deps + ["@com_google_benchmark//:benchmark_main"],
        tags = tags + ["benchmark"],
        features = features + ["-fully_static_link"],
        **kwargs
    )

"""ptser_dependencies(): every external repository ptser needs, all offline.

In a consumer's WORKSPACE:

    local_repository(name = "ptser", path = "/path/to/ptser")
    load("@ptser//third_party:deps.bzl", "ptser_dependencies")
    ptser_dependencies()

It declares rules_cc and rules_java first (Bazel would otherwise try to fetch
them), a stub for @remote_coverage_tools, Abseil, GoogleTest, Google Benchmark,
zlib, Intel ISA-L, oneDNN, nlohmann/json and the optional CUDA toolkit.  A repository
the caller already declared is left alone.
"""

load(
    "//third_party:repositories.bzl",
    "coverage_tools_stub",
    "debian_absl",
    "debian_rules_cc",
    "local_cuda",
    "system_libs",
)

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

def ptser_dependencies():
    _maybe(debian_rules_cc, "rules_cc")
    _maybe(native.local_repository, "rules_java", path = "/usr/share/bazel/rules/java")
    _maybe(coverage_tools_stub, "remote_coverage_tools")
    _maybe(debian_absl, "com_google_absl")
    _maybe(
        system_libs,
        "com_google_googletest",
        package = "libgtest-dev libgmock-dev",
        required_headers = ["/usr/include/gtest/gtest.h", "/usr/include/gmock/gmock.h"],
        targets = {
            "gtest": "libgtest.a||-lpthread",
            "gtest_main": "libgtest_main.a|gtest|",
            "gmock": "libgmock.a|gtest|",
            "gmock_main": "libgmock_main.a|gmock|",
        },
    )
    _maybe(
        system_libs,
        "com_google_benchmark",
        package = "libbenchmark-dev",
        required_headers = ["/usr/include/benchmark/benchmark.h"],
        targets = {
            "benchmark": "libbenchmark.so||-lpthread",
            "benchmark_main": "libbenchmark_main.a|benchmark|",
        },
    )
    _maybe(
        system_libs,
        "zlib",
        package = "zlib1g-dev",
        required_headers = ["/usr/include/zlib.h"],
        targets = {"zlib": "libz.a||"},
    )
    _maybe(
        system_libs,
        "isal",
        package = "libisal-dev",
        required_headers = ["/usr/include/isa-l.h"],
        targets = {"isal": "libisal.so||"},
    )
    _maybe(
        system_libs,
        "dnnl",
        package = "libdnnl-dev",
        required_headers = ["/usr/include/dnnl.hpp"],
        targets = {"dnnl": "libdnnl.so||"},
    )
    _maybe(
        system_libs,
        "nlohmann_json",
        package = "nlohmann-json3-dev",
        required_headers = ["/usr/include/nlohmann/json.hpp"],
        targets = {"json": ""},
    )
    _maybe(local_cuda, "local_cuda")

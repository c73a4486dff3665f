"""ptser_fuzz_target: one libFuzzer entry point, two uses.

    ptser_fuzz_target(name = "zip_reader_fuzzer", srcs = [...], deps = [...],
                      corpus = glob(["corpus/zip_reader/**"]))

- `<name>`: a binary.  Under --config=fuzz (clang, -fsanitize=fuzzer) it is a
  libFuzzer fuzzer; otherwise it is linked with a small driver that runs
  LLVMFuzzerTestOneInput once on each file or folder named on its command line.
- `<name>_regression`: a cc_test running that driver over the seed corpus and
  the committed findings, so every finding stays a regression test in the
  default, asan and ubsan builds.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")
load("//tools/build_defs:ptser.bzl", "PTSER_COPTS")

def ptser_fuzz_target(name, srcs, deps = [], corpus = [], **kwargs):
    cc_binary(
        name = name,
        srcs = srcs,
        copts = PTSER_COPTS,
        deps = deps + select({
            "//tools/build_defs:fuzzing": [],
            "//conditions:default": ["//tests/fuzz:standalone_main"],
        }),
        testonly = True,
        tags = ["fuzzer"],
        **kwargs
    )
    cc_test(
        name = name + "_regression",
        size = "small",
        srcs = srcs,
        copts = PTSER_COPTS,
        deps = deps + ["//tests/fuzz:standalone_main"],
        data = corpus,
        args = ["$(rootpath %s)" % f for f in corpus] if corpus else [],
        target_compatible_with = select({
            "//tools/build_defs:fuzzing": ["//tools/build_defs:incompatible"],
            "//conditions:default": [],
        }),
        **kwargs
    )

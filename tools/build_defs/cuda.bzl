"""A minimal CUDA rule: there is no rules_cuda to fetch offline.

cuda_archive() runs nvcc from @local_cuda on .cu files (PIC objects) and packs
them with ar into one static archive, which a cc_library then links together
with @local_cuda//:cudart.  Use the ptser_cuda_library macro below: it marks the
targets incompatible (skipped by //...) unless --config=cuda is given and a
toolkit was found, so a machine without CUDA still builds everything else.
"""

load("@local_cuda//:defs.bzl", "CUDA_FOUND", "CUDA_VERSION", "NVCC")
load("@rules_cc//cc:defs.bzl", "cc_library")

# Machine code for Ampere (A100, sm_80) and Hopper (H100/H200, sm_90), plus
# compute_90 PTX for newer GPUs to JIT.
CUDA_ARCH_FLAGS = [
    "-gencode=arch=compute_80,code=sm_80",
    "-gencode=arch=compute_90,code=sm_90",
    "-gencode=arch=compute_90,code=compute_90",
]

def _cuda_archive_impl(ctx):
    objects = []
    headers = depset(transitive = [d[DefaultInfo].files for d in ctx.attr.hdrs])
    for src in ctx.files.srcs:
        obj = ctx.actions.declare_file("_cuda_objs/%s/%s.o" % (ctx.label.name, src.basename))
        args = ctx.actions.args()
        args.add_all(["-c", "-std=c++17", "-O2", "-Xcompiler", "-fPIC"])
        args.add_all(CUDA_ARCH_FLAGS)
        args.add_all(["-I", ".", "-I", ctx.bin_dir.path])
        args.add_all(ctx.attr.includes, before_each = "-I")
        # The version on the command line makes the action key change with the toolkit.
        args.add("-DPTSER_NVCC_VERSION=\"%s\"" % CUDA_VERSION.replace(" ", "_").replace(",", ""))
        args.add_all(["-o", obj.path, src.path])
        ctx.actions.run(
            executable = NVCC,
            arguments = [args],
            inputs = depset([src], transitive = [headers]),
            outputs = [obj],
            mnemonic = "Nvcc",
            progress_message = "nvcc %s" % src.short_path,
            use_default_shell_env = True,
        )
        objects.append(obj)
    archive = ctx.actions.declare_file("lib%s.a" % ctx.label.name)
    ctx.actions.run(
        executable = "/usr/bin/ar",
        arguments = ["rcs", archive.path] + [o.path for o in objects],
        inputs = objects,
        outputs = [archive],
        mnemonic = "CudaAr",
    )
    return [DefaultInfo(files = depset([archive]))]

cuda_archive = rule(
    implementation = _cuda_archive_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = [".cu"]),
        "hdrs": attr.label_list(allow_files = True),
        "includes": attr.string_list(),
    },
)

def ptser_cuda_library(name, srcs, hdrs = [], deps = [], visibility = None, **kwargs):
    """A cc_library whose .cu sources are compiled by nvcc."""
    compat = select({
        "//tools/build_defs:cuda_on": [] if CUDA_FOUND else ["//tools/build_defs:incompatible"],
        "//conditions:default": ["//tools/build_defs:incompatible"],
    })
    cuda_archive(
        name = name + "_cu",
        srcs = srcs,
        hdrs = hdrs,
        target_compatible_with = compat,
        visibility = ["//visibility:private"],
    )
    cc_library(
        name = name,
        srcs = [":" + name + "_cu"],
        hdrs = hdrs,
        deps = deps + ["@local_cuda//:cudart"],
        target_compatible_with = compat,
        visibility = visibility,
        linkstatic = True,
        features = ["-fully_static_link"],
        **kwargs
    )

def cuda_compatible():
    """target_compatible_with for targets that need a CUDA build."""
    return select({
        "//tools/build_defs:cuda_on": [] if CUDA_FOUND else ["//tools/build_defs:incompatible"],
        "//conditions:default": ["//tools/build_defs:incompatible"],
    })

"""Offline repository rules: every dependency of ptser comes from Debian packages.

Nothing here downloads.  `ptser_dependencies()` (in deps.bzl) declares them all; a
consumer workspace calls only that.  See docs/build.md for the pitfalls each rule
works around.
"""

_LIBDIR = "/usr/lib/x86_64-linux-gnu"

def _fail_missing(what, package):
    fail("ptser: %s not found; install Debian's %s (tools/bazel does this for you)" % (what, package))

# --- rules_cc -------------------------------------------------------------------------
# Debian's bazel-rules-cc 0.0.4 calls use_cpp_toolchain(), which Bazel 4.2.3's
# @bazel_tools lacks.  Copy the tree and rewrite only when the function is missing.

def _debian_rules_cc_impl(ctx):
    src = ctx.path(ctx.attr.path)
    if not src.exists:
        _fail_missing(ctx.attr.path, "bazel-rules-cc")
    ctx.execute(["cp", "-r", str(src) + "/.", "."])
    utils = ctx.path(Label("@bazel_tools//tools/cpp:toolchain_utils.bzl"))
    if "def use_cpp_toolchain" in ctx.read(utils):
        return
    for f in ["cc/private/rules_impl/compiler_flag.bzl", "cc/private/rules_impl/cc_flags_supplier.bzl"]:
        text = ctx.read(f)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        ctx.file(f, text, legacy_utf8 = False)

debian_rules_cc = repository_rule(
    implementation = _debian_rules_cc_impl,
    attrs = {"path": attr.string(default = "/usr/share/bazel/rules/cc")},
    local = True,
)

# --- a stub for @remote_coverage_tools (fetched for every test target otherwise) ------

def _coverage_stub_impl(ctx):
    ctx.file("WORKSPACE", "")
    ctx.file("BUILD", """package(default_visibility = ["//visibility:public"])
filegroup(name = "coverage_report_generator", srcs = [])
filegroup(name = "lcov_merger", srcs = [])
""")

coverage_tools_stub = repository_rule(implementation = _coverage_stub_impl)

# --- Abseil from Debian's pkg-config files -------------------------------------------
# Each absl_<name>.pc becomes a cc_library at the label upstream Abseil uses
# (absl_statusor -> @com_google_absl//absl/status:statusor), wrapping the PIC
# static archive libabsl_<name>.a with the components its Requires: names.

# Components whose package cannot be guessed from a header of the same name.
_ABSL_OVERRIDES = {
    "core_headers": ("absl/base", "core_headers"),
    "raw_logging_internal": ("absl/base", "raw_logging_internal"),
    "base_internal": ("absl/base", "base_internal"),
    "throw_delegate": ("absl/base", "throw_delegate"),
}

def _absl_package(ctx, name):
    """Upstream's package and target name for the pkg-config component `name`."""
    inc = "/usr/include/absl/"
    if name in _ABSL_OVERRIDES:
        return _ABSL_OVERRIDES[name]
    if ctx.path(inc + name + "/BUILD.bazel").exists or ctx.path(inc + name + "/" + name + ".h").exists:
        return ("absl/" + name, name)
    # absl/base first: absl_config is base/config.h, not flags/config.h.
    names = sorted([d.basename for d in ctx.path(inc).readdir() if d.basename != "base"])
    dirs = [ctx.path(inc + n) for n in ["base"] + names]
    for d in dirs:
        if ctx.path(str(d) + "/" + name + ".h").exists:
            return ("absl/" + d.basename, name)
    for d in dirs:
        prefix = d.basename + "_"
        if name.startswith(prefix) and ctx.path(str(d) + "/" + name[len(prefix):] + ".h").exists:
            return ("absl/" + d.basename, name[len(prefix):])
    if ctx.path(inc + name).exists:
        return ("absl/" + name, name)
    return ("absl/generated", name)

def _debian_absl_impl(ctx):
    pcdir = ctx.path(_LIBDIR + "/pkgconfig")
    if not ctx.path("/usr/include/absl/status/statusor.h").exists:
        _fail_missing("Abseil headers", "libabsl-dev")
    components = {}
    for pc in pcdir.readdir():
        base = pc.basename
        if not base.startswith("absl_") or not base.endswith(".pc"):
            continue
        name = base[len("absl_"):-len(".pc")]
        requires = []
        libs = []
        for line in ctx.read(pc).splitlines():
            if line.startswith("Requires:"):
                for item in line[len("Requires:"):].split(","):
                    item = item.strip().split(" ")[0]
                    if item.startswith("absl_"):
                        requires.append(item[len("absl_"):])
            elif line.startswith("Libs:"):
                for tok in line[len("Libs:"):].split(" "):
                    if tok.startswith("-labsl_"):
                        libs.append(tok[len("-l"):])
        components[name] = struct(requires = requires, libs = libs, where = _absl_package(ctx, name))
    # Two components guessed into one label: keep the exact-name one there.
    taken = {}
    exact = [n for n in sorted(components.keys()) if components[n].where[1] == n]
    for name in exact + [n for n in sorted(components.keys()) if components[n].where[1] != n]:
        c = components[name]
        if c.where in taken:
            components[name] = struct(requires = c.requires, libs = c.libs, where = ("absl/generated", name))
        taken[components[name].where] = name
    packages = {}
    for name, c in components.items():
        pkg, target = c.where
        deps = []
        for r in c.requires:
            if r in components:
                rpkg, rtarget = components[r].where
                label = "//%s:%s" % (rpkg, rtarget)
                if label not in deps:
                    deps.append(label)
        srcs = []
        for lib in c.libs:
            archive = "%s/lib%s.a" % (_LIBDIR, lib)
            if ctx.path(archive).exists:
                ctx.symlink(archive, "%s/lib%s.a" % (pkg, lib))
                srcs.append("lib%s.a" % lib)
        packages.setdefault(pkg, []).append(
            'cc_library(\n    name = "%s",\n    srcs = %s,\n    deps = %s,\n    linkopts = ["-lpthread"],\n    linkstatic = True,\n)\n' %
            (target, repr(srcs), repr(sorted(deps))),
        )
    for pkg, rules in packages.items():
        ctx.file(pkg + "/BUILD", 'package(default_visibility = ["//visibility:public"])\n\n' + "\n".join(rules))
    ctx.file("WORKSPACE", 'workspace(name = "com_google_absl")\n')
    ctx.file("BUILD", "")

debian_absl = repository_rule(implementation = _debian_absl_impl, local = True)

# --- plain system libraries -------------------------------------------------------------

def _system_libs_impl(ctx):
    for header in ctx.attr.required_headers:
        if not ctx.path(header).exists:
            _fail_missing(header, ctx.attr.package)
    rules = []
    for target, spec in ctx.attr.targets.items():
        # spec: "libfoo.a libbar.so|dep1 dep2|linkopt1 linkopt2"
        parts = (spec + "||").split("|")
        srcs = []
        for lib in parts[0].split(" "):
            if not lib:
                continue
            path = _LIBDIR + "/" + lib
            if not ctx.path(path).exists:
                _fail_missing(path, ctx.attr.package)
            ctx.symlink(path, lib)
            srcs.append(lib)
        deps = [":" + d for d in parts[1].split(" ") if d]
        linkopts = [o for o in parts[2].split(" ") if o]
        rules.append('cc_library(\n    name = "%s",\n    srcs = %s,\n    deps = %s,\n    linkopts = %s,\n)\n' %
                     (target, repr(srcs), repr(deps), repr(linkopts)))
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)
    ctx.file("BUILD", 'package(default_visibility = ["//visibility:public"])\n\n' + "\n".join(rules))

system_libs = repository_rule(
    implementation = _system_libs_impl,
    attrs = {
        "targets": attr.string_dict(),
        "required_headers": attr.string_list(),
        "package": attr.string(),
    },
    local = True,
)

# --- the CUDA toolkit, optional ----------------------------------------------------------
# @local_cuda//:defs.bzl says whether a toolkit was found, where nvcc is and its
# version; @local_cuda//:cudart links the static runtime.  Without a toolkit the
# repository still exists, CUDA_FOUND is False, and CUDA targets are incompatible.

def _local_cuda_impl(ctx):
    root = ctx.os.environ.get("CUDA_PATH", "/usr/local/cuda")
    nvcc = ctx.path(root + "/bin/nvcc")
    found = nvcc.exists and ctx.path(root + "/include/cuda_runtime.h").exists
    version = ""
    if found:
        r = ctx.execute([str(nvcc), "--version"])
        for line in r.stdout.splitlines():
            if "release" in line:
                version = line.strip()
        for sub in ["include", "lib64"]:
            ctx.symlink(root + "/" + sub, sub)
        ctx.file("BUILD", """package(default_visibility = ["//visibility:public"])
cc_library(
    name = "cudart",
    srcs = ["lib64/libcudart_static.a"],
    hdrs = glob(["include/*.h", "include/crt/*.h", "include/crt/*.hpp", "include/*.hpp"]),
    includes = ["include"],
    linkopts = ["-ldl", "-lrt", "-lpthread"],
)
""")
    else:
        ctx.file("BUILD", 'package(default_visibility = ["//visibility:public"])\ncc_library(name = "cudart")\n')
    ctx.file("defs.bzl", "CUDA_FOUND = %s\nNVCC = %s\nCUDA_VERSION = %s\nCUDA_ROOT = %s\n" %
                         (found, repr(str(nvcc)), repr(version), repr(root)))
    ctx.file("WORKSPACE", 'workspace(name = "local_cuda")\n')

local_cuda = repository_rule(
    implementation = _local_cuda_impl,
    environ = ["CUDA_PATH"],
    local = True,
)

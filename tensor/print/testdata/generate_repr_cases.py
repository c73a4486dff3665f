#!/usr/bin/python3
"""Regenerates repr_cases.inc: PyTorch's repr() of many tensors.

Run with the Python that has PyTorch 1.13 (Debian's python3-torch):

    /usr/bin/python3 tensor/print/testdata/generate_repr_cases.py \
        > tensor/print/testdata/repr_cases.inc

Each case records how to rebuild the tensor in C++ (dtype, sizes, the raw
little-endian bytes of its contiguous data or an affine recipe
start + step * i, flags, quantization, print options) and the exact string
torch printed.  repr_test.cc rebuilds each tensor and compares ptser::Repr.
"""

import math
import sys

import torch

CPP_DTYPE = {
    torch.uint8: "kByte", torch.int8: "kChar", torch.int16: "kShort",
    torch.int32: "kInt", torch.int64: "kLong", torch.float16: "kHalf",
    torch.float32: "kFloat", torch.float64: "kDouble",
    torch.complex32: "kComplexHalf", torch.complex64: "kComplexFloat",
    torch.complex128: "kComplexDouble", torch.bool: "kBool",
    torch.qint8: "kQInt8", torch.quint8: "kQUInt8", torch.qint32: "kQInt32",
    torch.bfloat16: "kBFloat16",
}

CASES = []
# id(tensor) -> (start, step) for tensors built by affine().
AFFINE = {}


def case(name, tensor, **kw):
    CASES.append((name, tensor, kw))


def t(values, dtype=None, **kw):
    return torch.tensor(values, dtype=dtype, **kw)


def affine(n, start, step, dtype, sizes=None):
    """start + step * i for i in range(n), computed in float64 like the test."""
    values = torch.arange(n, dtype=torch.float64) * step + start
    values = values.to(dtype)
    if sizes is not None:
        values = values.reshape(sizes)
    AFFINE[id(values)] = (start, step)
    return values


inf, nan = math.inf, math.nan

# --- the serialization note and basics ---
case("arange_evens_doubled", t([1, 4, 3, 8, 5, 12, 7, 16, 9]))
case("ints_small", t([1, 2, 3]))
case("ints_negative_widths", t([-1, 10, -100, 5]))
case("floats_integer_valued", t([1.0, 2.0, 3.0]))
case("floats_fractional", t([1.5, 2.25, -3.125]))
case("floats_pi", t([3.141592653589793, -2.718281828459045], dtype=torch.float64))
case("float_negative_zero", t([-0.0, 1.0]))
case("floats_all_zero", t([0.0, 0.0]))
case("float_large_int_mode", t([12345678.0, 1.0]))
case("float_int_mode_1e8", t([100000000.0, 99999999.0]))

# --- 0-dim ---
case("scalar_int_zero", t(0))
case("scalar_int", t(-42))
case("scalar_float", t(1.5))
case("scalar_float_integral", t(2.0))
case("scalar_float_zero", t(0.0))
case("scalar_nan", t(nan))
case("scalar_inf", t(-inf))
case("scalar_bool", t(True))
case("scalar_sci", t(1e-7))
case("scalar_float64", t(0.1, dtype=torch.float64))
case("scalar_requires_grad", t(1.5, requires_grad=True))
case("scalar_complex", t(1 + 2j))

# --- empty ---
case("empty", t([]))
case("empty_0x3", torch.zeros(0, 3))
case("empty_int64", torch.zeros(0, dtype=torch.int64))
case("empty_int32_2x0x4", torch.zeros(2, 0, 4, dtype=torch.int32))
case("empty_bool", torch.zeros(0, dtype=torch.bool))
case("empty_requires_grad", torch.zeros(2, 0, requires_grad=True))

# --- nesting ---
case("matrix_ints", t([[1, 2], [3, 4]]))
case("matrix_floats", t([[1.5, -2.0, 3.0], [4.0, 5.25, -6.0]]))
case("cube", affine(24, 0, 1, torch.float32, (2, 3, 4)))
case("hypercube", affine(16, -8, 1, torch.int64, (2, 2, 2, 2)))
case("matrix_one_row", t([[1, 2, 3]]))
case("matrix_one_col", t([[1.5], [2.5]]))

# --- dtype suffixes ---
case("int32", t([1, 2], dtype=torch.int32))
case("int16", t([-1, 2], dtype=torch.int16))
case("int8", t([-128, 127], dtype=torch.int8))
case("uint8", t([0, 255], dtype=torch.uint8))
case("float64", t([1.5, 2.0], dtype=torch.float64))
case("float16", t([0.1, 1.0, 65504.0], dtype=torch.float16))
case("bfloat16", t([1.5, -0.1], dtype=torch.bfloat16))
case("int64_extremes", t([-9223372036854775808, 9223372036854775807]))
case("bools", t([True, False]))
case("bools_all_true", t([True, True]))
case("bool_matrix", t([[True, False], [False, True]]))

# --- flags ---
case("requires_grad", t([1.0, 2.0], requires_grad=True))
case("requires_grad_float64", t([1.0, 2.0], dtype=torch.float64,
                                  requires_grad=True))
case("parameter", torch.nn.Parameter(t([1.0, 2.0])))
base = t([1.0, -2.0, 3.5])
case("neg_view", torch._neg_view(base), neg_of=base)
cbase = t([1 + 2j, -3 - 0.5j])
case("conj_view", cbase.conj(), conj_of=cbase)
tbase = affine(6, 1, 1, torch.float32, (2, 3))
case("transposed", tbase.t(), transposed_of=tbase)

# --- non-finite ---
case("nonfinite_int_mode", t([inf, nan, -inf, 1.0]))
case("nonfinite_fractional", t([1.5, inf, nan]))
case("only_nonfinite", t([nan, inf]))
case("nonfinite_sci", t([1e-5, inf, -inf]))

# --- scientific notation ---
case("sci_small", t([1e-5, 1.0]))
case("sci_ratio", t([1.0, 1001.0]))
case("sci_ratio_fractional", t([0.5, 1000.5]))
case("sci_large_int", t([1e10, 1.0]))
case("sci_large", t([123456789.0]))
case("fixed_at_1e_minus4", t([0.0001, 0.5]))
case("sci_just_below_1e_minus4", t([0.00009999, 0.5]))
case("sci_float64_tiny", t([1e-300, 1.0], dtype=torch.float64))
case("sci_float64_huge", t([1e300, -1.5e-300], dtype=torch.float64))
case("sci_3digit_exponent", t([1e100, 1.0], dtype=torch.float64))

# --- complex ---
case("complex", t([1 + 2j, -3.5 - 0.25j]))
case("complex_integral", t([1 + 2j, 3 - 4j]))
case("complex128", t([1 + 2j, 0.5j], dtype=torch.complex128))
case("complex_nonfinite", t([complex(inf, nan), 1 + 1j]))
case("complex_sci", t([1e-5 + 1j, 2 + 3j]))
case("complex_matrix", t([[1 + 1j, 2 - 2j], [-3 + 0j, 4.5 + 1.5j]]))
case("complex_neg_zero_imag", t([complex(1.0, -0.0), complex(2.0, 0.0)]))
case("complex32", t([1 + 2j, -3.5 - 0.25j], dtype=torch.complex32))

# --- wrapping at 80 columns ---
case("wrap_ints", affine(100, 0, 1, torch.int64))
case("wrap_floats", affine(30, 0, 1.0 / 8, torch.float32))
case("wrap_matrix", affine(60, -30, 0.75, torch.float32, (3, 20)))
case("wrap_suffix_dtype", affine(12, 0.5, 1, torch.float64))
case("wrap_suffix_two", affine(10, 0.5, 1, torch.float64).requires_grad_())
case("suffix_newline", affine(8, 10.5, 1, torch.float64))
case("suffix_newline_grad",
     affine(7, 100.25, 1, torch.float64).requires_grad_())
case("wrap_suffix_three", affine(9, 0.5, 1, torch.int16, (9, 1)))
case("wrap_sci", affine(20, 1e-5, 1.25, torch.float32))
case("wrap_bools", t([True, False] * 20))
case("wrap_complex", t([complex(i + 0.5, -i) for i in range(12)]))

# --- summarization (> 1000 elements) ---
case("summary_ints", affine(2000, 0, 1, torch.int64))
case("summary_floats", affine(2000, 0, 0.5, torch.float32))
case("summary_matrix", affine(2500, 0, 1, torch.float32, (50, 50)))
case("summary_cube", affine(2000, 0, 1, torch.int64, (20, 10, 10)))
case("summary_wide", affine(1500, 0, 1, torch.int32, (3, 500)))
case("summary_tall", affine(1002, -500, 1, torch.float64, (501, 2)))
case("summary_sci", affine(1001, 1e-6, 1e-6, torch.float32))
case("summary_exactly_1000", affine(1000, 0, 1, torch.int64))
case("summary_bool", t([True, False, False] * 400))
case("summary_complex", affine(1200, 0, 0.5, torch.complex64))

# --- print options ---
case("opt_precision2", t([1.23456, 2.5]), options=dict(precision=2))
case("opt_precision6", t([1.23456789, 2.5], dtype=torch.float64),
     options=dict(precision=6))
case("opt_sci_on", t([1.0, 2.5]), options=dict(sci_mode=True))
case("opt_sci_off", t([1e-6, 2.5]), options=dict(sci_mode=False))
case("opt_linewidth40", affine(20, 0, 1, torch.int64),
     options=dict(linewidth=40))
case("opt_threshold5", affine(10, 0, 1, torch.int64),
     options=dict(threshold=5))
case("opt_edgeitems2", affine(100, 0, 1, torch.int64, (10, 10)),
     options=dict(threshold=10, edgeitems=2))

# --- quantized ---
case("qint8_per_tensor",
     torch.quantize_per_tensor(t([1.0, 2.5, -1.0]), 0.1, 3, torch.qint8))
case("quint8_per_tensor",
     torch.quantize_per_tensor(t([[0.0, 1.0], [2.0, 3.5]]), 0.5, 10,
                               torch.quint8))
case("qint32_per_tensor",
     torch.quantize_per_tensor(t([100.0, -7.25]), 0.25, 0, torch.qint32))
case("quint8_per_channel",
     torch.quantize_per_channel(t([[1.0, 2.5], [-1.0, 3.0]]),
                                t([0.1, 0.2], dtype=torch.float64),
                                t([0, 1]), 0, torch.quint8))

# --- devices ---
case("meta", torch.empty(2, 3, device="meta"))
case("meta_int64", torch.empty(4, device="meta", dtype=torch.int64))

DEFAULT_OPTIONS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80,
                       sci_mode=None)


def raw_bytes(x):
    """The bytes of x's contiguous data (the int repr for quantized)."""
    if x.is_quantized:
        x = x.int_repr()
    return x.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def cpp_string(s):
    return 'R"ptser(' + s + ')ptser"'


def cpp_list(values, fmt=repr):
    return "{" + ", ".join(fmt(v) for v in values) + "}"


def emit(name, x, kw):
    options = dict(DEFAULT_OPTIONS)
    options.update(kw.get("options", {}))
    torch.set_printoptions(**{k: v for k, v in options.items()})
    text = repr(x)
    torch.set_printoptions(profile="default", sci_mode=None)

    parts = ['ReprCase("%s")' % name]
    src = x
    for key in ("neg_of", "conj_of", "transposed_of"):
        if kw.get(key) is not None:
            src = kw[key]
    dtype = src.dtype
    parts.append(".Dtype(ScalarType::%s)" % CPP_DTYPE[dtype])
    parts.append(".Sizes(%s)" % cpp_list(src.shape))
    if x.device.type == "meta":
        parts.append('.OnDevice("meta")')
    elif id(src) in AFFINE:
        parts.append(".Affine(%r, %r)" % AFFINE[id(src)])
    else:
        parts.append('.Hex("%s")' % raw_bytes(src).hex())
    if "neg_of" in kw:
        parts.append(".Neg()")
    if "conj_of" in kw:
        parts.append(".Conj()")
    if "transposed_of" in kw:
        parts.append(".Transposed()")
    if x.requires_grad:
        parts.append(".RequiresGrad()")
    if isinstance(x, torch.nn.Parameter):
        parts.append(".Parameter()")
    if x.is_quantized:
        if x.qscheme() == torch.per_tensor_affine:
            parts.append(".PerTensor(%r, %d)" % (x.q_scale(), x.q_zero_point()))
        else:
            parts.append(".PerChannel(%s, %s, %d)" % (
                cpp_list(x.q_per_channel_scales().tolist()),
                cpp_list(x.q_per_channel_zero_points().tolist()),
                x.q_per_channel_axis()))
    for key in ("precision", "threshold", "edgeitems", "linewidth"):
        if options[key] != DEFAULT_OPTIONS[key]:
            parts.append(".Option_%s(%d)" % (key, options[key]))
    if options["sci_mode"] is not None:
        parts.append(".SciMode(%s)" % str(options["sci_mode"]).lower())
    parts.append(".Expect(%s)" % cpp_string(text))
    return "    " + "\n        ".join(parts) + ","


def main():
    print("// Generated by tensor/print/testdata/generate_repr_cases.py with")
    print("// PyTorch %s; do not edit by hand." % torch.__version__)
    print("// clang-format off")
    for name, x, kw in CASES:
        print(emit(name, x, kw))
    print("// clang-format on")


if __name__ == "__main__":
    main()

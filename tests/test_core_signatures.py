"""apportion._core's calling convention: every function takes its arguments
by position or by the names its text signature gives (inspect.signature
reads them), bound by the glue's own binder (python/glue/convert.c) with
CPython's words for a wrong call, and the values then converted exactly as
before."""

import inspect
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from apportion import _core
from apportion.errors import InputError

FUNCTIONS = sorted(
    name for name in dir(_core)
    if not name.startswith("_") and callable(getattr(_core, name))
    and not isinstance(getattr(_core, name), type))

# Errors of the binder itself, never of a value's conversion.
BINDER_ERROR = re.compile(
    r"missing required argument|invalid keyword argument|given by name|"
    r"takes at most|takes no|positional argument")


class Unconvertible:
    """No conversion of the glue accepts it: not a str, number, sequence,
    buffer, path, capsule or dict."""


def parameters(name):
    return list(inspect.signature(getattr(_core, name)).parameters.values())


def call_with_names(name, params, value):
    """Every parameter in params given: positional-only ones by position,
    the rest by name."""
    positional = [value for p in params if p.kind is p.POSITIONAL_ONLY]
    keywords = {p.name: value for p in params
                if p.kind is p.POSITIONAL_OR_KEYWORD}
    return getattr(_core, name)(*positional, **keywords)


def test_every_function_is_found():
    # The 85 functions of the module, none forgotten by the listing.
    assert len(FUNCTIONS) == 85
    assert {"parse_money", "holt_batch", "plugin_list", "fy_label"} <= set(
        FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_signature_is_readable(name):
    f = getattr(_core, name)
    assert f.__text_signature__ is not None, name
    params = parameters(name)
    # $module is bound away; what is left is what a caller passes.
    assert all(p.name != "module" for p in params)
    assert all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in params)
    # Only trailing parameters have defaults, and those default to None.
    defaults = [p.default is not p.empty for p in params]
    assert defaults == sorted(defaults)
    assert all(p.default is None for p in params if p.default is not p.empty)
    # The docstring says something after the signature.
    assert f.__doc__.strip(), name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_bogus_keyword_is_refused_naming_the_function(name):
    with pytest.raises(TypeError) as raised:
        getattr(_core, name)(bogus_keyword=1)
    message = str(raised.value)
    assert message.startswith(f"{name}()"), message
    params = parameters(name)
    if not params:
        assert message == f"{name}() takes no keyword arguments"
    elif params[0].kind is params[0].POSITIONAL_ONLY:
        assert "positional argument" in message
    else:
        assert message == (f"{name}() missing required argument "
                           f"'{params[0].name}' (pos 1)")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_signature_names_what_the_binder_binds(name):
    params = parameters(name)
    if not params:
        return
    # All given by their names: the binder takes every one, and what fails
    # is the conversion of a value, never the binding.
    with pytest.raises(Exception) as raised:
        call_with_names(name, params, Unconvertible())
    assert not BINDER_ERROR.search(str(raised.value)), str(raised.value)
    # The required ones alone are enough to bind.
    required = [p for p in params if p.default is p.empty]
    with pytest.raises(Exception) as raised:
        call_with_names(name, required, Unconvertible())
    assert not BINDER_ERROR.search(str(raised.value)), str(raised.value)
    # One more than all of them is too many.
    with pytest.raises(TypeError, match=re.escape(
            f"{name}() takes at most {len(params)} argument"
            f"{'' if len(params) == 1 else 's'} ({len(params) + 1} given)")):
        getattr(_core, name)(*[Unconvertible()] * (len(params) + 1))
    # The last required one left out is named as missing.
    last = required[-1]
    if last.kind is last.POSITIONAL_OR_KEYWORD:
        with pytest.raises(TypeError, match=re.escape(
                f"{name}() missing required argument '{last.name}' "
                f"(pos {len(required)})")):
            call_with_names(name, required[:-1], Unconvertible())


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if not parameters(n)])
def test_functions_without_parameters_take_no_arguments(name):
    with pytest.raises(TypeError, match=re.escape(
            f"{name}() takes no arguments (1 given)")):
        getattr(_core, name)(1)
    getattr(_core, name)()


# ---- the binder's errors, in CPython's words ---------------------------------

def test_keywords_and_positions_give_the_same_result():
    assert _core.parse_money(text="1,070", unit="£") == _core.parse_money(
        "1,070", "£")
    assert _core.parse_money("1,070", unit="£") == (107000, 100)
    assert _core.format_money(-123456, "£", 2, "brackets", True, True) == (
        _core.format_money(pence=-123456, unit="£", decimals=2,
                           negative="brackets", symbol=True, grouping=True))


def test_missing_argument():
    with pytest.raises(TypeError, match=re.escape(
            "parse_money() missing required argument 'unit' (pos 2)")):
        _core.parse_money("1")
    with pytest.raises(TypeError, match=re.escape(
            "parse_money() missing required argument 'text' (pos 1)")):
        _core.parse_money(unit="£")


def test_too_many_arguments():
    with pytest.raises(TypeError, match=re.escape(
            "parse_money() takes at most 2 arguments (3 given)")):
        _core.parse_money("1", "£", "x")
    with pytest.raises(TypeError, match=re.escape(
            "parse_money() takes at most 2 keyword arguments (3 given)")):
        _core.parse_money(text="1", unit="£", other="x")


def test_unexpected_keyword():
    # A required parameter left out is reported first, as CPython does.
    with pytest.raises(TypeError, match=re.escape(
            "parse_money() missing required argument 'unit' (pos 2)")):
        _core.parse_money("1", units="£")
    with pytest.raises(TypeError, match=re.escape(
            "'alphas' is an invalid keyword argument for holt_fit()")):
        _core.holt_fit(np.array([1.0, 2.0, 3.0]), alphas=0.5)


def test_argument_given_twice():
    with pytest.raises(TypeError, match=re.escape(
            "argument for holt_fit() given by name ('values') and "
            "position (1)")):
        _core.holt_fit(np.array([1.0, 2.0, 3.0]), values=None)


def test_positional_only_parameter_by_name():
    assert str(inspect.signature(_core.fy_label)) == "(start_year, /)"
    assert _core.fy_label(2021) == "2021/22"
    with pytest.raises(TypeError, match=re.escape(
            "fy_label() takes exactly 1 positional argument (0 given)")):
        _core.fy_label(start_year=2021)


def test_optional_arguments_default_to_none():
    values = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    assert _core.holt_fit(values, alpha=0.5, beta=0.5) == _core.holt_fit(
        values, 0.5, 0.5, None, None, None)
    full = _core.audit_sum(["1", "2"], None, "3", 0, False, ["a", "b"], None,
                           None)
    assert _core.audit_sum(["1", "2"], None, "3", 0, False,
                           ["a", "b"]) == full


def test_names_the_python_package_passes():
    assert [p.name for p in parameters("parse_plan_balance")] == [
        "text", "source", "actual_expenditure"]
    assert [p.name for p in parameters("schedule_equal")] == [
        "share", "instalments", "granularity", "rounding"]
    assert str(inspect.signature(_core.plugin_list)) == "()"


# ---- values are converted as PyArg_ParseTuple converted them ---------------

def test_bad_values_keep_their_messages():
    with pytest.raises(TypeError, match=re.escape(
            "a bytes-like object is required, not 'int'")):
        _core.parse_money(1, "£")
    with pytest.raises(TypeError, match=re.escape(
            "parse_money() argument 1 must be read-only bytes-like object, "
            "not bytearray")):
        _core.parse_money(bytearray(b"1"), "£")
    with pytest.raises(TypeError, match=re.escape(
            "format_money() argument 2 must be str, not int")):
        _core.format_money(1, 2, 2, "minus", True, True)
    with pytest.raises(ValueError, match="embedded null character"):
        _core.format_money(1, "£\0", 2, "minus", True, True)
    # An integer out of its C type's range names the argument and the
    # range (issue 17), where PyArg_ParseTuple said only "signed integer is
    # greater than maximum".
    with pytest.raises(InputError, match=re.escape(
            "format_money() argument 'decimals' must be an integer from "
            "-2147483648 to 2147483647, not 2147483648")):
        _core.format_money(1, "£", 2**31, "minus", True, True)
    with pytest.raises(TypeError, match=re.escape(
            "bands_from_tolerance() argument 2 must be 2-item sequence, not "
            "int")):
        _core.bands_from_tolerance("higher_is_better", 1, (1, 2), "absolute")
    with pytest.raises(TypeError, match=re.escape(
            "bands_from_tolerance() argument 3 must be sequence of length 2, "
            "not 3")):
        _core.bands_from_tolerance("higher_is_better", (1, 2), (1, 2, 3),
                                   "absolute")
    with pytest.raises(TypeError, match=re.escape(
            "area_call() argument 3 must be list, not tuple")):
        _core.area_call("x", "y", ())
    with pytest.raises(TypeError, match="os.PathLike"):
        _core.load_plan(1)
    # A value the binder bound by name is converted the same way.
    with pytest.raises(TypeError, match=re.escape(
            "format_money() argument 2 must be str, not int")):
        _core.format_money(1, unit=2, decimals=2, negative="minus",
                           symbol=True, grouping=True)


def test_bytes_text_is_read_as_before():
    assert _core.parse_money(b"1,070", "£") == (107000, 100)
    assert _core.parse_decimal(b"2.5") == (5, 2)
    # As PyArg_ParseTuple's s#: no buffer that must be released.
    with pytest.raises(TypeError, match=re.escape(
            "parse_decimal() argument 1 must be read-only bytes-like object, "
            "not memoryview")):
        _core.parse_decimal(memoryview(b"2.5"))


# ---- one source for the parameters -----------------------------------------

@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_docstring_opens_with_the_signature_the_binder_reads(name):
    # GLUE_FUNCTION composes "name($module, params)\n--\n\n" and the
    # binder reads the same text: nothing else names the parameters.
    f = getattr(_core, name)
    shown = str(inspect.signature(f))
    assert f.__text_signature__ == "($module, " + shown[1:], name
    assert f.__doc__ and not f.__doc__.startswith(name), name


def test_first_calls_from_many_threads_bind_alike():
    # A fresh interpreter, so that these are the functions' first calls:
    # threads let loose at once each call every function by a bogus
    # keyword; the binder's spec, read by the first and kept, refuses it
    # in the same words for every thread and for a later call.
    script = textwrap.dedent("""
        import threading
        from apportion import _core
        names = sorted(n for n in dir(_core) if not n.startswith("_")
                       and callable(getattr(_core, n))
                       and not isinstance(getattr(_core, n), type))
        def messages():
            out = []
            for n in names:
                try:
                    getattr(_core, n)(bogus_keyword=1)
                except TypeError as e:
                    out.append(str(e))
            return out
        start = threading.Barrier(8)
        seen = []
        def run():
            start.wait()
            seen.append(messages())
        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        later = messages()
        assert len(later) == len(names) == 85, (len(later), len(names))
        assert len(seen) == 8 and all(s == later for s in seen)
        print("ok")
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

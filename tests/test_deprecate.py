"""The grace given to old names and old call forms (apportion._deprecate)."""

import warnings

import pytest

from apportion._deprecate import keyword_only_after, renamed


def test_a_renamed_function_warns_and_answers_as_the_new_one():
    def new(a, b=2):
        return a + b

    old = renamed(new, "old")
    with pytest.warns(DeprecationWarning, match="old is deprecated .* use new instead"):
        assert old(1, b=5) == 6
    assert old.__name__ == "old"
    assert old.__deprecated__ == "use new"


def test_a_renamed_method_stays_a_method():
    class Thing:
        def to_frame(self):
            return ("frame", self)

        frame = renamed(to_frame, "Thing.frame")

    t = Thing()
    with pytest.warns(DeprecationWarning, match="Thing.frame is deprecated"):
        assert t.frame() == ("frame", t)


def test_options_by_position_still_work_with_a_warning():
    @keyword_only_after(2)
    def fmt(pence, unit="£", *, decimals=None, negative="minus"):
        return (pence, unit, decimals, negative)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fmt(5, "£", decimals=2) == (5, "£", 2, "minus")
    with pytest.warns(DeprecationWarning, match="passing decimals, negative to .*fmt"):
        assert fmt(5, "£", 2, "brackets") == (5, "£", 2, "brackets")
    with pytest.raises(TypeError, match="multiple values for argument 'decimals'"):
        fmt(5, "£", 2, decimals=3)
    with pytest.raises(TypeError, match="at most 4 arguments"):
        fmt(5, "£", 2, "x", "y")


def test_the_decorator_checks_its_own_count():
    with pytest.raises(TypeError, match="takes 1 positional arguments, not 2"):
        @keyword_only_after(2)
        def f(a, *, b=1):
            return a

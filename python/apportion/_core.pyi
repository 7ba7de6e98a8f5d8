"""Types of apportion._core, the C extension (python/glue/*.c).

Every function's parameters are named as the package passes them; arrays
are read (and outputs written) in place through the buffer protocol.
Functions whose name ends in ``_into`` or that take ``out`` fill it and
return None.  The dicts that describe papers (plans, outturns, MTFPs...)
are wide and nested; they are typed as ``dict[str, Any]`` and read by the
paper classes' ``_from_core``.
"""

import os
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypedDict

import numpy as np
import numpy.typing as npt

_Path = str | bytes | os.PathLike[str] | os.PathLike[bytes]
# A numpy array (or anything with the buffer protocol) of the dtype the
# function names in its messages: int64, float64, uint8 or bool, int8...
_Buffer = npt.NDArray[Any]
_Int64s = npt.NDArray[np.int64]
_Float64s = npt.NDArray[np.float64]
_Uint8s = npt.NDArray[np.uint8]
# A band as the core holds it: (rag, lower kind, lower numerator, lower
# denominator, upper kind, upper numerator, upper denominator).
_CoreBand = tuple[str, int, int, int, int, int, int]
_Ratio = tuple[int, int]
# (path, type, value): a field passed to a plugin.
_Field = tuple[str, str, Any]

C_VERSION: str

# ---- money (money.c) ---------------------------------------------------

def parse_money(text: str, unit: str) -> tuple[int, int]: ...
def format_money(pence: int, unit: str, decimals: int, negative: str,
                 symbol: bool, grouping: bool) -> str: ...
def parse_decimal(text: str) -> tuple[int, int]: ...

# ---- apportionment (apportion.c, schedule.c) ---------------------------

def weights_common(numerators: Sequence[int],
                   denominators: Sequence[int]) -> list[int]: ...
def apportion(total: int, weights: Sequence[int], mode: str) -> list[int]: ...
def apportion_into(totals: _Int64s, weights: Sequence[int], mode: str,
                   out: _Int64s, threads: int | None = None,
                   fresh: bool | None = None) -> None: ...
def apportion_lines_into(lines: _Int64s, weights: Sequence[int], mode: str,
                         out: _Int64s) -> None: ...
def schedule_equal(share: int, instalments: int, granularity: int,
                   rounding: str) -> list[int]: ...
def schedule_balancing(billed: Sequence[int], actual_share: int) -> int: ...

# ---- papers (plan.c, audit.c, outturn.c, budget.c) ---------------------

def load_plan(path: _Path, max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_plan(text: str, source: str) -> dict[str, Any]: ...
def audit_sum(items: Sequence[str], signs: Sequence[int] | None, stated: str,
              decimals: int, stated_exact: bool, labels: Sequence[str] | None,
              stated_label: str | None = None,
              suffix: str | None = None) -> dict[str, Any]: ...
def audit_figure(stated: str, numerator: int, denominator: int,
                 rate: bool) -> dict[str, Any]: ...
# A table's checks kept in the core (a capsule): counts, the checks not ok,
# and a dict for any check only when asked.
class _AuditChecks:
    """A capsule owning a table's checks."""
def audit_checks_text(text: str, source: str) -> _AuditChecks: ...
def audit_checks_file(path: _Path, max_bytes: int | None = None) -> _AuditChecks: ...
def audit_checks_rows(text: str, rows: list[Any], source: str) -> _AuditChecks | None: ...
def audit_checks_head(
        checks: _AuditChecks, /) -> tuple[str, str, str, int, int, int, int]: ...
def audit_checks_item(checks: _AuditChecks, index: int, /) -> dict[str, Any]: ...
def audit_checks_not_ok(checks: _AuditChecks, /) -> list[int]: ...
# A file the core does not parse (a CSV), read under the size limit and,
# with check_utf8, checked as UTF-8.
def read_file(path: _Path, what: str, max_bytes: int | None,
              check_utf8: bool) -> bytes: ...
def load_outturn(path: _Path, max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_outturn(text: str, source: str) -> dict[str, Any]: ...
# actual_expenditure: int pence; anything else is refused with the core's
# message, which apportion.outturn relies on for what it cannot read.
def load_plan_balance(path: _Path, actual_expenditure: object,
                      max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_plan_balance(text: str, source: str,
                       actual_expenditure: object) -> dict[str, Any]: ...
def load_contract_sum(path: _Path, max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_contract_sum(text: str, source: str) -> dict[str, Any]: ...
def load_disaggregation(path: _Path, max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_disaggregation(text: str, source: str) -> dict[str, Any]: ...
def load_mtfp(path: _Path, max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_mtfp(text: str, source: str) -> dict[str, Any]: ...
def load_savings(path: _Path, max_bytes: int | None = None) -> dict[str, Any]: ...
def parse_savings(text: str, source: str) -> dict[str, Any]: ...

# ---- calendars (calendar.c) --------------------------------------------

class _Calendar:
    """The C calendar: an opaque capsule ``calendar_new`` returns."""

def calendar_new(division: str, weekmask: int, closures: _Int64s) -> _Calendar: ...
def calendar_span(calendar: _Calendar, /) -> tuple[int, int]: ...
def bank_holidays(division: str, year: int) -> list[tuple[int, str, bool]]: ...
def is_working_day(calendar: _Calendar, dates: _Int64s, out: _Buffer) -> None: ...
def working_days(calendar: _Calendar, begin: _Int64s, end: _Int64s,
                 out: _Int64s) -> None: ...
def add_working_days(calendar: _Calendar, dates: _Int64s, offsets: _Int64s,
                     roll: str, out: _Int64s, errors: str | None = None) -> None: ...
def elapsed_working_days(calendar: _Calendar, start: _Int64s, end: _Int64s,
                         convention: str, missing: int, out: _Int64s) -> None: ...
def fy_working_days(calendar: _Calendar, start_year: int) -> int: ...
def date_parts(dates: _Int64s, part: str, missing: int, out: _Int64s) -> None: ...
def fy_label(start_year: int, /) -> str: ...
def parse_fy(text: str) -> int: ...
def parse_date(text: str) -> int: ...

# ---- KPIs (kpi.c) ------------------------------------------------------

class _KpiDefinition(TypedDict):
    """A KPI as the definition files' reader (and a plugin) gives it."""

    ref: str
    description: str | None
    unit: str
    frequency: str | None
    reported_to: str | None
    kind: Literal["status", "measure"]
    polarity: Literal["higher", "lower"]
    target: _Ratio | None
    tolerance: _Ratio | None
    tolerance_kind: Literal["points", "percent"]
    bands: tuple[list[_CoreBand], str] | None
    bands_text: str | None
    states: list[tuple[str, str]]
    escalation: _Ratio | None
    measure: str | None

def bands_make(bands: Sequence[_CoreBand], /) -> tuple[list[_CoreBand], str]: ...
def bands_parse_text(text: str, polarity: str) -> tuple[list[_CoreBand], str]: ...
def bands_from_tolerance(polarity: str, target: _Ratio, tolerance: _Ratio,
                         kind: str) -> tuple[list[_CoreBand], str]: ...
def bands_score(bands: Sequence[_CoreBand], num: int, den: int) -> str: ...
def bands_score_rates(bands: Sequence[_CoreBand], num: _Int64s, den: _Int64s,
                      scale: int, no_data: int, out: _Uint8s) -> None: ...
def direction(polarity: str, current: _Ratio, previous: _Ratio) -> str: ...
def escalation(rags: _Uint8s, no_data: int, failure_after: int,
               rectification_after: int, out: _Uint8s) -> None: ...
def escalation_names() -> list[str]: ...
def load_kpis(path: _Path, max_bytes: int | None = None) -> list[_KpiDefinition]: ...
def parse_kpis(text: str, source: str) -> list[_KpiDefinition]: ...

# ---- measures (measures.c) ---------------------------------------------

def sla_measure(calendar: _Calendar, start: _Int64s, end: _Int64s,
                keys: _Int64s | None, limit: int, convention: str,
                as_of: int, threads: int | None = None) -> bytes: ...
def rereferrals(subjects: _Int64s, dates: _Int64s, keys: _Int64s | None,
                window_months: int, flags: _Buffer | None) -> bytes: ...

# ---- ledgers (ledger.c) ------------------------------------------------

def ledger_sum(centre: _Buffer, period: _Buffer, amount: _Int64s, n_centres: int,
               n_periods: int, threads: int, out: _Int64s) -> None: ...
def ledger_periods(days: _Int64s, year_start: int, kind: int,
                   out: npt.NDArray[np.int8]) -> None: ...
def ledger_apportion(totals: _Int64s, n_centres: int, n_periods: int,
                     weights: _Int64s, mode: str, out: _Int64s) -> None: ...
def parse_money_array(texts: _Buffer, unit: str,
                      out: _Int64s) -> tuple[int, str] | None: ...

# ---- forecasts (forecast.c) ---------------------------------------------

class _TrendFitDict(TypedDict):
    nobs: int
    intercept: float
    slope: float
    intercept_se: float
    slope_se: float
    sigma2: float
    ssr: float
    r_squared: float
    time_mean: float
    sxx: float

class _HoltFitDict(TypedDict):
    alpha: float
    beta: float
    initial_level: float
    initial_trend: float
    nobs: int
    sse: float
    sigma2: float
    level: float
    trend: float
    trailing: int

def t_cdf(t: float, df: float) -> float: ...
def t_quantile(p: float, df: float) -> float: ...
def trend_fit(times: _Float64s, values: _Float64s) -> _TrendFitDict: ...
def trend_predict(fit: _TrendFitDict | dict[str, float], at: _Float64s,
                  level: float, out: _Float64s) -> None: ...
def trend_batch(values: _Float64s, times: _Float64s, predict_at: _Float64s,
                level: float, threads: int, mean: _Float64s | None = None,
                mean_ci_lower: _Float64s | None = None,
                mean_ci_upper: _Float64s | None = None,
                obs_ci_lower: _Float64s | None = None,
                obs_ci_upper: _Float64s | None = None,
                intercept: _Float64s | None = None, slope: _Float64s | None = None,
                sigma2: _Float64s | None = None, nobs: _Int64s | None = None) -> None: ...
def holt_fit(values: _Float64s, alpha: float | None = None, beta: float | None = None,
             initial_level: float | None = None, initial_trend: float | None = None,
             fitted: _Float64s | None = None) -> _HoltFitDict: ...
def holt_forecast(fit: _HoltFitDict | dict[str, float], horizon: int, level: float,
                  mean: _Float64s, lower: _Float64s | None = None,
                  upper: _Float64s | None = None) -> None: ...
def holt_batch(values: _Float64s, alpha: float | None, beta: float | None,
               initial_level: float | None, initial_trend: float | None,
               horizon: int, level: float, threads: int, mean: _Float64s | None = None,
               lower: _Float64s | None = None, upper: _Float64s | None = None,
               alpha_out: _Float64s | None = None, beta_out: _Float64s | None = None,
               initial_level_out: _Float64s | None = None,
               initial_trend_out: _Float64s | None = None, sse: _Float64s | None = None,
               nobs: _Int64s | None = None) -> None: ...

# ---- cost scenarios (scenario.c) ---------------------------------------

def philox4x32(counter: Sequence[int], key: Sequence[int]) -> tuple[int, int, int, int]: ...
def scenario_uniform(seed: int, scenario: int, variable: int, year: int,
                     which: int) -> float: ...
def scenario_normal(seed: int, scenario: int, variable: int, year: int) -> float: ...
def cost_project(demand: _Float64s, demand_sd: _Float64s | None, correlation: float,
                 unit_cost_pence: int, inflation: _Float64s,
                 inflation_sd: _Float64s | None, weights: _Int64s,
                 totals: _Int64s | None, shares: _Int64s | None) -> None: ...
def cost_simulate(demand: _Float64s, demand_sd: _Float64s | None, correlation: float,
                  unit_cost_pence: int, inflation: _Float64s,
                  inflation_sd: _Float64s | None, weights: _Int64s, seed: int,
                  first: int, count: int, threads: int, totals: _Int64s | None,
                  shares: _Int64s | None) -> None: ...
def percentiles_i64(values: _Int64s, q: _Float64s, out: _Int64s) -> None: ...

# ---- plugins (plugin.c) ------------------------------------------------

class _PluginDict(TypedDict):
    name: str
    version: str
    service_area: str
    description: str
    licence: str
    url: str | None
    path: str
    abi: tuple[int, int]
    warnings: list[str]

class _ItemDict(TypedDict):
    """A rule, check, section or measure of a service area."""

    name: str
    description: str
    detail: str
    scale: int
    flags: int

class _CalculatorDict(TypedDict):
    name: str
    description: str
    signature: str
    result: str
    args: tuple[str, ...]

class _AreaInfo(TypedDict):
    code: str
    plugin: _PluginDict
    kpis: list[_KpiDefinition]
    # By kind ("measure", "rule", "check", "section", "calculator"): an
    # _ItemDict each, a _CalculatorDict for the calculators.
    items: dict[str, list[dict[str, Any]]]

def plugin_load(path: _Path, /, probe: bool | None = None) -> tuple[_PluginDict, bool]: ...
def plugin_list() -> list[_PluginDict]: ...
def plugin_abi() -> tuple[int, int]: ...
def area_info(code: str) -> _AreaInfo | None: ...
def area_call(code: str, name: str, values: list[Any]) -> tuple[str, Any]: ...
def area_measure(code: str, name: str, names: tuple[str, ...],
                 columns: list[_Int64s], keys: _Int64s | None,
                 calendar: _Calendar, as_of: int, fields: list[_Field],
                 calendar_obj: object) -> tuple[bytes, int]: ...
def area_recharge(code: str, rule: str, budget_share: int, actual_share: int | None,
                  instalments: int, billed: Sequence[int],
                  fields: list[_Field]) -> list[int]: ...
def area_check(code: str, name: str,
               fields: list[_Field]) -> list[tuple[str, str, str]]: ...
def area_section(code: str, name: str, fields: list[_Field]) -> str: ...
def add_measure(code: str, name: str, description: str, columns: str, scale: int,
                func: Callable[..., Any],
                adapter: Callable[..., None]) -> None: ...
def add_rule(code: str, name: str, description: str, func: Callable[..., Any],
             adapter: Callable[..., None]) -> None: ...

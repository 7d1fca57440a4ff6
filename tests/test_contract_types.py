"""Contract type files: every kind of mistake is refused with a message that names the file,
the entry and the fault; never a traceback, never half a type loaded; and ``check-type``.

The broken files are real files in ``tests/data/types/broken/``, each a copy of
``tests/data/types/good/home-visits.toml`` with one mistake, so that a reader
can open them and see exactly what is refused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import settings
from models.__main__ import main
from models.contract_types import (
    ContractTypeError,
    check_type_file,
    get_type,
    load_type,
    load_types,
)

TYPES = Path(__file__).parent / "data" / "types"
GOOD = TYPES / "good" / "home-visits.toml"
BROKEN = TYPES / "broken"

#: Each broken file and what its message must say: the entry, then the fault, in the user's words.
MISTAKES = {
    "invalid-toml": ["is not valid TOML", "line 4"],
    "missing-field": ["measure HV02", "label is required but missing"],
    "unknown-setting": ["measure HV01", "'agregation' is not a known setting", "did you mean 'aggregation'"],
    "duplicate-code": ["measure HV01", "appears twice"],
    "check-unknown-measure": ["check ARITH-HV-ONTIME", "HV04 is not one of the measures"],
    "bad-term": ["check ARITH-HV-ONTIME", "'HV01 + HV03' is not a term", "CODE * days"],
    "unknown-denominator": ["indicator HV-ONTIME", "denominator", "HV09 is not one of the measures"],
    "page-unknown-indicator": ["page Visits, block 1 (trend)", "HV-LATE is not one of the indicators"],
    "collapsed-not-header": ["page Visits, block 1 (trend)", "collapsed is for a header"],
    "sheet-not-listed": ["measure HV03", "sheet 'Missed visits' is not in sheets"],
    "version-not-declared": ["measure HV03", "from_version 3 is not one of the versions [1, 2]"],
    "target-without-tolerance": ["indicator HV-ONTIME", "has a target but no tolerance"],
    "name-not-file-name": ["name 'home-visit' must be the file's name", "'name-not-file-name'"],
}


def test_every_broken_file_is_listed_here():
    assert sorted(p.stem for p in BROKEN.glob("*.toml")) == sorted(MISTAKES)


def test_the_good_file_loads():
    catalogue = check_type_file(GOOD)
    assert catalogue.name == "home-visits"
    assert [m.code for m in catalogue.measures_in(1)] == ["HV01", "HV02", "HF01"]
    assert [m.code for m in catalogue.measures_in(2)] == ["HV01", "HV02", "HV03", "HF01"]
    assert catalogue.indicators_by_code["HV-ONTIME"].target == pytest.approx(0.95)


def test_the_shipped_types_load():
    types = load_types(settings.ROOT / "contract_types")
    assert {"domestic-abuse", "substance-misuse"} <= set(types)
    for name, catalogue in types.items():
        assert check_type_file(catalogue.path).name == name


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_mistake_is_refused_naming_the_file_the_entry_and_the_fault(name):
    path = BROKEN / f"{name}.toml"
    with pytest.raises(ContractTypeError) as refused:
        check_type_file(path)
    message = str(refused.value)
    assert message.startswith(f"{name}.toml: ")
    for words in MISTAKES[name]:
        assert words in message, f"{words!r} not in {message!r}"
    assert "Traceback" not in message and "pydantic" not in message.lower()
    assert all(problem.startswith(f"{name}.toml: ") for problem in refused.value.problems)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_folder_holding_a_broken_file_loads_no_type_at_all(name, tmp_path):
    # The good type beside the broken one is not served either: a folder loads whole or not at all.
    shutil.copy(GOOD, tmp_path / GOOD.name)
    shutil.copy(BROKEN / f"{name}.toml", tmp_path / f"{name}.toml")
    with pytest.raises(ContractTypeError, match=f"^{name}.toml: "):
        load_types(tmp_path)
    with pytest.raises(ContractTypeError):
        get_type("home-visits", tmp_path)


def test_a_folder_is_served_again_once_the_file_is_corrected(tmp_path):
    broken = tmp_path / "home-visits.toml"
    broken.write_text((BROKEN / "sheet-not-listed.toml").read_text().replace(
        'name = "sheet-not-listed"', 'name = "home-visits"'), encoding="utf-8")
    with pytest.raises(ContractTypeError, match="Missed visits"):
        get_type("home-visits", tmp_path)
    shutil.copy(GOOD, broken)
    assert get_type("home-visits", tmp_path).name == "home-visits"


def test_a_type_file_added_edited_or_removed_is_noticed_at_once(tmp_path):
    # Every upload asks for its type: the folder is looked at on every call, never from a cache.
    with pytest.raises(ContractTypeError, match="no contract type 'home-visits'"):
        get_type("home-visits", tmp_path / "missing")
    shutil.copy(GOOD, tmp_path / GOOD.name)
    first = get_type("home-visits", tmp_path)
    assert get_type("home-visits", tmp_path) is first
    path = tmp_path / GOOD.name
    path.write_text(GOOD.read_text().replace('title = ', 'title = "Edited" #', 1), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert get_type("home-visits", tmp_path).title == "Edited"
    path.unlink()
    with pytest.raises(ContractTypeError, match="no contract type 'home-visits'"):
        get_type("home-visits", tmp_path)


def test_a_type_file_that_cannot_be_read_is_named_not_taken_for_no_types(tmp_path):
    shutil.copy(GOOD, tmp_path / GOOD.name)
    (tmp_path / "old.toml").symlink_to(tmp_path / "gone.toml")     # a link to a file removed
    with pytest.raises(ContractTypeError, match="old.toml: cannot be read"):
        load_types(tmp_path)


def test_a_broken_file_names_what_the_schema_cannot_see_as_well(tmp_path):
    # Several faults at once are all listed, each with its entry.
    text = GOOD.read_text().replace('sheet = "Finance"', 'sheet = "Money"').replace(
        'whole = ["HV01"]', 'whole = ["HV01 * nights"]')
    path = tmp_path / "home-visits.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractTypeError) as refused:
        load_type(path)
    assert len(refused.value.problems) == 2
    assert "measure HF01: sheet 'Money'" in str(refused.value)
    assert "'HV01 * nights' is not a term" in str(refused.value)


def test_a_value_of_the_wrong_kind_is_named_with_what_is_allowed(tmp_path):
    path = tmp_path / "home-visits.toml"
    path.write_text(GOOD.read_text().replace('type = "money"', 'type = "pounds"'), encoding="utf-8")
    with pytest.raises(ContractTypeError,
                       match=r'measure HF01 \(\[\[measures\]\] entry 4\): type is "pounds" but must be '
                             r'"count" or "money"'):
        load_type(path)


def test_a_file_that_is_missing_or_not_text_is_refused_in_words(tmp_path):
    with pytest.raises(ContractTypeError, match="there is no such file"):
        load_type(tmp_path / "nothing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(ContractTypeError, match="not a text file in UTF-8"):
        load_type(binary)


# --- python -m models check-type ----------------------------------------------------


def test_check_type_says_ok_with_what_the_file_holds(capsys):
    assert main(["check-type", str(GOOD)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{GOOD}: ok (4 measures, 1 check, 1 indicator, 1 page, versions 1, 2)"]


def test_check_type_of_the_types_folder(capsys):
    assert main(["check-type", str(settings.ROOT / "contract_types")]) == 0
    out = capsys.readouterr().out
    assert "domestic-abuse.toml: ok (58 measures, 16 checks, 21 indicators, 4 pages, versions 1, 2)" in out
    assert "substance-misuse.toml: ok (" in out


def test_check_type_refuses_a_broken_file_with_its_message_and_exit_1(capsys):
    broken = BROKEN / "unknown-setting.toml"
    assert main(["check-type", str(GOOD), str(broken)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{GOOD}: ok (4 measures, 1 check, 1 indicator, 1 page, versions 1, 2)",
        f"{broken}: refused",
        ("  measure HV01 ([[measures]] entry 1): 'agregation' is not a known setting; "
         "did you mean 'aggregation'?"),
    ]


def test_check_type_on_every_broken_file_prints_no_traceback():
    done = subprocess.run([sys.executable, "-m", "models", "check-type", str(BROKEN)], cwd=settings.ROOT,
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == ""
    refused = [line for line in done.stdout.splitlines() if line.endswith(": refused")]
    assert len(refused) == len(MISTAKES)


def test_check_type_usage_errors_exit_2():
    for argv in ([], ["check-type"], ["check-typo", str(GOOD)]):
        done = subprocess.run([sys.executable, "-m", "models", *argv], cwd=settings.ROOT,
                              check=False, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, argv
        assert "usage:" in done.stderr


def _variants(text: str):
    """The good file with each line left out, and with each value replaced by a value of the wrong kind."""
    lines = text.splitlines()
    for index in range(len(lines)):
        yield "\n".join(lines[:index] + lines[index + 1:])
        if " = " in lines[index]:
            key = lines[index].split(" = ", 1)[0]
            for wrong in ('"x"', "7", "[]", "true", '{ a = 1 }'):
                yield "\n".join(lines[:index] + [f"{key} = {wrong}"] + lines[index + 1:])


def test_no_mistake_gives_anything_but_a_message(tmp_path):
    # Every line left out, every value of the wrong kind: loaded, or refused in words; nothing else.
    path = tmp_path / "home-visits.toml"
    refused = 0
    for text in _variants(GOOD.read_text(encoding="utf-8")):
        path.write_text(text, encoding="utf-8")
        try:
            load_type(path)
        except ContractTypeError as problem:
            refused += 1
            assert str(problem).startswith("home-visits.toml: ")
            assert "Traceback" not in str(problem)
    assert refused > 100


def test_the_guide_explains_every_rule_block_kind_and_setting():
    # docs/contract-types.md is how a type is written without reading code: it must not fall behind.
    from typing import get_args

    from models.contract_types import _Block, _Check, _Indicator, _Measure

    guide = (settings.ROOT / "docs" / "contract-types.md").read_text(encoding="utf-8")
    words = set(get_args(_Check.model_fields["rule"].annotation))
    words |= set(get_args(_Block.model_fields["kind"].annotation))
    for model in (_Measure, _Check, _Indicator, _Block):
        words |= set(model.model_fields)
    missing = sorted(word for word in words if f"`{word}`" not in guide)
    assert missing == [], f"docs/contract-types.md does not explain {missing}"

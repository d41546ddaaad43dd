"""Loading contracts from files and from git (`REF:path`), including `--all` pairing, in a real temporary repo."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.diff import ContractSourceError, ContractStructureError, GitRefError, load_revision
from conformance.diff.loader import contracts_at_ref

CONTRACT = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {}\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity and no signing, whatever the user's configuration."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run([*command, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with specs/shop.yaml, specs/gone.yaml and specs/inventory.yaml committed on `main`."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_text(CONTRACT)
    (tmp_path / "specs" / "gone.yaml").write_text(CONTRACT)
    (tmp_path / "specs" / "inventory.yaml").write_text("shop: [GET /a]\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "contracts")
    return tmp_path


def test_a_file_loads_with_its_stem_as_label(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT)
    contract = load_revision(str(path))
    assert contract.label == "shop"
    assert contract.document["paths"]["/a"]["get"] == {"responses": {}}


def test_bad_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: 3.0.3\npaths:\n  /a: [unclosed\n")
    with pytest.raises(ContractSourceError, match=r"cannot parse .*broken\.yaml: .* at line \d+"):
        load_revision(str(path))


def test_a_document_that_is_not_openapi_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("shop: [GET /a]\n")
    with pytest.raises(ContractStructureError, match="not an OpenAPI document"):
        load_revision(str(path))


def test_openapi_31_loads_and_other_versions_are_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(CONTRACT.replace("3.0.3", "3.1.0"))
    assert load_revision(str(path)).document["openapi"] == "3.1.0"
    for version in ("2.0", "3.2.0"):
        path.write_text(CONTRACT.replace("3.0.3", version))
        with pytest.raises(
            ContractStructureError, match=f"is OpenAPI {version}; the drift gate reads OpenAPI 3.0 and 3.1"
        ):
            load_revision(str(path))


def test_a_missing_file_that_is_not_a_ref_says_so() -> None:
    with pytest.raises(ContractSourceError, match=r"does not exist .*REF:path"):
        load_revision("no/such/file.yaml")


def test_ref_path_reads_the_committed_version(repo: Path) -> None:
    (repo / "specs" / "shop.yaml").write_text(CONTRACT.replace("/a", "/b"))
    committed = load_revision("main:specs/shop.yaml", repo)
    assert list(committed.document["paths"]) == ["/a"]
    assert committed.label == "shop"
    assert committed.source == "main:specs/shop.yaml"


def test_ref_path_accepts_relative_refs_and_commit_ids(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    first = git(repo, "rev-parse", "HEAD~1").strip()
    assert load_revision(f"{first}:specs/shop.yaml", repo).document["openapi"] == "3.0.3"
    assert load_revision("HEAD~1:specs/shop.yaml", repo).label == "shop"


def test_an_unknown_ref_names_the_ref(repo: Path) -> None:
    with pytest.raises(GitRefError, match=r"cannot read origin/nope:specs/shop\.yaml: unknown git ref 'origin/nope'"):
        load_revision("origin/nope:specs/shop.yaml", repo)


def test_a_path_absent_at_the_ref_names_ref_and_path(repo: Path) -> None:
    with pytest.raises(GitRefError, match=r"'specs/other\.yaml' does not exist at git ref 'main'"):
        load_revision("main:specs/other.yaml", repo)


def test_outside_a_repository_the_error_says_so(tmp_path: Path) -> None:
    with pytest.raises(ContractSourceError, match="not inside a git repository"):
        load_revision("main:specs/shop.yaml", tmp_path)


def test_all_pairs_contracts_by_name_and_skips_non_openapi_files(repo: Path) -> None:
    (repo / "specs" / "gone.yaml").unlink()
    (repo / "specs" / "fresh.yaml").write_text(CONTRACT)
    pairs = {pair.label: pair for pair in contracts_at_ref("main", Path("specs"), repo)}
    assert sorted(pairs) == ["fresh", "gone", "shop"]
    assert pairs["gone"].old is not None and pairs["gone"].new is None
    assert pairs["fresh"].old is None and pairs["fresh"].new is not None
    assert pairs["shop"].old is not None and pairs["shop"].old.source == "main:specs/shop.yaml"


def test_all_with_a_specs_directory_outside_the_repo_fails(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with pytest.raises(ContractSourceError, match="not inside the git repository"):
        contracts_at_ref("main", elsewhere, repo)

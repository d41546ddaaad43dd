"""Read a contract from a file or from git (`REF:path`, through `git show`), and list contracts for `--all`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from conformance.diff.errors import ContractSourceError, ContractStructureError, GitRefError
from contracts import ContractUnreadable, parse_text

__all__ = [
    "CONTRACT_SUFFIXES",
    "ContractPair",
    "ContractRevision",
    "GitRepository",
    "contracts_at_ref",
    "is_openapi",
    "load_revision",
    "parse_contract",
    "parse_document",
]

CONTRACT_SUFFIXES = (".yaml", ".yml", ".json")
READABLE_VERSIONS = ("3.0", "3.1")


@dataclass(frozen=True)
class ContractRevision:
    """A parsed OpenAPI document with a short label (the file stem) and where it came from."""

    label: str
    source: str
    document: Mapping[str, Any]


def parse_document(text: str, source: str) -> Any:
    """Parse YAML (or JSON) text through the contracts layer, failing with the source, the problem and the line."""
    try:
        return parse_text(text, source)
    except ContractUnreadable as error:
        raise ContractSourceError(str(error)) from error


def is_openapi(document: Any) -> bool:
    """Whether a parsed document is an OpenAPI description (and not, say, `inventory.yaml`)."""
    return isinstance(document, dict) and "openapi" in document


def parse_contract(text: str, source: str, label: str) -> ContractRevision:
    """Parse text into a `ContractRevision`, failing on bad YAML or on a document that is not OpenAPI 3.0 or 3.1."""
    document = parse_document(text, source)
    if not is_openapi(document):
        raise ContractStructureError(f"{source} is not an OpenAPI document (no top-level 'openapi' key)")
    version = str(document["openapi"])
    if not version.startswith(READABLE_VERSIONS):
        raise ContractStructureError(
            f"{source} is OpenAPI {version}; the drift gate reads OpenAPI 3.0 and 3.1 contracts"
        )
    return ContractRevision(label=label, source=source, document=document)


def load_revision(spec: str, repo: Path | None = None) -> ContractRevision:
    """Load `spec`: an existing file path, or `REF:path` read from git in `repo` (path from the repo root)."""
    path = Path(spec)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ContractSourceError(f"cannot read contract file {spec}: {error}") from error
        return parse_contract(text, spec, path.stem)
    ref, separator, git_path = spec.partition(":")
    if not separator or not ref or not git_path:
        raise ContractSourceError(f"contract file {spec!r} does not exist (and it is not of the form REF:path)")
    text = GitRepository(repo or Path.cwd()).show(ref, git_path)
    return parse_contract(text, spec, PurePosixPath(git_path).stem)


class GitRepository:
    """The few git reads the gate needs, each failing with a message naming the ref and path."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _git(self, *args: str) -> subprocess.CompletedProcess[str]:
        executable = shutil.which("git")
        if executable is None:
            raise ContractSourceError("the git executable was not found on PATH (needed to read REF:path)")
        return subprocess.run(
            [executable, "-C", str(self.directory), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    def toplevel(self) -> Path:
        """The repository's root directory."""
        result = self._git("rev-parse", "--show-toplevel")
        if result.returncode != 0:
            raise ContractSourceError(f"{self.directory} is not inside a git repository: {_first_line(result.stderr)}")
        return Path(result.stdout.strip())

    def verify_ref(self, ref: str, reading: str) -> None:
        """Fail with `GitRefError`, naming what was being read, unless `ref` names a commit."""
        self.toplevel()
        result = self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if result.returncode != 0:
            raise GitRefError(
                f"cannot read {reading}: unknown git ref {ref!r} in {self.directory} "
                "(run `git fetch`, or check the spelling)"
            )

    def show(self, ref: str, path: str) -> str:
        """The text of `path` (from the repository root) at `ref`."""
        self.verify_ref(ref, f"{ref}:{path}")
        result = self._git("show", f"{ref}:{path}")
        if result.returncode != 0:
            raise GitRefError(
                f"cannot read {ref}:{path}: {path!r} does not exist at git ref {ref!r} "
                f"(paths are relative to the repository root) - {_first_line(result.stderr)}"
            )
        return result.stdout

    def list_files(self, ref: str, directory: str) -> list[str]:
        """Paths (from the repository root) of the files directly under `directory` at `ref`."""
        self.verify_ref(ref, f"the contracts under {directory or '.'}/")
        prefix = directory.strip("/")
        result = self._git("ls-tree", "--name-only", f"{ref}:{prefix}" if prefix else ref)
        if result.returncode != 0:
            return []
        return [f"{prefix}/{name}" if prefix else name for name in result.stdout.splitlines() if name]


@dataclass(frozen=True)
class ContractPair:
    """The two versions of one contract; a side is None where the contract does not exist."""

    label: str
    old: ContractRevision | None
    new: ContractRevision | None


def contracts_at_ref(ref: str, specs_dir: Path, repo: Path) -> list[ContractPair]:
    """Pair every OpenAPI file directly under `specs_dir` (working tree) with its version at git `ref`."""
    git = GitRepository(repo)
    top = git.toplevel().resolve()
    git.verify_ref(ref, f"the contracts under {specs_dir}/")
    directory = (repo / specs_dir).resolve()
    try:
        relative = directory.relative_to(top).as_posix()
    except ValueError:
        raise ContractSourceError(f"the specs directory {directory} is not inside the git repository {top}") from None
    if relative == ".":
        relative = ""
    if not directory.is_dir():
        raise ContractSourceError(f"the specs directory {directory} does not exist")
    new: dict[str, ContractRevision] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix in CONTRACT_SUFFIXES and path.is_file():
            source = str(path)
            document = parse_document(path.read_text(encoding="utf-8"), source)
            if is_openapi(document):
                new[path.stem] = ContractRevision(path.stem, source, document)
    old: dict[str, ContractRevision] = {}
    for git_path in git.list_files(ref, relative):
        name = PurePosixPath(git_path)
        if name.suffix in CONTRACT_SUFFIXES:
            source = f"{ref}:{git_path}"
            document = parse_document(git.show(ref, git_path), source)
            if is_openapi(document):
                old[name.stem] = ContractRevision(name.stem, source, document)
    return [ContractPair(label, old.get(label), new.get(label)) for label in sorted(old.keys() | new.keys())]


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message from git"

"""File-system primitives: the atomic writer, and up-front checks of input files and output dirs.

The file system is hostile: an output path may be a file, read-only, full,
limited in file size or virtual (``/proc``); an input may be a directory, a
FIFO (opening one blocks forever) or unreadable. Each check here raises one
:class:`~sim.errors.CaravanError` whose message names the path and the cause,
before anything is written.
"""

from __future__ import annotations

import errno
import os
import re
import resource
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from sim.errors import ConfigError, DataError

VIRTUAL_ROOTS = ("/proc", "/sys", "/dev")
"""File systems that are not storage; a run directory under them is refused."""
MIN_FREE_BYTES = 1 << 20
"""Free space below which an output directory is refused up front (a run writes more)."""
MIN_FILE_SIZE_LIMIT = 1 << 16
"""A file-size limit (``ulimit -f``) below this is refused up front."""


def file_mode() -> int:
    """Permission bits of a new file under the current umask (as ``open`` gives ``.hydra/``)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` through a temporary file in its directory, then rename it into place.

    A reader never sees half a file; on any failure (including
    ``KeyboardInterrupt``) the temporary file is removed and nothing appears
    under ``path``. The file gets the permissions an ordinary ``open`` would
    give it (group-readable under the usual umask), not ``mkstemp``'s 0600.

    Args:
        path: Final file name.
        write: Called with the open binary temporary file.
    """
    atomic_write_all([(path, write)])


def atomic_write_all(writes: Sequence[tuple[Path, Callable[[BinaryIO], None]]]) -> None:
    """Write several files as :func:`atomic_write` does, all or none.

    Every file is written to its temporary name first, then all are synced to
    disk, then all are renamed into place: syncing them together lets one
    flush of the file system's journal serve several files, about half the
    wait of syncing each as it is written (a run writes five tables). If
    anything fails, the temporary files and any file already renamed are
    removed, so none of ``writes`` appears.

    Args:
        writes: (final file name, writer called with the open binary temporary file).
    """
    pending: list[tuple[Path, str, BinaryIO]] = []
    placed: list[Path] = []
    current: Path | str | None = None
    try:
        for path, write in writes:
            current = path
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            file = os.fdopen(handle, "wb")
            pending.append((path, tmp, file))
            current = tmp
            write(file)
            file.flush()
        for _, tmp, file in pending:
            current = tmp
            os.fsync(file.fileno())
            file.close()
        mode = file_mode()
        for path, tmp, _ in pending:
            current = tmp
            os.chmod(tmp, mode)
            os.replace(tmp, path)
            placed.append(path)
    except OSError as error:
        _discard(pending, placed)
        if error.filename and error.filename != current:
            raise
        number = error.errno or _errno_in(str(error))
        final = next((p for p, t, _ in pending if t == current), current)
        raise OSError(number, error.strerror or str(error), str(final)) from error
    except BaseException:
        _discard(pending, placed)
        raise


def _discard(pending: list[tuple[Path, str, BinaryIO]], placed: list[Path]) -> None:
    for _, tmp, file in pending:
        try:
            file.close()  # flushes what is buffered: fails again on a full disk or size limit
        except OSError:
            pass
        Path(tmp).unlink(missing_ok=True)
    for path in placed:
        path.unlink(missing_ok=True)


def _errno_in(text: str) -> int | None:
    """The errno a library's message names (pyarrow says "File too large", no errno)."""
    for number in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS):
        if os.strerror(number).lower() in text.lower():
            return number
    return None


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda file: file.write(payload))


def describe_os_error(error: OSError) -> str:
    """The cause of an OS error in words a user understands (no errno numbers)."""
    causes = {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EFBIG: "file too large (over the file-size limit, see ulimit -f)",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "read-only file system",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.EISDIR: "is a directory",
        errno.ENOENT: "no such file or directory",
    }
    return causes.get(error.errno or 0, error.strerror or str(error))


def check_readable_file(key: str, value: str) -> Path:
    """Check that ``value`` names a regular, readable, non-empty file; return its path.

    Nothing is opened before the file is known to be regular, so a FIFO or a
    device is refused instead of blocking.

    Raises:
        ConfigError: the value is empty.
        DataError: naming the path and the cause.
    """
    if not str(value).strip():
        raise ConfigError(key, "is empty; give the path of a file")
    path = Path(os.path.expanduser(str(value)))
    try:
        info = path.stat()
    except OSError as error:
        raise DataError(str(path), describe_os_error(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(str(path), "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise DataError(str(path), f"is {kind}, not a regular file")
    if info.st_size == 0:
        raise DataError(str(path), "is empty")
    try:
        with path.open("rb") as file:
            file.read(1)
    except OSError as error:
        raise DataError(str(path), f"cannot be read: {describe_os_error(error)}") from None
    return path


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


_RUN_ENTRY = re.compile(
    r"(metadata\.json|job\.json|launch\.json|multirun\.yaml|\.hydra|sweep|\d+"
    r"|[\w.-]+\.(parquet|log)|\..*\.tmp)"
)


def _foreign_entry(path: Path) -> str | None:
    """The first entry of an existing directory that no Caravan run or sweep writes."""
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if not _RUN_ENTRY.fullmatch(entry.name):
                    return entry.name
                if entry.name.endswith((".parquet", ".json", ".log")) and entry.is_dir():
                    return f"a directory {entry.name}"
    except OSError:  # missing, or not listable: the checks below report it
        return None
    return None


def check_output_dir(key: str, value: str) -> Path:
    """Check that a run directory can be created at ``value`` and written; return it.

    Refuses a path that is (or lies under) a file, a virtual file system, a
    directory that cannot be written (probed with a temporary file that is
    removed at once), a nearly full disk, or a file-size limit too small for a
    table. Creates nothing that stays.

    Raises:
        ConfigError: naming ``key``, the path and the cause.
    """
    if not str(value).strip():
        raise ConfigError(key, "is empty; give a directory")
    path = Path(os.path.expanduser(str(value))).absolute()
    if "\x00" in str(path):
        raise ConfigError(key, "contains a NUL character")
    if len(os.fsencode(path)) >= 4096 or any(len(os.fsencode(p)) > 255 for p in path.parts):
        raise ConfigError(key, f"{str(path)[:60]}...: file name too long")
    for part in (path, *path.parents):
        if part.is_symlink() and not part.exists():
            raise ConfigError(key, f"{part} is a symbolic link to nowhere (dangling or a loop)")
    real = Path(os.path.realpath(path))
    for root in VIRTUAL_ROOTS:
        if real == Path(root) or real.is_relative_to(root):
            raise ConfigError(key, f"{path} is on a virtual file system ({root}), not on disk")
    if path.exists() and not path.is_dir():
        raise ConfigError(key, f"{path} exists and is not a directory")
    foreign = _foreign_entry(path)
    if foreign is not None:
        raise ConfigError(
            key,
            f"{path} already holds {foreign!r}, which is not part of a Caravan run; "
            "give a new or empty directory (or an earlier run's)",
        )
    anchor = _nearest_existing(path)
    if not anchor.is_dir():
        raise ConfigError(key, f"{path}: {anchor} is a file, not a directory")
    try:
        handle, probe = tempfile.mkstemp(dir=anchor, prefix=".caravan-probe.", suffix=".tmp")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise ConfigError(key, f"{anchor} cannot be written: {describe_os_error(error)}") from None
    try:
        info = os.statvfs(anchor)
    except OSError:
        info = None
    if info is not None and info.f_bavail * info.f_frsize < MIN_FREE_BYTES:
        free = info.f_bavail * info.f_frsize
        raise ConfigError(key, f"{anchor} has only {free / 1024:.0f} KiB free: the disk is full")
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and soft < MIN_FILE_SIZE_LIMIT:
        raise ConfigError(
            key, f"the file-size limit (ulimit -f) is {soft} bytes, too small for a run's tables"
        )
    return path

"""Compares, target by target, the pins two requirements files select.

    compare.py STRATA_LOCK UV_LOCK "3.11 x86_64-manylinux_2_28" ...

Each line's marker is evaluated with `packaging` for the target's marker environment (CPython at
that version on that platform, as strata and uv name them), and the selected `name==version`
pins of both files are compared: the share identical is the pins both select at the same
version over the pins either selects.
"""

import re
import sys

from packaging.markers import Marker
from packaging.utils import canonicalize_name

PLATFORMS = {
    "x86_64-manylinux_2_28": ("linux", "Linux", "x86_64"),
    "aarch64-manylinux_2_28": ("linux", "Linux", "aarch64"),
    "aarch64-apple-darwin": ("darwin", "Darwin", "arm64"),
    "x86_64-apple-darwin": ("darwin", "Darwin", "x86_64"),
}


def environment(python, platform):
    sys_platform, system, machine = PLATFORMS[platform]
    full = python if python.count(".") == 2 else python + ".0"
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": full,
        "python_version": ".".join(python.split(".")[:2]),
        "sys_platform": sys_platform,
        "extra": "",
    }


def pins(path, env):
    """The `name==version` lines of a requirements file whose markers hold in `env`."""
    selected = {}
    text = open(path, encoding="utf-8").read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement, _, marker = line.partition(";")
        marker = re.sub(r"\s--hash=\S+", "", marker).strip()
        match = re.match(r"([A-Za-z0-9._-]+)(\[[^\]]*\])?==(\S+)", requirement.strip())
        if not match:
            continue
        if marker and not Marker(marker).evaluate(env):
            continue
        selected[canonicalize_name(match.group(1))] = match.group(3)
    return selected


def main():
    strata_path, uv_path, *targets = sys.argv[1:]
    for target in targets:
        python, platform = target.split()
        env = environment(python, platform)
        mine, theirs = pins(strata_path, env), pins(uv_path, env)
        names = sorted(set(mine) | set(theirs))
        same = [name for name in names if mine.get(name) == theirs.get(name)]
        share = 100.0 * len(same) / len(names) if names else 100.0
        print(
            f"  Python {python} on {platform}: strata {len(mine)} pins, uv {len(theirs)}, "
            f"identical {len(same)}/{len(names)} ({share:.1f}%)"
        )
        for name in names:
            if mine.get(name) != theirs.get(name):
                print(f"    {name}: strata {mine.get(name, '-')}, uv {theirs.get(name, '-')}")


if __name__ == "__main__":
    main()

import os, tomllib, zipfile

def _project():
    with open("pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    if "version" in project.get("dynamic", []):
        with open("VERSION") as f:
            project["version"] = f.read().strip()
    return project

def _metadata():
    p = _project()
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    lines += ["Requires-Dist: " + d for d in p.get("dependencies", [])]
    return p, "\n".join(lines) + "\n"

def _dist_info(p):
    return "%s-%s.dist-info" % (p["name"].replace("-", "_"), p["version"])

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_editable = get_requires_for_build_wheel

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    p, text = _metadata()
    path = os.path.join(directory, _dist_info(p))
    os.makedirs(path)
    with open(os.path.join(path, "METADATA"), "w") as f:
        f.write(text)
    return _dist_info(p)

prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel

def _wheel(directory, contents):
    p, text = _metadata()
    module = p["name"].replace("-", "_")
    name = "%s-%s-py3-none-any.whl" % (module, p["version"])
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        contents(z, module)
        z.writestr(_dist_info(p) + "/METADATA", text)
        z.writestr(_dist_info(p) + "/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(_dist_info(p) + "/RECORD", "")
    return name

def build_wheel(directory, config_settings=None, metadata_directory=None):
    def contents(z, module):
        with open(os.path.join(module, "__init__.py")) as f:
            z.writestr(module + "/__init__.py", f.read())
    return _wheel(directory, contents)

def build_editable(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, lambda z, module: z.writestr("_%s.pth" % module, os.getcwd() + "\n"))

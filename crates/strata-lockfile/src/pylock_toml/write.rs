//! Writing `pylock.toml`.

use std::fmt::Write;

use strata_dist::Target;

use crate::model::Lock;

/// Renders `lock` for `targets` as PEP 751 TOML: `environments` has one marker per target, and
/// a line of a multi-target lock its `marker` (see [`crate::targets`]). A lock with a strata
/// fingerprint is sealed with the digest of its text in `[tool.strata]` (see
/// [`crate::integrity`]).
pub fn write(lock: &Lock, targets: &[Target]) -> String {
    let mut out = String::new();
    out.push_str("lock-version = \"1.0\"\n");
    let environments: Vec<String> = targets
        .iter()
        .map(|target| {
            let markers = target.markers();
            quote(&format!(
                "python_version == '{}' and sys_platform == '{}' and platform_machine == '{}'",
                markers.python_version(),
                markers.sys_platform(),
                markers.platform_machine()
            ))
        })
        .collect();
    let _ = writeln!(out, "environments = [{}]", environments.join(", "));
    let minors = targets.iter().map(|target| {
        let python = target.python();
        (python.major(), python.minor())
    });
    if let (Some(lowest), Some(highest)) = (minors.clone().min(), minors.max()) {
        let requires_python = if lowest == highest {
            format!("=={}.{}.*", lowest.0, lowest.1)
        } else {
            format!(
                ">={}.{},<{}.{}",
                lowest.0,
                lowest.1,
                highest.0,
                highest.1 + 1
            )
        };
        let _ = writeln!(out, "requires-python = {}", quote(&requires_python));
    }
    out.push_str("created-by = \"strata\"\n");
    for package in &lock.packages {
        out.push_str("\n[[packages]]\n");
        let _ = writeln!(out, "name = {}", quote(package.name.as_ref()));
        if package.url.is_none() || package.is_directory() {
            let _ = writeln!(out, "version = {}", quote(&package.version.to_string()));
        }
        if let Some(marker) = package.marker.contents() {
            let _ = writeln!(out, "marker = {}", quote(&marker.to_string()));
        }
        if let Some(requires_python) = &package.requires_python {
            let _ = writeln!(out, "requires-python = {}", quote(requires_python));
        }
        if !package.dependencies.is_empty() {
            let names: Vec<String> = package
                .dependencies
                .iter()
                .map(|name| format!("{{ name = {} }}", quote(name.as_ref())))
                .collect();
            let _ = writeln!(out, "dependencies = [{}]", names.join(", "));
        }
        if let Some(index) = &package.index {
            let _ = writeln!(out, "index = {}", quote(index));
        }
        if let Some(path) = package.url.as_deref().filter(|_| package.is_directory()) {
            // The caller gives the path relative to this file, as PEP 751 asks
            // (`strata_lock` rebases the requirements.txt form's, relative to the project root).
            let _ = writeln!(
                out,
                "directory = {{ path = {}, editable = {} }}",
                quote(path),
                package.editable
            );
            continue;
        }
        if let Some(vcs) = package.url.as_deref().and_then(vcs_table) {
            let mut table = vcs;
            if let Some(revision) = &package.requested_revision {
                table.insert(2, ("requested-revision", revision.clone()));
            }
            let fields: Vec<String> = table
                .iter()
                .map(|(key, value)| format!("{key} = {}", quote(value)))
                .collect();
            let _ = writeln!(out, "vcs = {{ {} }}", fields.join(", "));
            continue;
        }
        if let Some(url) = &package.url {
            let hash = package
                .hashes
                .first()
                .map(String::as_str)
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "archive = {{ url = {}, hashes = {{ sha256 = {} }} }}",
                quote(url),
                quote(hash)
            );
            continue;
        }
        let wheels: Vec<_> = package.files.iter().filter(|file| file.is_wheel).collect();
        if !wheels.is_empty() {
            out.push_str("wheels = [\n");
            for file in wheels {
                let _ = writeln!(out, "    {},", file_table(file));
            }
            out.push_str("]\n");
        }
        if let Some(file) = package.files.iter().find(|file| !file.is_wheel) {
            let _ = writeln!(out, "sdist = {}", file_table(file));
        }
    }
    if let Some(fingerprint) = lock.fingerprint() {
        let _ = write!(
            out,
            "\n[tool.strata]\nfingerprint = {}\n",
            quote(fingerprint)
        );
        // Sealed like the requirements.txt form: `digest` records the rest of the text.
        let at = out.len();
        return crate::integrity::seal(&out, at, crate::integrity::FileKind::Pylock);
    }
    out
}

/// The fields of PEP 751's `[packages.vcs]` for a pinned git URL
/// (`git+<repository>@<commit>#subdirectory=<dir>`): `type`, `url`, `commit-id`,
/// `subdirectory`; `None` for any other URL.
fn vcs_table(url: &str) -> Option<Vec<(&'static str, String)>> {
    let rest = url.strip_prefix("git+")?;
    let (rest, subdirectory) = match rest.split_once("#subdirectory=") {
        Some((rest, subdirectory)) => (rest, Some(subdirectory)),
        None => (rest, None),
    };
    let (repository, commit) = rest.rsplit_once('@')?;
    let mut table = vec![
        ("type", "git".to_string()),
        ("url", repository.to_string()),
        ("commit-id", commit.to_string()),
    ];
    if let Some(subdirectory) = subdirectory {
        table.push(("subdirectory", subdirectory.to_string()));
    }
    Some(table)
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A file as PEP 751's inline table: `{ name = ..., url = ..., size = ..., hashes = { sha256 = ... } }`.
fn file_table(file: &crate::LockedFile) -> String {
    let size = file
        .size
        .map(|size| format!(", size = {size}"))
        .unwrap_or_default();
    format!(
        "{{ name = {}, url = {}{size}, hashes = {{ sha256 = {} }} }}",
        quote(&file.filename),
        quote(&file.url),
        quote(&file.sha256)
    )
}

//! `strata completions`: the scripts load in their shell, and bash, the shell this machine has,
//! completes commands, subcommands and option values with them.

use std::process::Command;

use crate::support::Strata;

/// What bash completes for the words of `line` (the last one being completed) with the script
/// `strata completions bash` printed: the completion function run as bash runs it on Tab.
fn bash_completes(script: &std::path::Path, line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|word| format!("'{word}'")).collect();
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE='{}'\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _strata strata '{}' '{}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        words.join(" "),
        line.len() - 1,
        line.join(" "),
        line[line.len() - 1],
        line[line.len() - 2],
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut found: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect();
    found.sort();
    found
}

#[test]
fn the_bash_script_completes_commands_subcommands_and_values() {
    let output = Strata::new(&["completions", "bash"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("strata.bash");
    fs_err::write(&script, &output.stdout).unwrap();

    assert_eq!(bash_completes(&script, &["strata", "lo"]), ["lock"]);
    // An empty word is offered the options too; the subcommands are what matters here.
    let words = |line: &[&str]| -> Vec<String> {
        bash_completes(&script, line)
            .into_iter()
            .filter(|word| !word.starts_with('-'))
            .collect()
    };
    assert_eq!(
        words(&["strata", "ci", ""]),
        ["help", "plan", "run", "workflow"]
    );
    assert_eq!(
        bash_completes(&script, &["strata", "lock", "--up"]),
        ["--upgrade", "--upgrade-package"]
    );
    assert_eq!(
        words(&["strata", "completions", ""]),
        ["bash", "elvish", "fish", "powershell", "zsh"]
    );
}

#[test]
fn every_shells_script_names_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = Strata::new(&["completions", shell]).output();
        assert_eq!(output.code, 0, "{shell}: {}", output.render());
        for command in ["lock", "sync", "compile", "workflow", "completions"] {
            assert!(output.stdout.contains(command), "{shell} names `{command}`");
        }
    }
    let output = Strata::new(&["completions", "tcsh"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
}

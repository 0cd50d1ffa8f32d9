//! The AWS SigV4 test suite (vectors/sigv4/), every case in both flavours, stage by stage.

use bedrock_request::__internal::run_case;

use crate::util::crate_path;

#[test]
fn every_sigv4_suite_case_passes() {
    let dir = crate_path("vectors/sigv4");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.len() >= 40,
        "expected the v4 suite, found {} cases",
        names.len()
    );
    let mut failed = Vec::new();
    let mut checked = 0;
    for name in &names {
        let case_dir = format!("{dir}/{name}");
        let report = run_case(name, &|file| {
            std::fs::read(format!("{case_dir}/{file}")).ok()
        });
        checked += report.checked;
        if !report.passed() {
            failed.push(format!("{name}:\n  {}", report.failures.join("\n  ")));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        names.len(),
        failed.join("\n")
    );
    assert!(checked >= 40 * 6, "only {checked} files were compared");
}

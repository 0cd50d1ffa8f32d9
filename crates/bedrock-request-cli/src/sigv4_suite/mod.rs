//! A runner for the AWS SigV4 test suite (aws-c-auth's `v4/` layout), stage by stage: the
//! CLI's `vectors` command and its test run it.
//!
//! A case is a folder of files: `context.json` (credentials, region, service, time, options),
//! `request.txt` (the raw request) and, per flavour (`header`, `query`),
//! `{flavour}-canonical-request.txt`, `-string-to-sign.txt`, `-signature.txt`,
//! `-signed-request.txt`. A case passes only if every file present matches. The canonical
//! request comes from the library's public [`bedrock_request::sign::CanonicalRequest`]; the
//! signature is checked both from that string to sign and from aws-sigv4's own `sign()`.
//!
//! `case` reads a case's files, `view` computes what signing gives for one flavour.

mod case;
mod view;

use std::path::Path;

use case::{context, host_of, parse_request, requests_differ, RawRequest};
use view::{our_view, sdk_signature, signed_request};

/// A folder's outcome: how many cases passed, and each failed case's name and first line.
pub struct Summary {
    pub passed: usize,
    pub failed: Vec<(String, String)>,
}

/// Runs every case folder in `dir`, sorted by name; an error when `dir` holds none.
pub fn run_dir(dir: &Path) -> Result<Summary, String> {
    let mut cases: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    if cases.is_empty() {
        return Err(format!(
            "{} holds no test-suite cases (one folder per case, with context.json and request.txt)",
            dir.display()
        ));
    }
    let mut summary = Summary {
        passed: 0,
        failed: Vec::new(),
    };
    for case in &cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = run_case(&|file| std::fs::read(case.join(file)).ok());
        if report.passed() {
            summary.passed += 1;
        } else {
            let first = report
                .failures
                .first()
                .map(|f| f.lines().next().unwrap_or("").to_owned())
                .unwrap_or_else(|| "no expected files".to_owned());
            summary.failed.push((name, first));
        }
    }
    Ok(summary)
}

/// One case's outcome: the stages that failed (empty: passed).
struct CaseReport {
    /// `"{flavour} {stage}: why"` for each failed stage.
    failures: Vec<String>,
    /// How many files were compared.
    checked: usize,
}

impl CaseReport {
    /// Whether every file present matched.
    fn passed(&self) -> bool {
        self.failures.is_empty() && self.checked > 0
    }
}

type Files<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

fn text_of(get: Files, name: &str) -> Option<String> {
    get(name).map(|b| {
        String::from_utf8_lossy(&b)
            .trim_end_matches('\n')
            .to_owned()
    })
}

/// Runs one case; `get(file_name)` returns a file's bytes, `None` when absent.
fn run_case(get: Files) -> CaseReport {
    let mut report = CaseReport {
        failures: Vec::new(),
        checked: 0,
    };
    let setup = (|| {
        let ctx = context(&text_of(get, "context.json").ok_or("no context.json")?)?;
        let req = parse_request(&get("request.txt").ok_or("no request.txt")?)?;
        Ok::<_, String>((ctx, req))
    })();
    let (ctx, req) = match setup {
        Ok(x) => x,
        Err(e) => {
            report.failures.push(e);
            return report;
        }
    };
    for flavour in ["header", "query"] {
        if let Err(e) = run_flavour(&ctx, &req, flavour, get, &mut report) {
            report.failures.push(format!("{flavour}: {e}"));
        }
    }
    report
}

fn run_flavour(
    ctx: &case::Context,
    req: &RawRequest,
    flavour: &str,
    get: Files,
    report: &mut CaseReport,
) -> Result<(), String> {
    let file = |stage: &str| text_of(get, &format!("{flavour}-{stage}.txt"));
    let expected = [
        "canonical-request",
        "string-to-sign",
        "signature",
        "signed-request",
    ]
    .map(file);
    if expected.iter().all(Option::is_none) {
        return Ok(());
    }
    let query_flavour = flavour == "query";
    let host = host_of(req)?;
    // The request's headers, less any x-amz-date the signer replaces.
    let signer_sets = |k: &str| !query_flavour && k.eq_ignore_ascii_case("x-amz-date");
    let req = &RawRequest {
        headers: req
            .headers
            .iter()
            .filter(|(k, _)| !signer_sets(k))
            .cloned()
            .collect(),
        ..req.clone()
    };
    let ours = our_view(ctx, req, query_flavour)?;
    let sdk = sdk_signature(ctx, req, &host, query_flavour)?;

    let mut check = |stage: &str, expected: &Option<String>, actual: &str| {
        if let Some(expected) = expected {
            report.checked += 1;
            if expected != actual {
                report.failures.push(format!(
                    "{flavour} {stage}: expected\n{expected}\ngot\n{actual}"
                ));
            }
        }
    };
    check("canonical request", &expected[0], &ours.canonical_request);
    check("string to sign", &expected[1], &ours.string_to_sign);
    check("signature", &expected[2], &ours.signature);
    if let Some(sdk) = &sdk {
        if *sdk != ours.signature {
            report.failures.push(format!(
                "{flavour} signature: our view gives {}, aws-sigv4 {sdk}",
                ours.signature
            ));
        }
    }
    if let Some(signed_text) = &expected[3] {
        report.checked += 1;
        let want = parse_request(signed_text.as_bytes())?;
        let got = signed_request(ctx, req, &ours, query_flavour);
        if let Some(why) = requests_differ(&want, &got) {
            report
                .failures
                .push(format!("{flavour} signed request: {why}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case of AWS's SigV4 suite (vectors/sigv4/, from aws-c-auth) in both flavours.
    #[test]
    fn every_sigv4_suite_case_passes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/sigv4");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        names.sort();
        assert!(
            names.len() >= 40,
            "expected the v4 suite, found {}",
            names.len()
        );
        let (mut failed, mut checked) = (Vec::new(), 0);
        for case in &names {
            let report = run_case(&|file| std::fs::read(case.join(file)).ok());
            checked += report.checked;
            if !report.passed() {
                failed.push(format!(
                    "{}:\n  {}",
                    case.display(),
                    report.failures.join("\n  ")
                ));
            }
        }
        assert!(
            failed.is_empty(),
            "{} cases failed:\n{}",
            failed.len(),
            failed.join("\n")
        );
        assert!(checked >= 40 * 6, "only {checked} files were compared");
    }

    /// A case whose expected signature was changed fails, naming the stage.
    #[test]
    fn a_changed_expected_signature_fails() {
        let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/sigv4/get-vanilla");
        let report = run_case(&|file| {
            let bytes = std::fs::read(case.join(file)).ok()?;
            Some(if file == "header-signature.txt" {
                b"0".repeat(64)
            } else {
                bytes
            })
        });
        assert!(!report.passed());
        assert!(
            report.failures[0].starts_with("header signature"),
            "{:?}",
            report.failures
        );
    }
}

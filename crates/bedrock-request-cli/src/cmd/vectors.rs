//! `vectors`: runs an AWS SigV4 test-suite folder (one folder per case, aws-c-auth's v4 layout).

use clap::Args;

use crate::io::print_line;
use crate::sigv4_suite;

#[derive(Args)]
pub struct VectorsArgs {
    /// The folder holding one folder per case.
    dir: String,
}

pub fn run(args: VectorsArgs) -> Result<(), String> {
    let summary = sigv4_suite::run_dir(std::path::Path::new(&args.dir))?;
    for (name, first) in &summary.failed {
        print_line(&format!("FAILED {name}: {first}"))?;
    }
    print_line(&format!(
        "{} passed, {} failed",
        summary.passed,
        summary.failed.len()
    ))?;
    if !summary.failed.is_empty() {
        return Err(format!(
            "{} of {} cases failed",
            summary.failed.len(),
            summary.passed + summary.failed.len()
        ));
    }
    Ok(())
}

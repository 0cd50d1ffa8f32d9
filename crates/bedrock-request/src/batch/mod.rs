//! Batch inference: Bedrock's own batch engine (`CreateModelInvocationJob` with
//! `modelInvocationType: "Converse"`, records in S3) from the same configs and messages.
//! Sans-IO like the rest: [`Records`] writes the input file's lines one at a time.
//! `docs/batch.md` has the walk-through.

mod jobs;
mod records;
mod results;
mod s3;

pub use jobs::{create_job, created_job_arn, get_job, job_status, stop_job, JobSpec, JobStatus};
pub use records::{Records, MAX_FILE_BYTES, MAX_RECORDS_PER_FILE, MIN_RECORDS_PER_JOB};
pub use results::{RecordOutcome, Results};
pub use s3::{listing, s3_error, upload_id, Listing, S3Uri, MULTIPART_FROM, PART_BYTES, S3};

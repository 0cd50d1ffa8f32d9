//! `batch submit`, `status` and `results`: the S3 uploads and reads and the control-plane
//! calls, each signed now with the chain's SigV4 credentials and sent with the CLI's agent.

use std::io::{BufRead, BufReader, Read};

use bedrock_request::batch::{
    self, create_job, get_job, job_status, JobSpec, Results, S3Uri, MIN_RECORDS_PER_JOB,
    MULTIPART_FROM, PART_BYTES, S3,
};
use bedrock_request::credentials::Chain;
use bedrock_request::{resolve_region, sign, Auth, Credentials, Env, HttpRequest, HttpResponse};
use time::OffsetDateTime;

use super::{JobArgs, ResultsArgs, ResultsFormat, SubmitArgs};
use crate::io::{open, print_line, process_env_for, profile_region};
use crate::net::{api_agent, headers_of};

/// What a batch command signs with: SigV4 credentials (S3 takes no API key) and the region.
struct Signing {
    credentials: Credentials,
    region: String,
    agent: ureq::Agent,
}

impl Signing {
    fn send(&self, mut request: HttpRequest, s3: bool) -> Result<HttpResponse, String> {
        let now = OffsetDateTime::now_utc();
        if s3 {
            sign::sign_s3_in_place(&mut request, &self.credentials, &self.region, now)
        } else {
            sign::sign_for_service(
                &mut request,
                &self.credentials,
                &self.region,
                "bedrock",
                now,
            )
        }
        .map_err(|e| e.to_string())?;
        let response = self
            .agent
            .run(request.to_http_request().map_err(|e| e.to_string())?)
            .map_err(|e| format!("cannot reach {}: {e}", request.url))?;
        let status = response.status().as_u16();
        let headers = headers_of(&response);
        let body = response
            .into_body()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .map_err(|e| format!("cannot read the answer of {}: {e}", request.url))?;
        let answer = HttpResponse {
            status,
            headers,
            body,
        };
        if !(200..300).contains(&status) {
            return Err(match s3 {
                true => batch::s3_error(&request.url, &answer).to_string(),
                false => bedrock_request::parse::AwsError::from_response(
                    status,
                    &answer.headers,
                    &answer.body,
                )
                .report(),
            });
        }
        Ok(answer)
    }
}

fn sigv4(auth: Auth) -> Result<Credentials, String> {
    match auth {
        Auth::SigV4(c) => Ok(c),
        _ => Err("batch jobs need AWS credentials (S3 takes no Bedrock API key): set AWS_ACCESS_KEY_ID / a profile, or unset AWS_BEARER_TOKEN_BEDROCK".into()),
    }
}

fn agent() -> ureq::Agent {
    api_agent(std::time::Duration::from_secs(60))
}

pub(super) fn submit(args: SubmitArgs) -> Result<(), String> {
    let config = args.client.config(&crate::io::process_env())?;
    // The endpoints (Bedrock's and S3's) of the profile the client uses.
    let env = crate::io::with_endpoints(&crate::io::process_env(), config.profile())?;
    let input = S3Uri::parse(&args.input_uri).map_err(|e| format!("--input-uri: {e}"))?;
    let output = S3Uri::parse(&args.output_uri).map_err(|e| format!("--output-uri: {e}"))?;
    // Count the records first: Bedrock refuses a job of fewer than 100.
    let mut count = 0u64;
    let mut size = 0u64;
    for line in BufReader::new(open(&args.records)?).lines() {
        let line = line.map_err(|e| format!("{}: {e}", args.records))?;
        size += line.len() as u64 + 1;
        count += u64::from(!line.trim().is_empty());
    }
    if count < MIN_RECORDS_PER_JOB {
        return Err(format!(
            "{} holds {count} records: a batch job takes at least {MIN_RECORDS_PER_JOB}",
            args.records
        ));
    }
    let resolved = crate::io::resolve_credentials(Chain::new(&config, &env))?;
    let region = args
        .region
        .clone()
        .or_else(|| {
            resolve_region(config.region(), &env, resolved.region.as_deref()).map(str::to_owned)
        })
        .ok_or("no region: set the client's region, AWS_REGION or --region")?;
    let signing = Signing {
        credentials: sigv4(resolved.auth)?,
        region,
        agent: agent(),
    };
    let name = std::path::Path::new(&args.records)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "records.jsonl".into());
    let key = S3Uri {
        bucket: input.bucket.clone(),
        key: format!("{}{name}", input.key),
    };
    let s3 = S3::new(&signing.region, &env).map_err(|e| e.to_string())?;
    upload(&signing, &s3, &key, &args.records, size)?;
    let spec = JobSpec {
        job_name: args.job_name.clone(),
        role_arn: args.role_arn.clone(),
        model_id: config.model().to_owned(),
        input: key.clone(),
        output,
        client_request_token: Some(format!("{}-{}", args.job_name, size)),
        timeout_hours: args.timeout_hours,
    };
    let created = signing.send(
        create_job(&signing.region, &env, &spec).map_err(|e| e.to_string())?,
        false,
    )?;
    let arn = batch::created_job_arn(&created.body).map_err(|e| e.to_string())?;
    let q = |t: &str| bedrock_request::Value::String(t.to_owned()).to_json();
    print_line(&format!(
        "{{\"jobArn\":{},\"inputKey\":{}}}",
        q(&arn),
        q(&key.key)
    ))
}

/// PutObject below 64 MiB, else a multipart upload of 8 MiB parts (aborted if a part fails).
fn upload(signing: &Signing, s3: &S3, at: &S3Uri, path: &str, size: u64) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if size < MULTIPART_FROM as u64 {
        let mut body = Vec::new();
        file.read_to_end(&mut body)
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        signing.send(s3.put_object(at, body), true)?;
        eprintln!("uploaded {} ({size} bytes)", at.to_uri());
        return Ok(());
    }
    let created = signing.send(s3.create_multipart_upload(at), true)?;
    let id =
        batch::upload_id(&String::from_utf8_lossy(&created.body)).map_err(|e| e.to_string())?;
    let parts_total = size.div_ceil(PART_BYTES as u64);
    let mut parts = Vec::new();
    let result = (|| {
        for number in 1.. {
            let mut part = Vec::with_capacity(PART_BYTES);
            (&mut file)
                .take(PART_BYTES as u64)
                .read_to_end(&mut part)
                .map_err(|e| format!("cannot read {path}: {e}"))?;
            if part.is_empty() {
                break;
            }
            let answer = signing.send(s3.upload_part(at, &id, number, part), true)?;
            let etag = answer
                .header("etag")
                .ok_or("S3 answered a part without an ETag")?
                .to_owned();
            parts.push((number, etag));
            eprintln!("uploaded part {number} of {parts_total}");
        }
        signing
            .send(s3.complete_multipart_upload(at, &id, &parts), true)
            .map(|_| ())
    })();
    if let Err(e) = result {
        let _ = signing.send(s3.abort_multipart_upload(at, &id), true);
        return Err(format!("{e} (the multipart upload was aborted)"));
    }
    eprintln!(
        "uploaded {} ({size} bytes in {} parts)",
        at.to_uri(),
        parts.len()
    );
    Ok(())
}

/// Credentials from the environment and profile, and the region: --region, the job ARN's, then
/// AWS_REGION / AWS_DEFAULT_REGION / the profile's.
fn job_signing(args: &JobArgs, env: &Env) -> Result<Signing, String> {
    let mut chain = Chain::from_env(env);
    if let Some(p) = &args.profile {
        chain = chain.with_profile(p);
    }
    let resolved = crate::io::resolve_credentials(chain)?;
    let from_arn = args
        .job
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty());
    let profile = profile_region(env, args.profile.as_deref())?;
    let region = args
        .region
        .clone()
        .or_else(|| from_arn.map(str::to_owned))
        .or_else(|| resolve_region(None, env, profile.as_deref()).map(str::to_owned))
        .ok_or("no region: give --region, a job ARN, or set AWS_REGION")?;
    Ok(Signing {
        credentials: sigv4(resolved.auth)?,
        region,
        agent: agent(),
    })
}

fn describe(signing: &Signing, env: &Env, job: &str) -> Result<batch::JobStatus, String> {
    let answer = signing.send(
        get_job(&signing.region, env, job).map_err(|e| e.to_string())?,
        false,
    )?;
    job_status(&answer.body).map_err(|e| e.to_string())
}

pub(super) fn status(args: JobArgs) -> Result<(), String> {
    let env = process_env_for(args.profile.as_deref())?;
    let signing = job_signing(&args, &env)?;
    let s = describe(&signing, &env, &args.job)?;
    let q = |t: &str| bedrock_request::Value::String(t.to_owned()).to_json();
    let n = |c: Option<u64>| c.map_or("null".to_owned(), |c| c.to_string());
    let message = s
        .message
        .as_deref()
        .map_or(String::new(), |m| format!(",\"message\":{}", q(m)));
    print_line(&format!(
        "{{\"jobArn\":{},\"status\":{}{message},\"totalRecordCount\":{},\"processedRecordCount\":{},\"successRecordCount\":{},\"errorRecordCount\":{}}}",
        q(&s.job_arn), q(&s.status), n(s.total_record_count), n(s.processed_record_count), n(s.success_record_count), n(s.error_record_count)
    ))
}

pub(super) fn results(args: ResultsArgs) -> Result<(), String> {
    let env = process_env_for(args.job.profile.as_deref())?;
    let signing = job_signing(&args.job, &env)?;
    let job = describe(&signing, &env, &args.job.job)?;
    let output = job
        .output_uri
        .as_deref()
        .ok_or("the job names no output location")?;
    let output = S3Uri::parse(output).map_err(|e| e.to_string())?;
    let mut results = Results::new();
    for line in BufReader::new(open(&args.records)?).lines() {
        let line = line.map_err(|e| format!("{}: {e}", args.records))?;
        if line.trim().is_empty() {
            continue;
        }
        let id = Results::record_id_of(&line).map_err(|e| format!("{}: {e}", args.records))?;
        results
            .expect(&id)
            .map_err(|e| format!("{}: {e}", args.records))?;
    }
    let s3 = S3::new(&signing.region, &env).map_err(|e| e.to_string())?;
    let prefix = format!("{}{}/", output.key, job.job_id());
    let mut token: Option<String> = None;
    let mut files = 0;
    loop {
        let page = signing.send(
            s3.list_objects(&output.bucket, &prefix, token.as_deref()),
            true,
        )?;
        let page =
            batch::listing(&String::from_utf8_lossy(&page.body)).map_err(|e| e.to_string())?;
        for key in page.keys.iter().filter(|k| k.ends_with(".jsonl.out")) {
            let at = S3Uri {
                bucket: output.bucket.clone(),
                key: key.clone(),
            };
            let object = signing.send(s3.get_object(&at), true)?;
            files += 1;
            eprintln!("read {}", at.to_uri());
            for line in String::from_utf8_lossy(&object.body).lines() {
                results
                    .output_line(line)
                    .map_err(|e| format!("{}: {e}", at.to_uri()))?;
            }
        }
        match page.next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    let mut missing = Vec::new();
    for (id, outcome) in results.finish() {
        if outcome == batch::RecordOutcome::Missing {
            missing.push(id.clone());
        }
        let line = match args.format {
            ResultsFormat::Jsonl => outcome.to_line(&id),
            ResultsFormat::Text => outcome.to_text(&id),
        };
        print_line(&line)?;
    }
    if !missing.is_empty() {
        for id in &missing {
            eprintln!("record {id}: no output line names it");
        }
        return Err(format!(
            "{} of the records have no output in {files} output files under {}",
            missing.len(),
            S3Uri {
                bucket: output.bucket,
                key: prefix
            }
            .to_uri()
        ));
    }
    Ok(())
}

//! Batch inference's readers: an input line (records), a job's output line (joined to records),
//! a ListObjectsV2 page, a CreateMultipartUpload answer, a GetModelInvocationJob answer, an S3
//! location. The first byte picks one. Properties: no panic; a record is one JSON line whose
//! modelInput is JSON; a listing's keys are no longer than the text.
#![no_main]

use bedrock_request::batch::{job_status, listing, upload_id, Records, Results, S3Uri};
use bedrock_request::{ClientConfig, Env, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match pick % 5 {
        0 => {
            let config = ClientConfig::builder().model("m").max_tokens(10).build().unwrap();
            let mut records = Records::new(&config, None, Env::new());
            for line in text.lines().take(8) {
                if let Ok(Some(record)) = records.line(line) {
                    assert!(record.ends_with('\n') && !record[..record.len() - 1].contains('\n'));
                    let v = Value::from_json_str(&record).expect("a record is JSON");
                    assert!(v.get("modelInput").is_some());
                }
            }
        }
        1 => {
            let mut results = Results::new();
            for id in ["a", "b", "L0000001"] {
                results.expect(id).unwrap();
            }
            for line in text.lines().take(8) {
                let _ = results.output_line(line);
            }
            assert_eq!(results.finish().len(), 3);
        }
        2 => {
            if let Ok(page) = listing(text) {
                assert!(page.keys.iter().map(String::len).sum::<usize>() <= text.len());
            }
            let _ = upload_id(text);
        }
        3 => {
            let _ = job_status(text.as_bytes());
        }
        _ => {
            if let Ok(uri) = S3Uri::parse(text) {
                assert_eq!(S3Uri::parse(&uri.to_uri()).unwrap(), uri);
            }
        }
    }
});

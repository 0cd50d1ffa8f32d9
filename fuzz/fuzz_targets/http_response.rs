//! Whole HTTP responses as `curl -i` prints them. Property: the head read from any prefix is
//! either not complete yet or the same head the whole response gives.
#![no_main]

use bedrock_request::HttpResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = HttpResponse::parse_head(data);
    if let Ok(Some((head, start))) = &whole {
        let parsed = HttpResponse::parse(data).expect("a complete head parses");
        assert_eq!((parsed.status, &parsed.headers), (head.status, &head.headers));
        assert_eq!(parsed.body, data[*start..]);
        for cut in [start / 2, *start] {
            if let Ok(Some((early, _))) = HttpResponse::parse_head(&data[..cut]) {
                assert!(cut == *start || early.status < 200 || early.status == head.status);
            }
        }
    }
});

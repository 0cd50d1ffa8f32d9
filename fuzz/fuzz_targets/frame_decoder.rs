//! The event-stream frame decoder, fed the input in chunks whose sizes come from the input.
//! Property: chunked and whole decoding give the same messages and the same error.
#![no_main]

use bedrock_request::stream::frame::Decoder;
use libfuzzer_sys::fuzz_target;

fn decode(chunks: &mut dyn Iterator<Item = &[u8]>) -> (Vec<Vec<u8>>, Option<String>) {
    let mut decoder = Decoder::with_max_message_size(1 << 20);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => out.push(m.payload),
                Ok(None) => break,
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }
    (out, decoder.finish().err().map(|e| e.to_string()))
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let whole = decode(&mut std::iter::once(body));
    let size = usize::from(seed % 17) + 1;
    let chunked = decode(&mut body.chunks(size));
    assert_eq!(whole, chunked);
});

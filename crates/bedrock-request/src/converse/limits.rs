//! Bedrock's limits on media in a message (`Message.content`, AWS's API reference): up to 20
//! images, each at most 3.75 MB and 8,000 px wide and high; up to 5 documents, each at most
//! 4.5 MB. Checked before sending, naming the part and the limit, where Bedrock would answer
//! a 400 after the upload. Media in S3 (`s3://`) are not read, so only counted.

use crate::error::{Error, Result};
use crate::prompt::MediaKind;

/// The most images one message may hold.
pub const MAX_IMAGES: usize = 20;
/// The most documents one message may hold.
pub const MAX_DOCUMENTS: usize = 5;
/// The largest image, in bytes (3.75 MB, as MiB).
pub const MAX_IMAGE_BYTES: usize = 3_932_160;
/// The widest and highest image, in pixels.
pub const MAX_IMAGE_SIDE: usize = 8_000;
/// The largest document, in bytes (4.5 MB, as MiB).
pub const MAX_DOCUMENT_BYTES: usize = 4_718_592;

/// A size as MB (MiB, as AWS writes its limits) and exact bytes: `4.50 MB (4,718,617 bytes)`,
/// so that a size just over a limit does not read as equal to it.
fn size(bytes: usize) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "{:.2} MB ({grouped} bytes)",
        bytes as f64 / (1024.0 * 1024.0)
    )
}

/// Checks one media part of `size` bytes whose first bytes are `head` (enough of them for an
/// image's header: its dimensions are read when they are there). `from` names where the bytes
/// came from (a path or URL as written), when they came from somewhere.
pub(crate) fn check_media(
    kind: MediaKind,
    bytes: usize,
    head: &[u8],
    from: Option<&str>,
) -> Result<()> {
    let from = from.map(|f| format!(" from {f}")).unwrap_or_default();
    match kind {
        MediaKind::Image => {
            if bytes > MAX_IMAGE_BYTES {
                return Err(Error::prompt(format!(
                    "the image{from} is {}, over Bedrock's limit of {} per image: resize or recompress it, or put it in S3 and give its s3:// URL",
                    size(bytes),
                    size(MAX_IMAGE_BYTES)
                )));
            }
            // A PNG's size is in its IHDR chunk: bytes that do not hold one are not read as
            // a size (they fail as an image at Bedrock, not here).
            let png_without_header =
                head.starts_with(b"\x89PNG") && head.get(12..16) != Some(b"IHDR".as_slice());
            if let (Ok(dims), false) = (imagesize::blob_size(head), png_without_header) {
                if dims.width > MAX_IMAGE_SIDE || dims.height > MAX_IMAGE_SIDE {
                    return Err(Error::prompt(format!(
                        "the image{from} is {} × {} px, over Bedrock's limit of 8,000 px a side: scale it down",
                        dims.width, dims.height
                    )));
                }
            }
            Ok(())
        }
        MediaKind::Pdf | MediaKind::Document if bytes > MAX_DOCUMENT_BYTES => {
            Err(Error::prompt(format!(
                "the document{from} is {}, over Bedrock's limit of {} per document: split it, or send its text",
                size(bytes),
                size(MAX_DOCUMENT_BYTES)
            )))
        }
        _ => Ok(()),
    }
}

/// Counts a message's images and documents against Bedrock's limits.
pub(crate) fn check_counts(kinds: impl Iterator<Item = MediaKind>) -> Result<()> {
    let (mut images, mut documents) = (0, 0);
    for kind in kinds {
        match kind {
            MediaKind::Image => images += 1,
            MediaKind::Pdf | MediaKind::Document => documents += 1,
            _ => {}
        }
    }
    if images > MAX_IMAGES {
        return Err(Error::prompt(format!(
            "the message holds {images} images, over Bedrock's limit of {MAX_IMAGES} per message: split them over several messages or calls"
        )));
    }
    if documents > MAX_DOCUMENTS {
        return Err(Error::prompt(format!(
            "the message holds {documents} documents, over Bedrock's limit of {MAX_DOCUMENTS} per message: split them over several messages or calls"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG's first 24 bytes: signature, IHDR length and type, width, height.
    fn png_head(width: u32, height: u32) -> Vec<u8> {
        let mut head = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        head.extend(width.to_be_bytes());
        head.extend(height.to_be_bytes());
        head.extend([8, 6, 0, 0, 0]);
        head
    }

    #[test]
    fn bedrocks_limits() {
        let image = |bytes, head: &[u8]| check_media(MediaKind::Image, bytes, head, None);
        assert!(image(MAX_IMAGE_BYTES, &png_head(8000, 10)).is_ok());
        let e = check_media(
            MediaKind::Image,
            5 * 1024 * 1024,
            &png_head(10, 10),
            Some("a.png"),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains(
                "the image from a.png is 5.00 MB (5,242,880 bytes), over Bedrock's limit of 3.75 MB (3,932,160 bytes) per image"
            ),
            "{e}"
        );
        let e = image(100, &png_head(8001, 10)).unwrap_err();
        assert!(e.to_string().contains("the image is 8001 × 10 px"), "{e}");
        // Just over the limit: the bytes tell it from the limit where the MB do not.
        let e =
            check_media(MediaKind::Document, MAX_DOCUMENT_BYTES + 25, b"%PDF", None).unwrap_err();
        assert!(
            e.to_string().contains(
                "is 4.50 MB (4,718,617 bytes), over Bedrock's limit of 4.50 MB (4,718,592 bytes) per document"
            ),
            "{e}"
        );
        assert_eq!(size(999), "0.00 MB (999 bytes)");
        assert_eq!(size(1_000), "0.00 MB (1,000 bytes)");
        assert!(check_counts(std::iter::repeat_n(MediaKind::Image, 20)).is_ok());
        let e = check_counts(std::iter::repeat_n(MediaKind::Image, 21)).unwrap_err();
        assert!(e.to_string().contains("21 images"), "{e}");
        let e = check_counts(std::iter::repeat_n(MediaKind::Pdf, 6)).unwrap_err();
        assert!(e.to_string().contains("6 documents"), "{e}");
    }
}

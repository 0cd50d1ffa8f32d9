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

fn megabytes(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// Checks one media part of `size` bytes whose first bytes are `head` (enough of them for an
/// image's header: its dimensions are read when they are there).
pub(crate) fn check_media(kind: MediaKind, size: usize, head: &[u8]) -> Result<()> {
    match kind {
        MediaKind::Image => {
            if size > MAX_IMAGE_BYTES {
                return Err(Error::prompt(format!(
                    "an image of {} is over Bedrock's limit of 3.75 MB an image: resize or recompress it, or put it in S3 and give its s3:// URL",
                    megabytes(size)
                )));
            }
            // A PNG's size is in its IHDR chunk: bytes that do not hold one are not read as
            // a size (they fail as an image at Bedrock, not here).
            let png_without_header =
                head.starts_with(b"\x89PNG") && head.get(12..16) != Some(b"IHDR".as_slice());
            if let (Ok(dims), false) = (imagesize::blob_size(head), png_without_header) {
                if dims.width > MAX_IMAGE_SIDE || dims.height > MAX_IMAGE_SIDE {
                    return Err(Error::prompt(format!(
                        "an image of {} × {} px is over Bedrock's limit of 8,000 px a side: scale it down",
                        dims.width, dims.height
                    )));
                }
            }
            Ok(())
        }
        MediaKind::Pdf | MediaKind::Document if size > MAX_DOCUMENT_BYTES => {
            Err(Error::prompt(format!(
                "a document of {} is over Bedrock's limit of 4.5 MB a document: split it, or send its text",
                megabytes(size)
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
            "the message holds {images} images, over Bedrock's limit of {MAX_IMAGES} a message: split them over several messages or calls"
        )));
    }
    if documents > MAX_DOCUMENTS {
        return Err(Error::prompt(format!(
            "the message holds {documents} documents, over Bedrock's limit of {MAX_DOCUMENTS} a message: split them over several messages or calls"
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
        assert!(check_media(MediaKind::Image, MAX_IMAGE_BYTES, &png_head(8000, 10)).is_ok());
        let e = check_media(MediaKind::Image, 5 * 1024 * 1024, &png_head(10, 10)).unwrap_err();
        assert!(
            e.to_string()
                .contains("5.00 MB is over Bedrock's limit of 3.75 MB"),
            "{e}"
        );
        let e = check_media(MediaKind::Image, 100, &png_head(8001, 10)).unwrap_err();
        assert!(e.to_string().contains("8001 × 10 px"), "{e}");
        let e = check_media(MediaKind::Document, MAX_DOCUMENT_BYTES + 1, b"%PDF").unwrap_err();
        assert!(e.to_string().contains("4.5 MB a document"), "{e}");
        assert!(check_counts(std::iter::repeat_n(MediaKind::Image, 20)).is_ok());
        let e = check_counts(std::iter::repeat_n(MediaKind::Image, 21)).unwrap_err();
        assert!(e.to_string().contains("21 images"), "{e}");
        let e = check_counts(std::iter::repeat_n(MediaKind::Pdf, 6)).unwrap_err();
        assert!(e.to_string().contains("6 documents"), "{e}");
    }
}

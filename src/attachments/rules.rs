//! Pure rules of attachments: what a file is (sniffed from its bytes, never from its name or
//! declared type), which kinds each owner takes, and the size, pixel and thumbnail arithmetic.
//! No HTTP, no database, no image decoding: the actions turn a [`Refusal`] into a problem.

use crate::error::RuleRefusal;

crate::wire_enum! {
    /// What an attachment belongs to: the table its owner id points into.
    #[schema(as = AttachmentOwner)]
    pub enum OwnerKind {
        Topic = "topic",
        Task = "task",
        Consultation = "consultation",
    }
}

crate::wire_enum! {
    /// A photo (an image, re-encoded without metadata, with a thumbnail) or a document (a PDF,
    /// meetings only: sign-in sheets, minutes scans).
    #[schema(as = AttachmentKind)]
    pub enum Kind {
        Photo = "photo",
        Document = "document",
    }
}

/// A file type recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl Sniffed {
    /// The media type of a file of this type.
    pub fn content_type(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "image/jpeg",
            Sniffed::Png => "image/png",
            Sniffed::Webp => "image/webp",
            Sniffed::Pdf => "application/pdf",
        }
    }

    /// The kind of attachment a file of this type makes.
    pub fn kind(self) -> Kind {
        match self {
            Sniffed::Pdf => Kind::Document,
            _ => Kind::Photo,
        }
    }

    /// The file-name extension of stored objects of this type.
    pub fn extension(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "jpg",
            Sniffed::Png => "png",
            Sniffed::Webp => "webp",
            Sniffed::Pdf => "pdf",
        }
    }
}

/// The type of `bytes` by their magic numbers; None for anything else.
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Sniffed::Webp)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Sniffed::Pdf)
    } else {
        None
    }
}

/// Does a JPEG run from its start marker to its end marker (EOI), segment by segment? A
/// truncated file does not, although lenient decoders fill the missing rows with grey.
/// Bytes after EOI (some phones append data) do not matter; an embedded EXIF thumbnail's own
/// EOI is inside a segment and is skipped with it.
pub fn jpeg_complete(b: &[u8]) -> bool {
    let at = |i: usize| b.get(i).copied();
    if !b.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    loop {
        while at(i) == Some(0xFF) && at(i + 1) == Some(0xFF) {
            i += 1;
        }
        let (Some(0xFF), Some(marker)) = (at(i), at(i + 1)) else {
            return false;
        };
        i += 2;
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let (Some(hi), Some(lo)) = (at(i), at(i + 1)) else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        if len < 2 || i + len > b.len() {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart.
            loop {
                match (at(i), at(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(0xFF)) => i += 1,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return false,
                }
            }
        }
    }
}

/// Why a file is refused; every refusal names the form field `file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing was sent in `file`.
    Empty,
    /// Larger than `attachments.max_bytes`.
    TooLarge,
    /// Not JPEG, PNG, WebP or PDF.
    UnsupportedType,
    /// A type this owner does not take (a PDF on a topic or a task).
    NotAllowedHere,
    /// More pixels than `attachments.max_pixels` (or wider than the decoder's limits).
    TooManyPixels,
    /// Looks like an image, but does not decode (truncated, corrupt).
    Unreadable,
}

impl RuleRefusal for Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::Empty => "attachment.empty",
            Refusal::TooLarge => "request.body_too_large",
            Refusal::UnsupportedType => "attachment.unsupported_type",
            Refusal::NotAllowedHere => "attachment.type_not_allowed",
            Refusal::TooManyPixels => "attachment.too_many_pixels",
            Refusal::Unreadable => "attachment.unreadable",
        }
    }

    fn status(self) -> u16 {
        match self {
            Refusal::TooLarge => 413,
            _ => 422,
        }
    }

    fn field(self) -> Option<&'static str> {
        Some("file")
    }
}

/// Which kinds an owner takes: photos everywhere, documents on meetings only.
pub fn kind_allowed(owner: OwnerKind, kind: Kind) -> bool {
    match kind {
        Kind::Photo => true,
        Kind::Document => owner == OwnerKind::Consultation,
    }
}

/// The first checks on an upload, before any decoding: not empty, within the size limit, a
/// known type, and one this owner takes.
pub fn accept(owner: OwnerKind, bytes: &[u8], max_bytes: usize) -> Result<Sniffed, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(Refusal::TooLarge);
    }
    let sniffed = sniff(bytes).ok_or(Refusal::UnsupportedType)?;
    if !kind_allowed(owner, sniffed.kind()) {
        return Err(Refusal::NotAllowedHere);
    }
    Ok(sniffed)
}

/// An image of `width` × `height` is within `max_pixels` (and neither side is zero).
pub fn pixels_ok(width: u32, height: u32, max_pixels: u64) -> bool {
    width > 0 && height > 0 && u64::from(width) * u64::from(height) <= max_pixels
}

/// The size of a thumbnail whose longest side is at most `px`, keeping the aspect ratio; an
/// image already that small keeps its size. Neither side becomes zero.
pub fn thumbnail_size(width: u32, height: u32, px: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= px || longest == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| -> u32 {
        let scaled = u64::from(side) * u64::from(px) / u64::from(longest);
        u32::try_from(scaled).unwrap_or(px).max(1)
    };
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names() {
        OwnerKind::assert_wire_names();
        Kind::assert_wire_names();
    }

    #[test]
    fn types_come_from_the_bytes() {
        let cases: &[(&[u8], Option<Sniffed>)] = &[
            (b"\xFF\xD8\xFF\xE0\x00\x10JFIF", Some(Sniffed::Jpeg)),
            (b"\xFF\xD8\xFF\xE1\x00\x10Exif", Some(Sniffed::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(Sniffed::Png)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(Sniffed::Webp)),
            (b"%PDF-1.7\n", Some(Sniffed::Pdf)),
            (b"RIFF\x24\0\0\0WAVEfmt ", None),
            (b"GIF89a", None),
            (b"hello, this is text", None),
            (b"\xFF\xD8", None),
            (b"", None),
            (b"<svg xmlns=", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(sniff(bytes), *want, "{bytes:?}");
        }
    }

    #[test]
    fn documents_only_on_meetings() {
        for owner in OwnerKind::ALL {
            assert!(kind_allowed(owner, Kind::Photo));
            assert_eq!(
                kind_allowed(owner, Kind::Document),
                owner == OwnerKind::Consultation
            );
        }
    }

    #[test]
    fn accept_checks_in_order() {
        let pdf = b"%PDF-1.4 ...".as_slice();
        let png = b"\x89PNG\r\n\x1a\n....".as_slice();
        type Case<'a> = (OwnerKind, &'a [u8], usize, Result<Sniffed, Refusal>);
        let cases: &[Case<'_>] = &[
            (OwnerKind::Topic, b"", 100, Err(Refusal::Empty)),
            (OwnerKind::Topic, png, 5, Err(Refusal::TooLarge)),
            (
                OwnerKind::Topic,
                b"plain text",
                100,
                Err(Refusal::UnsupportedType),
            ),
            (OwnerKind::Topic, pdf, 100, Err(Refusal::NotAllowedHere)),
            (OwnerKind::Task, pdf, 100, Err(Refusal::NotAllowedHere)),
            (OwnerKind::Consultation, pdf, 100, Ok(Sniffed::Pdf)),
            (OwnerKind::Topic, png, png.len(), Ok(Sniffed::Png)),
        ];
        for (owner, bytes, max, want) in cases {
            assert_eq!(
                accept(*owner, bytes, *max),
                *want,
                "{owner:?} {bytes:?} {max}"
            );
        }
    }

    #[test]
    fn refusals_name_the_file_field() {
        for r in [
            Refusal::Empty,
            Refusal::TooLarge,
            Refusal::UnsupportedType,
            Refusal::NotAllowedHere,
            Refusal::TooManyPixels,
            Refusal::Unreadable,
        ] {
            assert_eq!(r.field(), Some("file"));
            assert!(matches!(r.status(), 413 | 422), "{r:?}");
            use crate::i18n::{Lang, message};
            for lang in [Lang::ZhCn, Lang::En] {
                assert_ne!(
                    message(r.code(), lang),
                    message("no.such.code", lang),
                    "{r:?}"
                );
            }
        }
    }

    #[test]
    fn jpeg_structure() {
        // SOI, APP0 (len 4), SOS (len 3) with entropy data holding a stuffed FF00 and a
        // restart marker, then EOI and trailing bytes.
        let whole: &[u8] = &[
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 1, 2, 0xFF, 0xDA, 0, 3, 9, 0x12, 0xFF, 0x00, 0x34, 0xFF,
            0xD3, 0x56, 0xFF, 0xD9, 7, 7,
        ];
        assert!(jpeg_complete(whole));
        for cut in 2..whole.len() - 3 {
            assert!(!jpeg_complete(&whole[..cut]), "cut at {cut}");
        }
        // An EOI inside a segment (an EXIF thumbnail) does not end the file.
        let inner: &[u8] = &[
            0xFF, 0xD8, 0xFF, 0xE1, 0, 6, 0xFF, 0xD8, 0xFF, 0xD9, 0xFF, 0xDA,
        ];
        assert!(!jpeg_complete(inner));
        assert!(!jpeg_complete(b"\x89PNG"));
    }

    #[test]
    fn pixel_limit() {
        assert!(pixels_ok(4000, 3000, 12_000_000));
        assert!(!pixels_ok(4001, 3000, 12_000_000));
        assert!(!pixels_ok(0, 10, 100));
        assert!(!pixels_ok(u32::MAX, u32::MAX, u64::MAX / 2));
    }

    #[test]
    fn thumbnails_keep_the_aspect() {
        let cases = [
            ((4000, 3000, 320), (320, 240)),
            ((3000, 4000, 320), (240, 320)),
            ((200, 100, 320), (200, 100)),
            ((10_000, 1, 320), (320, 1)),
            ((320, 320, 320), (320, 320)),
        ];
        for ((w, h, px), want) in cases {
            assert_eq!(thumbnail_size(w, h, px), want, "{w}x{h} to {px}");
        }
    }
}

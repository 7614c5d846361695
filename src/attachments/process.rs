//! The CPU work on an upload, run off the async threads: check it, and for images decode
//! under limits, turn upright by the EXIF orientation, and encode again without any metadata
//! (EXIF, XMP, GPS: a phone photo carries where the resident lives), plus a JPEG thumbnail.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use super::rules::{self, Kind, OwnerKind, Refusal, Sniffed};
use crate::config::AttachmentSettings;

/// JPEG quality of re-encoded photos and thumbnails.
const JPEG_QUALITY: u8 = 85;
/// The decoder refuses a side longer than this before allocating anything.
const MAX_SIDE: u32 = 65_535;

/// What is stored for an upload: the file (re-encoded when an image) and its thumbnail.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub kind: Kind,
    pub content_type: &'static str,
    pub extension: &'static str,
    pub bytes: Vec<u8>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A JPEG, longest side `thumbnail_px`; None for documents.
    pub thumbnail: Option<Vec<u8>>,
}

/// Checks an upload for `owner` and makes what is stored. Refusals name the field `file`.
pub fn prepare(
    owner: OwnerKind,
    bytes: &[u8],
    s: &AttachmentSettings,
) -> Result<Prepared, Refusal> {
    let sniffed = rules::accept(owner, bytes, s.max_bytes)?;
    if sniffed == Sniffed::Pdf {
        // Stored as sent: a PDF is not rewritten (its metadata stays; see docs/attachments.md).
        return Ok(Prepared {
            kind: Kind::Document,
            content_type: sniffed.content_type(),
            extension: sniffed.extension(),
            bytes: bytes.to_vec(),
            width: None,
            height: None,
            thumbnail: None,
        });
    }
    if sniffed == Sniffed::Jpeg && !rules::jpeg_complete(bytes) {
        return Err(Refusal::Unreadable);
    }
    let image = decode(sniffed, bytes, s.max_pixels)?;
    let (out_type, encoded) = encode(sniffed, &image)?;
    let (tw, th) = rules::thumbnail_size(image.width(), image.height(), s.thumbnail_px);
    let thumb = image.thumbnail(tw, th);
    let thumbnail = jpeg(&thumb)?;
    Ok(Prepared {
        kind: Kind::Photo,
        content_type: out_type.content_type(),
        extension: out_type.extension(),
        bytes: encoded,
        width: Some(image.width()),
        height: Some(image.height()),
        thumbnail: Some(thumbnail),
    })
}

/// Decodes under limits: the header's size is checked against `max_pixels` before any pixel
/// is decoded, and the decoder may allocate only what that many pixels need.
fn decode(sniffed: Sniffed, bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, Refusal> {
    let format = match sniffed {
        Sniffed::Jpeg => image::ImageFormat::Jpeg,
        Sniffed::Png => image::ImageFormat::Png,
        Sniffed::Webp => image::ImageFormat::WebP,
        Sniffed::Pdf => return Err(Refusal::UnsupportedType),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // 16 bytes a pixel covers RGBA at 16 bits per channel, plus the decoder's own buffers.
    limits.max_alloc = Some(max_pixels.saturating_mul(16).saturating_add(64 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (w, h) = decoder.dimensions();
    if !rules::pixels_ok(w, h, max_pixels) {
        return Err(Refusal::TooManyPixels);
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    if let Some(o) = orientation {
        image.apply_orientation(o);
    }
    Ok(image)
}

/// Limit errors are the bomb guard; everything else means the bytes do not decode.
fn refusal(e: image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Unreadable,
    }
}

/// Encodes the decoded pixels, which carry no metadata: JPEG stays JPEG, PNG stays PNG; WebP
/// becomes JPEG (there is no lossy WebP encoder here) unless it has transparency, then
/// lossless WebP.
fn encode(sniffed: Sniffed, image: &DynamicImage) -> Result<(Sniffed, Vec<u8>), Refusal> {
    match sniffed {
        Sniffed::Png => {
            let mut out = Vec::new();
            image
                .write_with_encoder(PngEncoder::new(&mut out))
                .map_err(|_| Refusal::Unreadable)?;
            Ok((Sniffed::Png, out))
        }
        Sniffed::Webp if image.color().has_alpha() => {
            let mut out = Vec::new();
            DynamicImage::ImageRgba8(image.to_rgba8())
                .write_with_encoder(WebPEncoder::new_lossless(&mut out))
                .map_err(|_| Refusal::Unreadable)?;
            Ok((Sniffed::Webp, out))
        }
        _ => Ok((Sniffed::Jpeg, jpeg(image)?)),
    }
}

/// A baseline JPEG of the pixels (colour as RGB, transparency dropped).
fn jpeg(image: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        .map_err(|_| Refusal::Unreadable)?;
    Ok(out)
}

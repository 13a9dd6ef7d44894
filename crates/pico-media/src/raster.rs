use std::io::Cursor;

use fast_image_resize::{FilterType, MulDiv, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{self, PngEncoder};
use image::metadata::Orientation;
use image::{
    ColorType, DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits,
};

use crate::{MediaError, check_size};

/// Widths of the renditions pages use; the largest also caps the full-size copy.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

/// The most pixels an accepted image may have: 16 megapixels, e.g. 4000 × 4000 or
/// 4608 × 3456; phones save 12 MP (4032 × 3024) by default. Decoded as RGB that is 48 MB
/// (RGBA 64 MB), and resizing adds about a third: making the renditions of a 12 MP photo
/// peaks around 70 MB, of an image at the limit around 100 MB. Originals from 20-24 MP
/// cameras have to be reduced before they are uploaded.
pub const MAX_PIXELS: u64 = 4_000 * 4_000;

/// The largest decoded buffer: [`MAX_PIXELS`] at 8-bit RGBA. It also refuses 16-bit
/// images over half of [`MAX_PIXELS`], which would need twice the bytes per pixel.
const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;

const JPEG_QUALITY: u8 = 82;

/// One resized copy of an image, metadata stripped except for the colour profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    pub extension: &'static str,
    pub bytes: Vec<u8>,
}

/// The image formats accepted, recognised by their signature.
pub(crate) fn format(bytes: &[u8]) -> Option<ImageFormat> {
    image::guess_format(bytes).ok().filter(|format| {
        matches!(
            format,
            ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
        )
    })
}

/// The displayed dimensions of an image, read from its header only.
pub(crate) fn dimensions(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), MediaError> {
    let (decoder, orientation) = open(bytes, format)?;
    let (width, height) = decoder.dimensions();
    Ok(oriented(width, height, orientation))
}

/// Reads the header and refuses images over the limits before any pixel is decoded.
fn open(
    bytes: &[u8],
    format: ImageFormat,
) -> Result<(impl ImageDecoder + '_, Orientation), MediaError> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("image without pixels".into()));
    }
    // A damaged EXIF block is no reason to refuse a photo: it is shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    if u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODED_BYTES
    {
        let (width, height) = oriented(width, height, orientation);
        return Err(MediaError::TooManyPixels { width, height });
    }
    Ok((decoder, orientation))
}

/// The dimensions once `orientation` is applied.
fn oriented(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// The renditions of an image for pages, narrowest first: one for each of [`WIDTHS`]
/// narrower than the image, and last the image itself at no more than the largest of
/// [`WIDTHS`]. Nothing is ever enlarged.
///
/// Every copy is re-encoded, which drops EXIF (GPS position, camera, date), XMP and
/// comments; the EXIF orientation is applied to the pixels first, and the ICC colour
/// profile is kept so that wide-gamut phone photos keep their colours. JPEG stays JPEG
/// (quality 82) and PNG stays PNG. GIF becomes PNG, from its first frame only. WebP
/// becomes JPEG, or PNG if it has an alpha channel: `image` only writes lossless WebP,
/// which would be heavier than the original.
pub fn renditions(bytes: &[u8]) -> Result<Vec<Rendition>, MediaError> {
    check_size(bytes)?;
    let format = format(bytes).ok_or(MediaError::NotAllowed {
        detected: crate::describe(bytes),
    })?;
    let (mut decoder, orientation) = open(bytes, format)?;
    // A CMYK JPEG is decoded to RGB, so its CMYK profile would no longer fit the pixels.
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|icc| matches!(icc.get(16..20), Some(b"RGB " | b"GRAY")));
    let output = if format == ImageFormat::Jpeg
        || (format == ImageFormat::WebP && !decoder.color_type().has_alpha())
    {
        Output::Jpeg
    } else {
        Output::Png
    };
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    let (width, height) = oriented(image.width(), image.height(), orientation);
    let largest = width.min(WIDTHS[WIDTHS.len() - 1]);

    // Resampling straight alpha would bleed the colour of transparent pixels into the
    // edges; premultiplying in place avoids a second full-size buffer.
    let alpha = image.color().has_alpha();
    let mul_div = MulDiv::new();
    if alpha {
        mul_div
            .multiply_alpha_inplace(&mut image)
            .map_err(unreadable)?;
    }
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .use_alpha(false);
    let mut resizer = Resizer::new();
    let mut resize = |source: &DynamicImage, target: u32| {
        let (raw_width, raw_height) = oriented(target, scaled(height, target, width), orientation);
        let mut resized = DynamicImage::new(raw_width, raw_height, source.color());
        resizer
            .resize(source, &mut resized, &options)
            .map_err(unreadable)?;
        Ok::<_, MediaError>(resized)
    };
    let finish = |mut image: DynamicImage| {
        if alpha {
            mul_div
                .divide_alpha_inplace(&mut image)
                .map_err(unreadable)?;
        }
        image.apply_orientation(orientation);
        output.encode(image, icc.as_deref())
    };

    let mut current = if largest == width {
        image
    } else {
        let resized = resize(&image, largest)?;
        drop(image);
        resized
    };
    let mut renditions = Vec::new();
    // Each rendition is made from the next larger one: much quicker than from the
    // original, and only two are in memory at a time.
    for target in WIDTHS.into_iter().rev().filter(|&target| target < largest) {
        let next = resize(&current, target)?;
        renditions.push(finish(current)?);
        current = next;
    }
    renditions.push(finish(current)?);
    renditions.reverse();
    Ok(renditions)
}

/// `length * target / of`, rounded, never 0.
fn scaled(length: u32, target: u32, of: u32) -> u32 {
    let scaled = (u64::from(length) * u64::from(target) + u64::from(of) / 2) / u64::from(of);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

#[derive(Clone, Copy)]
enum Output {
    Jpeg,
    Png,
}

impl Output {
    fn encode(self, image: DynamicImage, icc: Option<&[u8]>) -> Result<Rendition, MediaError> {
        let gray = matches!(
            image.color(),
            ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16
        );
        let alpha = matches!(self, Output::Png) && image.color().has_alpha();
        let image = match (gray, alpha) {
            (true, false) => DynamicImage::ImageLuma8(image.into_luma8()),
            (true, true) => DynamicImage::ImageLumaA8(image.into_luma_alpha8()),
            (false, false) => DynamicImage::ImageRgb8(image.into_rgb8()),
            (false, true) => DynamicImage::ImageRgba8(image.into_rgba8()),
        };
        let mut bytes = Vec::new();
        let (width, height) = (image.width(), image.height());
        let written = match self {
            Output::Jpeg => {
                let mut encoder = JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY);
                if let Some(icc) = icc {
                    // Best effort: without its profile an image only looks a little duller.
                    let _ = encoder.set_icc_profile(icc.to_vec());
                }
                encoder.write_image(image.as_bytes(), width, height, image.color().into())
            }
            Output::Png => {
                let mut encoder = PngEncoder::new_with_quality(
                    &mut bytes,
                    png::CompressionType::Default,
                    png::FilterType::Adaptive,
                );
                if let Some(icc) = icc {
                    let _ = encoder.set_icc_profile(icc.to_vec());
                }
                encoder.write_image(image.as_bytes(), width, height, image.color().into())
            }
        };
        written.map_err(unreadable)?;
        let (mime, extension) = match self {
            Output::Jpeg => ("image/jpeg", "jpg"),
            Output::Png => ("image/png", "png"),
        };
        Ok(Rendition {
            width,
            height,
            mime,
            extension,
            bytes,
        })
    }
}

fn unreadable(error: impl std::fmt::Display) -> MediaError {
    MediaError::Corrupt(error.to_string())
}

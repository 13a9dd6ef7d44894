use std::io::{Cursor, Write};

use image::codecs::jpeg::JpegEncoder;
use image::{
    DynamicImage, GenericImageView, ImageDecoder, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba,
};
use pico_media::{MAX_BYTES, MediaError, MediaKind, WIDTHS, inspect, renditions};
use zip::write::SimpleFileOptions;

// ---- fixtures ----------------------------------------------------------------------

fn photo(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn zip(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        // ODF wants its `mimetype` stored first and uncompressed.
        let options = if *name == "mimetype" {
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        } else {
            SimpleFileOptions::default()
        };
        writer.start_file(*name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn ooxml(main_part: &str, main_content_type: &str) -> Vec<u8> {
    let types = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/{main_part}" ContentType="{main_content_type}"/></Types>"#
    );
    let rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{main_part}"/></Relationships>"#
    );
    zip(&[
        ("[Content_Types].xml", &types),
        ("_rels/.rels", &rels),
        (main_part, "<document/>"),
    ])
}

fn docx() -> Vec<u8> {
    ooxml(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    )
}

fn odf(mimetype: &str) -> Vec<u8> {
    zip(&[
        ("mimetype", mimetype),
        ("content.xml", "<office:document-content/>"),
        ("META-INF/manifest.xml", "<manifest:manifest/>"),
    ])
}

const PDF: &[u8] = b"%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
trailer << /Root 1 0 R >>
%%EOF
";

/// A JPEG whose EXIF block holds `orientation` and a GPS position, as phones write them.
fn jpeg_with_exif(image: &DynamicImage, orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend([0, 2]); // IFD0: two entries
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]); // Orientation, SHORT, 1
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]);
    tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]); // GPS IFD at offset 38
    tiff.extend([0, 0, 0, 0]);
    tiff.extend([0, 2]); // GPS IFD: two entries
    tiff.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef "N"
    tiff.extend([0, 3, 0, 2, 0, 0, 0, 2, b'E', 0, 0, 0]); // GPSLongitudeRef "E"
    tiff.extend([0, 0, 0, 0]);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(tiff);

    let jpeg = encoded(image, ImageFormat::Jpeg);
    let after_app0 = if jpeg[2..4] == [0xFF, 0xE0] {
        4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]))
    } else {
        2
    };
    [&jpeg[..after_app0], &app1, &jpeg[after_app0..]].concat()
}

/// The markers of a JPEG's segments before its image data.
fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(jpeg[..2], [0xFF, 0xD8]);
    let mut markers = Vec::new();
    let mut at = 2;
    while jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
        markers.push(jpeg[at + 1]);
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    markers
}

/// A PNG announcing `width` × `height` whose pixel data is garbage: only its header can be read.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", &ihdr[..]), (b"IDAT", b"junk"), (b"IEND", b"")] {
        let chunk = [&kind[..], data].concat();
        png.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn decoded(rendition: &pico_media::Rendition) -> DynamicImage {
    image::load_from_memory(&rendition.bytes).unwrap()
}

// ---- what is accepted --------------------------------------------------------------

#[test]
fn images_are_recognised_with_their_dimensions() {
    let image = photo(64, 48);
    for (format, mime, extension) in [
        (ImageFormat::Jpeg, "image/jpeg", "jpg"),
        (ImageFormat::Png, "image/png", "png"),
        (ImageFormat::WebP, "image/webp", "webp"),
        (ImageFormat::Gif, "image/gif", "gif"),
    ] {
        let inspected = inspect(&encoded(&image, format)).unwrap();
        assert_eq!(inspected.kind, MediaKind::Image, "{format:?}");
        assert_eq!((inspected.mime, inspected.extension), (mime, extension));
        assert_eq!((inspected.width, inspected.height), (Some(64), Some(48)));
    }
}

#[test]
fn a_pdf_is_recognised() {
    let inspected = inspect(PDF).unwrap();
    assert_eq!(inspected.kind, MediaKind::Pdf);
    assert_eq!(
        (inspected.mime, inspected.extension),
        ("application/pdf", "pdf")
    );
    assert_eq!((inspected.width, inspected.height), (None, None));
}

#[test]
fn office_documents_are_recognised_from_inside_the_archive() {
    let documents = [
        (
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        (
            ooxml(
                "xl/workbook.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            ),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        (
            ooxml(
                "ppt/presentation.xml",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            ),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        (
            odf("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
            "odt",
        ),
        (
            odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
            "ods",
        ),
        (
            odf("application/vnd.oasis.opendocument.presentation"),
            "application/vnd.oasis.opendocument.presentation",
            "odp",
        ),
    ];
    for (bytes, mime, extension) in documents {
        let inspected = inspect(&bytes).unwrap();
        assert_eq!(inspected.kind, MediaKind::Document, "{extension}");
        assert_eq!((inspected.mime, inspected.extension), (mime, extension));
    }
}

#[test]
fn a_phone_photo_taken_upright_reports_its_upright_size() {
    // Stored landscape, with EXIF orientation 6: shown rotated 90° clockwise.
    let inspected = inspect(&jpeg_with_exif(&photo(400, 200), 6)).unwrap();
    assert_eq!((inspected.width, inspected.height), (Some(200), Some(400)));
}

// ---- what is refused ---------------------------------------------------------------

#[test]
fn an_empty_file_is_refused() {
    let error = inspect(b"").unwrap_err();
    assert!(matches!(error, MediaError::Empty));
    assert_eq!(error.message("vuoto.pdf"), "Il file «vuoto.pdf» è vuoto.");
}

#[test]
fn a_file_over_20_mb_is_refused() {
    let mut bytes = PDF.to_vec();
    bytes.resize(MAX_BYTES + 1, b' ');
    let error = inspect(&bytes).unwrap_err();
    assert!(matches!(error, MediaError::TooLarge { size } if size == MAX_BYTES + 1));
    assert!(error.message("bilancio.pdf").contains("supera i 20 MB"));

    bytes.truncate(MAX_BYTES);
    assert_eq!(inspect(&bytes).unwrap().kind, MediaKind::Pdf);
}

#[test]
fn an_html_page_renamed_pdf_is_refused() {
    let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
    let error = inspect(html).unwrap_err();
    assert!(matches!(
        error,
        MediaError::NotAllowed {
            detected: Some("text/html")
        }
    ));
    assert_eq!(
        error.message("delibera.pdf"),
        "Il file «delibera.pdf» non è di un tipo ammesso: si possono caricare immagini \
         (JPEG, PNG, WebP, GIF), PDF e documenti (Word, Excel, PowerPoint, OpenDocument)."
    );
}

#[test]
fn a_program_renamed_jpg_is_refused() {
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0This program cannot be run in DOS mode.";
    let error = inspect(exe).unwrap_err();
    assert!(matches!(
        error,
        MediaError::NotAllowed {
            detected: Some("application/x-msdownload")
        }
    ));
    assert!(
        error
            .message("foto.jpg")
            .starts_with("Il file «foto.jpg» non è di un tipo ammesso")
    );
}

#[test]
fn svg_is_refused_because_it_can_carry_scripts() {
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let error = inspect(svg).unwrap_err();
    assert!(matches!(
        error,
        MediaError::NotAllowed {
            detected: Some("image/svg+xml")
        }
    ));
}

#[test]
fn archives_that_are_not_office_documents_are_refused() {
    let plain = zip(&[("leggimi.txt", "ciao"), ("setup.exe", "MZ")]);
    let epub = odf("application/epub+zip");
    let drawing = odf("application/vnd.oasis.opendocument.graphics");
    for bytes in [plain, epub, drawing] {
        assert!(matches!(
            inspect(&bytes).unwrap_err(),
            MediaError::NotAllowed {
                detected: Some("application/zip")
            }
        ));
    }
}

#[test]
fn office_documents_with_macros_are_refused() {
    let docm = ooxml(
        "word/document.xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    );
    let error = inspect(&docm).unwrap_err();
    assert!(matches!(error, MediaError::Macros));
    assert!(error.message("verbale.docm").contains("contiene macro"));
}

#[test]
fn legacy_office_files_are_refused_with_a_way_out() {
    let mut doc = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    doc.resize(4096, 0);
    let error = inspect(&doc).unwrap_err();
    assert!(matches!(error, MediaError::LegacyOffice));
    assert!(
        error
            .message("relazione.doc")
            .contains("salvalo come .docx")
    );
}

#[test]
fn a_truncated_document_is_reported_as_damaged() {
    let docx = docx();
    let error = inspect(&docx[..docx.len() / 2]).unwrap_err();
    assert!(matches!(error, MediaError::Corrupt(_)));
    assert!(error.message("bando.docx").contains("danneggiato"));
}

#[test]
fn a_huge_image_is_refused_from_its_header_without_decoding() {
    // Decoding its garbage pixel data would fail, so refusing it as too large proves that
    // no pixel was decoded, and that 10 GB were never allocated.
    let bomb = png_header(50_000, 50_000);
    for error in [inspect(&bomb).unwrap_err(), renditions(&bomb).unwrap_err()] {
        assert!(matches!(
            error,
            MediaError::TooManyPixels {
                width: 50_000,
                height: 50_000
            }
        ));
        assert_eq!(
            error.message("mappa.png"),
            "L'immagine «mappa.png» è troppo grande (50000 × 50000 pixel): riducila, per \
             esempio a 4000 pixel sul lato lungo, e caricala di nuovo."
        );
    }
    let at_the_limit = png_header(4_000, 4_000);
    assert!(inspect(&at_the_limit).is_ok());
    assert!(matches!(
        renditions(&at_the_limit).unwrap_err(),
        MediaError::Corrupt(_)
    ));
}

// ---- renditions --------------------------------------------------------------------

#[test]
fn a_large_photo_gets_every_width_keeping_its_proportions() {
    let renditions = renditions(&encoded(&photo(1800, 900), ImageFormat::Jpeg)).unwrap();
    let sizes: Vec<_> = renditions.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(480, 240), (960, 480), (1600, 800)]);
    for rendition in &renditions {
        assert_eq!((rendition.mime, rendition.extension), ("image/jpeg", "jpg"));
        assert_eq!(
            decoded(rendition).dimensions(),
            (rendition.width, rendition.height)
        );
    }
}

#[test]
fn no_rendition_is_wider_than_the_original() {
    for (width, expected) in [
        (1200, vec![480, 960, 1200]),
        (960, vec![480, 960]),
        (700, vec![480, 700]),
        (300, vec![300]),
    ] {
        let png = encoded(&photo(width, 100), ImageFormat::Png);
        let widths: Vec<_> = renditions(&png).unwrap().iter().map(|r| r.width).collect();
        assert_eq!(widths, expected, "original {width} wide");
        assert!(widths.iter().all(|&w| w <= width && w <= WIDTHS[2]));
    }
}

#[test]
fn renditions_drop_the_gps_position_and_keep_the_photo_upright() {
    // Left half red, right half blue, stored landscape with EXIF orientation 6.
    let raw = DynamicImage::ImageRgb8(RgbImage::from_fn(1200, 600, |x, _| {
        if x < 600 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    }));
    let jpeg = jpeg_with_exif(&raw, 6);
    assert!(jpeg_markers(&jpeg).contains(&0xE1));

    let renditions = renditions(&jpeg).unwrap();
    let sizes: Vec<_> = renditions.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(480, 960), (600, 1200)]);
    for rendition in &renditions {
        assert!(
            !jpeg_markers(&rendition.bytes).contains(&0xE1),
            "no APP1 (EXIF, XMP)"
        );
        assert!(!rendition.bytes.windows(4).any(|w| w == b"Exif"));
        // Rotated clockwise: what was on the left is now on top.
        let image = decoded(rendition).to_rgb8();
        let top = image.get_pixel(rendition.width / 2, rendition.height / 4);
        let bottom = image.get_pixel(rendition.width / 2, rendition.height * 3 / 4);
        assert!(top[0] > 200 && top[2] < 60, "top is red: {top:?}");
        assert!(
            bottom[2] > 200 && bottom[0] < 60,
            "bottom is blue: {bottom:?}"
        );
    }
}

#[test]
fn the_colour_profile_is_kept_when_it_fits_the_pixels() {
    let image = photo(1000, 500).to_rgb8();
    let jpeg_with_profile = |colour_space: &[u8; 4]| {
        // Only the header's colour space field matters here.
        let mut profile = vec![0; 128];
        profile[16..20].copy_from_slice(colour_space);
        let mut jpeg = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, 90);
        encoder.set_icc_profile(profile.clone()).unwrap();
        encoder
            .write_image(&image, 1000, 500, image::ExtendedColorType::Rgb8)
            .unwrap();
        (jpeg, profile)
    };
    let profile_of = |rendition: &pico_media::Rendition| {
        image::codecs::jpeg::JpegDecoder::new(Cursor::new(&rendition.bytes))
            .unwrap()
            .icc_profile()
            .unwrap()
    };

    let (rgb, profile) = jpeg_with_profile(b"RGB ");
    for rendition in renditions(&rgb).unwrap() {
        assert_eq!(profile_of(&rendition), Some(profile.clone()));
    }
    let (cmyk, _) = jpeg_with_profile(b"CMYK");
    for rendition in renditions(&cmyk).unwrap() {
        assert_eq!(profile_of(&rendition), None);
    }
}

#[test]
fn transparent_images_stay_png_without_dark_fringes() {
    // A white disc on a transparent black background: downscaling must not blend the
    // invisible black into the disc's edge.
    let logo = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(1000, 1000, |x, y| {
        let (dx, dy) = (x as i64 - 500, y as i64 - 500);
        if dx * dx + dy * dy < 400 * 400 {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    }));
    for format in [ImageFormat::Png, ImageFormat::WebP] {
        let renditions = renditions(&encoded(&logo, format)).unwrap();
        assert_eq!(renditions.len(), 3);
        for rendition in &renditions {
            assert_eq!((rendition.mime, rendition.extension), ("image/png", "png"));
            let image = decoded(rendition).to_rgba8();
            assert_eq!(image.get_pixel(0, 0)[3], 0, "corners stay transparent");
            let edge = image.pixels().filter(|p| p[3] > 0 && p[3] < 255);
            for pixel in edge {
                assert!(pixel[0] >= 250, "edge pixel darkened: {pixel:?}");
            }
        }
    }
}

#[test]
fn opaque_webp_becomes_jpeg_and_gif_becomes_png() {
    let image = photo(1000, 500);
    let webp = renditions(&encoded(&image, ImageFormat::WebP)).unwrap();
    assert!(
        webp.iter()
            .all(|r| r.mime == "image/jpeg" && r.extension == "jpg")
    );
    let gif = renditions(&encoded(&image, ImageFormat::Gif)).unwrap();
    assert!(
        gif.iter()
            .all(|r| r.mime == "image/png" && r.extension == "png")
    );
    let sizes: Vec<_> = gif.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(480, 240), (960, 480), (1000, 500)]);
}

#[test]
fn renditions_refuse_what_is_not_an_image() {
    assert!(matches!(
        renditions(PDF).unwrap_err(),
        MediaError::NotAllowed { .. }
    ));
    assert!(matches!(renditions(b"").unwrap_err(), MediaError::Empty));
}

#[test]
fn a_truncated_image_is_reported_as_damaged() {
    let png = encoded(&photo(600, 400), ImageFormat::Png);
    let error = renditions(&png[..png.len() / 2]).unwrap_err();
    assert!(matches!(error, MediaError::Corrupt(_)), "{error:?}");
}

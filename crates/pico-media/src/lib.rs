//! A space's media library: decides from the bytes — never from the file name or the
//! browser's declared type — what an uploaded file is and whether it may be published,
//! and makes the resized, metadata-free renditions of images that pages show.
//!
//! Accepted: images (JPEG, PNG, WebP, GIF), PDF, and office documents in the current
//! open formats (DOCX, XLSX, PPTX, ODT, ODS, ODP). Refused, among others: SVG (it can
//! carry scripts), HTML, executables, plain ZIP archives, Office files with macros and
//! the legacy binary Office formats (DOC, XLS, PPT: they cannot be told apart from other
//! OLE2 containers without parsing them, and they are where macro malware lives).
//!
//! Every [`MediaError`] has an Italian message for the editor: [`MediaError::message`].

mod office;
mod raster;

pub use raster::{MAX_PIXELS, Rendition, WIDTHS, renditions};

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// What an accepted file is, broadly: it decides how pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Pdf,
    /// An office document: DOCX, XLSX, PPTX, ODT, ODS or ODP.
    Document,
}

/// An accepted file: its type as read from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub kind: MediaKind,
    pub mime: &'static str,
    /// The extension to store and serve the file with, whatever the uploaded name had.
    pub extension: &'static str,
    /// For images, the size as displayed, after the EXIF orientation is applied.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Reads what `bytes` are and whether they are accepted. Images are checked against
/// [`MAX_PIXELS`] from their header alone; their pixels are decoded only by [`renditions`].
pub fn inspect(bytes: &[u8]) -> Result<Inspected, MediaError> {
    check_size(bytes)?;
    if let Some(format) = raster::format(bytes) {
        let (width, height) = raster::dimensions(bytes, format)?;
        return Ok(Inspected {
            kind: MediaKind::Image,
            mime: format.to_mime_type(),
            extension: format.extensions_str()[0],
            width: Some(width),
            height: Some(height),
        });
    }
    let (kind, mime, extension) = if bytes.starts_with(b"%PDF-") {
        (MediaKind::Pdf, "application/pdf", "pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        let (mime, extension) = office::sniff(bytes)?;
        (MediaKind::Document, mime, extension)
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(MediaError::LegacyOffice);
    } else {
        return Err(MediaError::NotAllowed {
            detected: describe(bytes),
        });
    };
    Ok(Inspected {
        kind,
        mime,
        extension,
        width: None,
        height: None,
    })
}

fn check_size(bytes: &[u8]) -> Result<(), MediaError> {
    match bytes.len() {
        0 => Err(MediaError::Empty),
        size if size > MAX_BYTES => Err(MediaError::TooLarge { size }),
        _ => Ok(()),
    }
}

/// Names what a refused file seems to be, for the logs.
fn describe(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"MZ") {
        return Some("application/x-msdownload");
    }
    if bytes.starts_with(b"\x7FELF") {
        return Some("application/x-executable");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<svg") {
        Some("image/svg+xml")
    } else if head.contains("<html") || head.contains("<!doctype html") {
        Some("text/html")
    } else {
        image::guess_format(bytes)
            .ok()
            .map(|format| format.to_mime_type())
    }
}

/// Why a file was refused. `Display` is for the logs; [`MediaError::message`] is for the editor.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("empty file")]
    Empty,
    #[error("file of {size} bytes, more than {MAX_BYTES}")]
    TooLarge { size: usize },
    #[error("file type not allowed (detected: {})", .detected.unwrap_or("unknown"))]
    NotAllowed { detected: Option<&'static str> },
    /// An OLE2 container: DOC, XLS, PPT, or an OOXML file protected by a password.
    #[error("legacy binary Office format or password-protected Office file")]
    LegacyOffice,
    #[error("Office document with macros")]
    Macros,
    /// Dimensions as displayed, after the EXIF orientation.
    #[error("image of {width}x{height} pixels, over the limit")]
    TooManyPixels { width: u32, height: u32 },
    /// Recognised by its signature but unreadable: truncated, damaged or an unsupported variant.
    #[error("unreadable file: {0}")]
    Corrupt(String),
}

impl MediaError {
    /// The Italian message for the editor who uploaded `filename`.
    pub fn message(&self, filename: &str) -> String {
        match self {
            Self::Empty => format!("Il file «{filename}» è vuoto."),
            Self::TooLarge { .. } => format!(
                "Il file «{filename}» supera i {} MB, la dimensione massima consentita.",
                MAX_BYTES / (1024 * 1024)
            ),
            Self::NotAllowed { .. } => format!(
                "Il file «{filename}» non è di un tipo ammesso: si possono caricare immagini \
                 (JPEG, PNG, WebP, GIF), PDF e documenti (Word, Excel, PowerPoint, OpenDocument)."
            ),
            Self::LegacyOffice => format!(
                "Il file «{filename}» è nel vecchio formato di Office (.doc, .xls, .ppt) oppure è \
                 protetto da password: salvalo come .docx, .xlsx, .pptx o PDF, senza password, \
                 e caricalo di nuovo."
            ),
            Self::Macros => format!(
                "Il file «{filename}» contiene macro, che per sicurezza non sono ammesse: salvalo \
                 come documento senza macro (.docx, .xlsx, .pptx) e caricalo di nuovo."
            ),
            Self::TooManyPixels { width, height } => format!(
                "L'immagine «{filename}» è troppo grande ({width} × {height} pixel): riducila, \
                 per esempio a {side} pixel sul lato lungo, e caricala di nuovo.",
                side = MAX_PIXELS.isqrt()
            ),
            Self::Corrupt(_) => format!(
                "Non si riesce a leggere il file «{filename}»: potrebbe essere danneggiato o \
                 incompleto. Prova a salvarlo di nuovo e a ricaricarlo."
            ),
        }
    }
}

//! Office documents are ZIP archives; what they are is written inside them.

use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::MediaError;

/// OOXML: the content type of the main part, as declared in `[Content_Types].xml`, then
/// the file's MIME type and extension. Templates, slide shows and macro-enabled variants
/// declare other content types, so they are not matched.
const OOXML: [(&str, &str, &str); 3] = [
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
];

/// OpenDocument: the content of the `mimetype` entry, and the extension.
const ODF: [(&str, &str); 3] = [
    ("application/vnd.oasis.opendocument.text", "odt"),
    ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    ("application/vnd.oasis.opendocument.presentation", "odp"),
];

const NOT_OFFICE: MediaError = MediaError::NotAllowed {
    detected: Some("application/zip"),
};

/// The MIME type and extension of an office document in a ZIP archive.
pub(crate) fn sniff(bytes: &[u8]) -> Result<(&'static str, &'static str), MediaError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if let Some(mimetype) = read(&mut archive, "mimetype", 256)? {
        return ODF
            .into_iter()
            .find(|(mime, _)| mimetype.trim() == *mime)
            .ok_or(NOT_OFFICE);
    }
    if let Some(types) = read(&mut archive, "[Content_Types].xml", 1024 * 1024)? {
        if types.contains("macroEnabled") || types.contains("vbaProject") {
            return Err(MediaError::Macros);
        }
        if let Some((_, mime, extension)) =
            OOXML.into_iter().find(|(main, ..)| types.contains(main))
        {
            return Ok((mime, extension));
        }
    }
    Err(NOT_OFFICE)
}

/// At most `limit` bytes of an entry, so that a ZIP bomb stays harmless.
fn read(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Option<String>, MediaError> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(unreadable(error)),
    };
    let mut content = Vec::new();
    entry
        .take(limit)
        .read_to_end(&mut content)
        .map_err(unreadable)?;
    Ok(Some(String::from_utf8_lossy(&content).into_owned()))
}

fn unreadable(error: impl std::fmt::Display) -> MediaError {
    MediaError::Corrupt(format!("zip: {error}"))
}

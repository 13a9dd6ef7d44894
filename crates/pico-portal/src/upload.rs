//! An upload to the media library: read from the multipart form, checked from its bytes by
//! `pico_media`, and stored (an image as its renditions). Nothing reaches the storage before
//! every check has passed.

use crate::model::library::{self, NewFile, Stored};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use pico_kernel::{AppState, Error};
use pico_media::{MAX_BYTES, MediaError, MediaKind, Rendition};
use tokio::sync::Semaphore;

/// The largest request the upload form may send: the largest file and the other fields.
pub const BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;

const MAX_ALT: usize = 300;
const MAX_TITLE: usize = 200;

/// Making the renditions of an image decodes all of it: up to about 100 MB of memory and a
/// core for some seconds. One image at a time per node keeps uploads from starving pages.
static RENDERING: Semaphore = Semaphore::const_new(1);

/// The upload form as sent.
#[derive(Default)]
pub struct UploadForm {
    pub csrf: String,
    /// The name on the editor's computer, without its folders.
    pub filename: String,
    pub bytes: Vec<u8>,
    pub alt: String,
    pub title: String,
}

/// Why an upload was refused: the field to fix, the Italian message and the status of the
/// page that says it.
pub struct Refusal {
    pub field: &'static str,
    pub status: StatusCode,
    pub message: String,
}

impl Refusal {
    /// The message if it is about `field`.
    pub fn about(&self, field: &str) -> Option<&str> {
        (self.field == field).then_some(self.message.as_str())
    }

    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }

    fn of(error: &MediaError, filename: &str) -> Self {
        let status = match error {
            MediaError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self {
            field: "file",
            status,
            message: error.message(filename),
        }
    }
}

pub async fn read(mut multipart: Multipart) -> Result<UploadForm, Refusal> {
    let mut form = UploadForm::default();
    let failed = |error: MultipartError, filename: &str| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            // Cut off at the body limit: the file is at least that large.
            Refusal::of(&MediaError::TooLarge { size: BODY_LIMIT }, filename)
        } else {
            Refusal::invalid("file", "Il caricamento non è riuscito: riprova.")
        }
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| failed(e, &form.filename))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            form.filename = clean_filename(field.file_name().unwrap_or_default());
        }
        let bytes = field.bytes().await.map_err(|e| failed(e, &form.filename))?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => form.csrf = text(),
            "alt" => form.alt = text(),
            "title" => form.title = text(),
            "file" => form.bytes = bytes.to_vec(),
            _ => {}
        }
    }
    Ok(form)
}

/// The last part of the name, as some browsers send the whole path; empty when no file
/// was chosen.
fn clean_filename(name: &str) -> String {
    let name: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    name.trim().to_owned()
}

/// Checks the upload and stores it; the returned file still has to be saved in the library.
pub async fn accept(
    state: &AppState,
    space_id: i32,
    uploaded_by: i32,
    form: UploadForm,
) -> Result<Result<NewFile, Refusal>, Error> {
    if form.filename.is_empty() {
        return Ok(Err(Refusal::invalid("file", "Scegli il file da caricare.")));
    }
    let inspected = match pico_media::inspect(&form.bytes) {
        Ok(inspected) => inspected,
        Err(error) => return Ok(Err(refused(&error, &form.filename))),
    };
    let image = inspected.kind == MediaKind::Image;
    let (alt, title) = match description(image, &form.alt, &form.title) {
        Ok(description) => description,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let prefix = format!("library/{space_id}");
    let mut file = NewFile {
        space_id,
        key: String::new(),
        filename: form.filename,
        kind: inspected.kind.into(),
        mime: inspected.mime.into(),
        size: form.bytes.len(),
        alt,
        title,
        uploaded_by,
        renditions: Vec::new(),
    };
    if image {
        let renditions = match render(form.bytes).await? {
            Ok(renditions) => renditions,
            Err(error) => return Ok(Err(refused(&error, &file.filename))),
        };
        for Rendition {
            width,
            height,
            mime,
            extension,
            bytes,
        } in renditions
        {
            // The largest copy comes last: it is the library's image.
            file.size = bytes.len();
            file.mime = mime.into();
            file.key = state.storage.put(&prefix, extension, bytes).await?;
            file.renditions.push(Stored {
                key: file.key.clone(),
                width,
                height,
                mime,
            });
        }
    } else {
        file.key = state
            .storage
            .put(&prefix, inspected.extension, form.bytes)
            .await?;
    }
    // Keys are content hashes, so storing the same file again changed nothing.
    if let Some(existing) = library::by_key(&state.db, space_id, &file.key).await? {
        return Ok(Err(Refusal::invalid(
            "file",
            format!(
                "Il file «{}» è già nella libreria, con il nome «{}».",
                file.filename, existing.filename
            ),
        )));
    }
    Ok(Ok(file))
}

/// The alternative text (images only, where it is required) and the title of a file, each
/// on one line, or what is wrong with them.
pub fn description(
    image: bool,
    alt: &str,
    title: &str,
) -> Result<(Option<String>, String), Refusal> {
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (alt, title) = (one_line(alt), one_line(title));
    if image && alt.is_empty() {
        Err(Refusal::invalid(
            "alt",
            "Descrivi l'immagine per chi non la vede (testo alternativo).",
        ))
    } else if alt.chars().count() > MAX_ALT {
        Err(Refusal::invalid(
            "alt",
            format!("Il testo alternativo può avere al massimo {MAX_ALT} caratteri."),
        ))
    } else if title.chars().count() > MAX_TITLE {
        Err(Refusal::invalid(
            "title",
            format!("Il titolo può avere al massimo {MAX_TITLE} caratteri."),
        ))
    } else {
        Ok((image.then_some(alt), title))
    }
}

fn refused(error: &MediaError, filename: &str) -> Refusal {
    tracing::info!(%error, filename, "upload refused");
    Refusal::of(error, filename)
}

async fn render(bytes: Vec<u8>) -> Result<Result<Vec<Rendition>, MediaError>, Error> {
    let permit = RENDERING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    // The permit goes with the work: a request given up by its client does not free it early.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        pico_media::renditions(&bytes)
    })
    .await
    .map_err(|e| Error::Internal(e.into()))
}

/// Removes the stored files of a file deleted from the library. A failure only leaves an
/// unreachable file behind, so it is logged rather than shown.
pub async fn remove(state: &AppState, keys: Vec<String>) {
    for key in keys {
        if let Err(error) = state.storage.delete(&key).await {
            tracing::warn!(%error, key, "stored file not removed");
        }
    }
}

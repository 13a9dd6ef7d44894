//! The media library of a space, for its editors: the list of its files with where they are
//! used, the upload form, the description of a file (alternative text and title), and
//! deleting a file, which is refused while some content still uses it.

use crate::manage::CsrfOnly;
use crate::model::library::{self, User};
use crate::model::{media, media_rendition};
use crate::pictures;
use crate::time;
use crate::upload::{self, Refusal};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use pico_kernel::identity::Actor;
use pico_kernel::policy::{Action, authorize};
use pico_kernel::spaces::Space;
use pico_kernel::web::audit_log::record;
use pico_kernel::web::{Chrome, ClientAddress, Crumb, CurrentSpace, check_csrf, render};
use pico_kernel::{AppState, Error};
use serde::{Deserialize, Serialize};

/// A file as the editors' pages show it.
struct FileView {
    name: String,
    filename: String,
    url: String,
    edit_url: String,
    thumbnail: Option<String>,
    kind: &'static str,
    size: String,
    dimensions: Option<String>,
    uploaded: String,
}

impl FileView {
    fn of(space: &Space, file: &media::Model, renditions: &[media_rendition::Model]) -> Self {
        Self {
            name: library::name(file).to_owned(),
            filename: file.filename.clone(),
            url: pictures::url(&file.key),
            edit_url: space.path_to(&format!("/gestione/media/{}", file.id)),
            thumbnail: pictures::thumbnail(renditions),
            kind: type_label(&file.mime),
            size: human_size(file.size),
            dimensions: file
                .width
                .zip(file.height)
                .map(|(w, h)| format!("{w} × {h} pixel")),
            uploaded: time::date(file.created_at),
        }
    }
}

fn type_label(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "Immagine JPEG",
        "image/png" => "Immagine PNG",
        "application/pdf" => "PDF",
        m if m.ends_with("wordprocessingml.document") => "Documento Word",
        m if m.ends_with("spreadsheetml.sheet") => "Foglio Excel",
        m if m.ends_with("presentationml.presentation") => "Presentazione PowerPoint",
        m if m.ends_with("opendocument.text") => "Documento OpenDocument",
        m if m.ends_with("opendocument.spreadsheet") => "Foglio OpenDocument",
        m if m.ends_with("opendocument.presentation") => "Presentazione OpenDocument",
        _ => "File",
    }
}

/// "350 KB", "1,2 MB".
fn human_size(bytes: i64) -> String {
    const MB: i64 = 1024 * 1024;
    if bytes < MB {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{},{} MB", bytes / MB, bytes % MB * 10 / MB)
    }
}

async fn chrome(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    title: &str,
    path: &str,
) -> Result<Chrome, Error> {
    let mut crumbs = vec![Crumb::link("Gestione", space.path_to("/gestione"))];
    if title != "Media" {
        crumbs.push(Crumb::link("Media", space.path_to("/gestione/media")));
    }
    crumbs.push(Crumb::here(title.to_owned()));
    Ok(Chrome::new(state, space, actor, title.to_owned(), path, crumbs).await?)
}

#[derive(Template)]
#[template(path = "manage/media_list.html")]
struct ListPage {
    chrome: Chrome,
    space: Space,
    rows: Vec<(FileView, usize)>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct Done {
    fatto: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let files = library::all_of_space(&state.db, space.id).await?;
    let mut renditions = library::renditions_of(&state.db, files.iter().map(|f| f.id)).await?;
    let keys: Vec<&str> = files.iter().map(|f| f.key.as_str()).collect();
    let users = library::users(&state.db, space.id, &keys).await?;
    let rows = files
        .iter()
        .map(|file| {
            let view = FileView::of(
                &space,
                file,
                &renditions.remove(&file.id).unwrap_or_default(),
            );
            (view, users.get(&file.key).map_or(0, Vec::len))
        })
        .collect();
    let notice = match done.fatto.as_deref() {
        Some("caricato") => Some("File caricato nella libreria."),
        Some("eliminato") => Some("File eliminato."),
        _ => None,
    };
    let path = space.path_to("/gestione/media");
    Ok(render(&ListPage {
        chrome: chrome(&state, &actor, &space, "Media", &path).await?,
        rows,
        notice,
        space,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "manage/media_upload.html")]
struct UploadPage {
    chrome: Chrome,
    action: String,
    csrf: String,
    alt: String,
    title: String,
    refusal: Option<Refusal>,
}

impl UploadPage {
    fn problem(&self, field: &str) -> Option<&str> {
        self.refusal.as_ref()?.about(field)
    }
}

async fn upload_page(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    alt: String,
    title: String,
) -> Result<UploadPage, Error> {
    let action = space.path_to("/gestione/media/carica");
    Ok(UploadPage {
        chrome: chrome(state, actor, space, "Carica un file", &action).await?,
        csrf: actor.csrf_token(),
        action,
        alt,
        title,
        refusal: None,
    })
}

/// The upload form again, saying what to fix.
fn refused(mut page: UploadPage, refusal: Refusal) -> Result<Response, Error> {
    let status = refusal.status;
    page.refusal = Some(refusal);
    Ok((status, render(&page)?).into_response())
}

/// The library as the text editor offers it (`/gestione/media/scelta`): images to show in the
/// text, with the alternative text kept in the library, and other files to link to.
#[derive(Serialize)]
pub struct Choices {
    images: Vec<ImageChoice>,
    files: Vec<FileChoice>,
}

#[derive(Serialize)]
struct ImageChoice {
    name: String,
    src: String,
    thumbnail: Option<String>,
    alt: String,
}

#[derive(Serialize)]
struct FileChoice {
    href: String,
    /// What a link to it says: "Bando di gara (PDF, 350 KB)".
    text: String,
}

pub async fn choices(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Json<Choices>, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let files = library::all_of_space(&state.db, space.id).await?;
    let mut renditions = library::renditions_of(&state.db, files.iter().map(|f| f.id)).await?;
    let mut choices = Choices {
        images: Vec::new(),
        files: Vec::new(),
    };
    for file in &files {
        if library::is_image(file) {
            choices.images.push(ImageChoice {
                name: library::name(file).to_owned(),
                src: pictures::url(&file.key),
                thumbnail: pictures::thumbnail(&renditions.remove(&file.id).unwrap_or_default()),
                alt: file.alt.clone().unwrap_or_default(),
            });
        } else {
            choices.files.push(FileChoice {
                href: pictures::url(&file.key),
                text: format!(
                    "{} ({}, {})",
                    library::name(file),
                    type_label(&file.mime),
                    human_size(file.size)
                ),
            });
        }
    }
    Ok(Json(choices))
}

pub async fn upload_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let page = upload_page(&state, &actor, &space, String::new(), String::new()).await?;
    Ok(render(&page)?.into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    multipart: Multipart,
) -> Result<Response, Error> {
    authorize(&actor, Action::EditContent(&space))?;
    let form = match upload::read(multipart).await {
        Ok(form) => form,
        Err(refusal) => {
            let page = upload_page(&state, &actor, &space, String::new(), String::new());
            return refused(page.await?, refusal);
        }
    };
    check_csrf(&actor, &form.csrf)?;
    let (alt, title) = (form.alt.clone(), form.title.clone());
    let author = actor.person().ok_or(Error::Unauthenticated)?.id;
    let file = match upload::accept(&state, space.id, author, form).await? {
        Ok(file) => file,
        Err(refusal) => {
            let page = upload_page(&state, &actor, &space, alt, title);
            return refused(page.await?, refusal);
        }
    };
    let file = library::create(&state.db, file).await?;
    record(
        &state,
        &actor,
        &from,
        "media.upload",
        format!("File «{}»", file.filename),
        Some(space.id),
        serde_json::json!({ "id": file.id, "key": file.key }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/media?fatto=caricato")).into_response())
}

#[derive(Template)]
#[template(path = "manage/media_edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    file: FileView,
    image: bool,
    alt: String,
    title: String,
    users: Vec<(String, String)>,
    action: String,
    delete_action: String,
    refusal: Option<Refusal>,
    /// Why the file could not be deleted.
    error: Option<String>,
    notice: Option<&'static str>,
}

impl EditPage {
    fn problem(&self, field: &str) -> Option<&str> {
        self.refusal.as_ref()?.about(field)
    }
}

/// The file `id` of `space`, for someone who may edit the space's content.
async fn editable(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    id: i32,
) -> Result<media::Model, Error> {
    authorize(actor, Action::EditContent(space))?;
    library::of_space(&state.db, space.id, id)
        .await?
        .ok_or(Error::NotFound)
}

async fn users_of(state: &AppState, file: &media::Model) -> Result<Vec<User>, Error> {
    Ok(
        library::users(&state.db, file.space_id, &[file.key.as_str()])
            .await?
            .remove(&file.key)
            .unwrap_or_default(),
    )
}

async fn edit_page(
    state: &AppState,
    actor: &Actor,
    space: &Space,
    file: &media::Model,
    (alt, title): (String, String),
) -> Result<EditPage, Error> {
    let renditions = library::renditions_of(&state.db, [file.id])
        .await?
        .remove(&file.id)
        .unwrap_or_default();
    let view = FileView::of(space, file, &renditions);
    let chrome = chrome(state, actor, space, &view.name, &view.edit_url).await?;
    Ok(EditPage {
        chrome,
        csrf: actor.csrf_token(),
        image: library::is_image(file),
        alt,
        title,
        users: users_of(state, file)
            .await?
            .into_iter()
            .map(|u| {
                let url = space.path_to(&format!("/gestione/contenuti/{}", u.id));
                (u.title, url)
            })
            .collect(),
        action: view.edit_url.clone(),
        delete_action: format!("{}/elimina", view.edit_url),
        file: view,
        refusal: None,
        error: None,
        notice: None,
    })
}

fn described(file: &media::Model) -> (String, String) {
    (file.alt.clone().unwrap_or_default(), file.title.clone())
}

pub async fn edit_form(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Query(done): Query<Done>,
) -> Result<Response, Error> {
    let file = editable(&state, &actor, &space, id).await?;
    let mut page = edit_page(&state, &actor, &space, &file, described(&file)).await?;
    page.notice = (done.fatto.as_deref() == Some("salvato")).then_some("Modifiche salvate.");
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct DescriptionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    alt: String,
    #[serde(default)]
    title: String,
}

pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<DescriptionForm>,
) -> Result<Response, Error> {
    let file = editable(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    let (alt, title) = match upload::description(library::is_image(&file), &form.alt, &form.title) {
        Ok(description) => description,
        Err(refusal) => {
            let status = refusal.status;
            let mut page = edit_page(&state, &actor, &space, &file, (form.alt, form.title)).await?;
            page.refusal = Some(refusal);
            return Ok((status, render(&page)?).into_response());
        }
    };
    library::describe(&state.db, file, alt, title).await?;
    Ok(
        Redirect::to(&space.path_to(&format!("/gestione/media/{id}?fatto=salvato")))
            .into_response(),
    )
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    from: ClientAddress,
    CurrentSpace(space): CurrentSpace,
    Path((_, id)): Path<(String, i32)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, Error> {
    let file = editable(&state, &actor, &space, id).await?;
    check_csrf(&actor, &form.csrf)?;
    // Deleting a file still shown would leave holes in published pages: the editor first
    // takes it out of the content the page lists.
    if !users_of(&state, &file).await?.is_empty() {
        let mut page = edit_page(&state, &actor, &space, &file, described(&file)).await?;
        page.error = Some(
            "Il file è usato dai contenuti elencati qui sotto: toglilo da ciascuno, poi \
             eliminalo."
                .into(),
        );
        return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
    }
    let mut keys: Vec<String> = library::renditions_of(&state.db, [file.id])
        .await?
        .remove(&file.id)
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.key)
        .collect();
    if !keys.contains(&file.key) {
        keys.push(file.key.clone());
    }
    library::delete(&state.db, &file).await?;
    upload::remove(&state, keys).await;
    record(
        &state,
        &actor,
        &from,
        "media.delete",
        format!("File «{}»", file.filename),
        Some(space.id),
        serde_json::json!({ "id": file.id, "key": file.key }),
    )
    .await?;
    Ok(Redirect::to(&space.path_to("/gestione/media?fatto=eliminato")).into_response())
}

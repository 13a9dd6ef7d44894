//! The media library over HTTP: editors upload images and documents, checked from their
//! bytes; images are resized and shown with `srcset`; files in use cannot be deleted; nobody
//! outside the space's editors sees or touches its library.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, field_value, texts};
use pico_kernel::{Registry, spaces};
use pico_portal::model::{library, media, media_rendition};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::io::{Cursor, Write};
use std::sync::Arc;

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![Arc::new(pico_portal::Portal)])).await
}

/// A signed-in person holding `role` in the space `slug`.
async fn staff(app: &TestApp, role: Role, slug: &str) -> Browser {
    let email = format!("{}@{slug}.it", role.as_str());
    app.person_with_role(&email, role, Some(slug)).await;
    let browser = app.browser();
    browser.login(&email, PASSWORD).await;
    browser
}

fn photo(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 90])
    }));
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn docx() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("[Content_Types].xml", options).unwrap();
    writer
        .write_all(
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        )
        .unwrap();
    writer.start_file("word/document.xml", options).unwrap();
    writer.write_all(b"<document/>").unwrap();
    writer.finish().unwrap().into_inner()
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Sends the upload form of `space`'s library.
async fn upload(
    browser: &Browser,
    space: &str,
    (name, bytes): (&str, Vec<u8>),
    alt: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    let path = format!("/{space}/gestione/media/carica");
    // Read elsewhere, so that someone refused the form can still try to send it.
    let csrf = browser.csrf("/profilo").await;
    let form = Form::new()
        .text("csrf", csrf)
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
        .text("alt", alt.to_owned())
        .text("title", "");
    browser
        .client
        .post(browser.url(&path))
        .multipart(form)
        .send()
        .await
}

/// Uploads a file that must be accepted and returns it as stored.
async fn uploaded(
    app: &TestApp,
    browser: &Browser,
    space: &str,
    file: (&str, Vec<u8>),
    alt: &str,
) -> media::Model {
    let response = upload(browser, space, file, alt).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("/{space}/gestione/media?fatto=caricato").as_str()
    );
    let space = spaces::by_slug(&app.state.db, space)
        .await
        .unwrap()
        .unwrap();
    library::all_of_space(&app.state.db, space.id)
        .await
        .unwrap()
        .remove(0)
}

async fn refusal(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    texts(&page, ".invalid-feedback").join(" ")
}

/// Writes a news item through the content form and publishes it; returns its edit path.
async fn publish_news(browser: &Browser, title: &str, image: &str, image_alt: &str) -> String {
    let path = "/treviso/gestione/contenuti/nuovo/news";
    let csrf = browser.csrf(path).await;
    let response = browser
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("title", title),
                ("summary", "Il nuovo ponte è aperto."),
                ("image", image),
                ("image_alt", image_alt),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let edit = response.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let published = browser
        .post_form(
            &format!("{edit}/stato"),
            &[("csrf", &csrf), ("to", "publish")],
        )
        .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    edit
}

fn stored_files(app: &TestApp) -> usize {
    walk(&app.state.config.data_dir.join("files/library"))
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { walk(&path) } else { 1 })
            .sum()
    })
}

#[tokio::test]
async fn a_photo_is_resized_and_shown_in_the_news_with_srcset() {
    let app = app().await;
    let editor = staff(&app, Role::Editor, "treviso").await;
    let file = uploaded(
        &app,
        &editor,
        "treviso",
        ("ponte.jpg", photo(2400, 1200, ImageFormat::Jpeg)),
        "Il ponte sul Piave al tramonto",
    )
    .await;
    assert_eq!(file.filename, "ponte.jpg");
    assert_eq!(file.mime, "image/jpeg");
    assert_eq!((file.width, file.height), (Some(1600), Some(800)));

    let list = editor.page("/treviso/gestione/media", StatusCode::OK).await;
    let row = texts(&list, "tbody tr").join(" ");
    assert!(
        row.contains("ponte.jpg") && row.contains("Immagine JPEG"),
        "{row}"
    );
    assert!(
        row.contains("1600 × 800 pixel") && row.contains("Non usato"),
        "{row}"
    );

    let renditions = library::renditions_of(&app.state.db, [file.id])
        .await
        .unwrap()
        .remove(&file.id)
        .unwrap();
    let widths: Vec<i32> = renditions.iter().map(|r| r.width).collect();
    assert_eq!(widths, [480, 960, 1600]);
    for rendition in &renditions {
        let response = app.get(&format!("/media/{}", rendition.key)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let bytes = response.bytes().await.unwrap();
        let served = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (served.width() as i32, served.height() as i32),
            (rendition.width, rendition.height)
        );
    }

    // The item's own alternative text is left empty: the library's describes the image.
    publish_news(&editor, "Aperto il nuovo ponte", &file.key, "").await;
    let news = app
        .page("/treviso/notizie/aperto-il-nuovo-ponte", StatusCode::OK)
        .await;
    let img = scraper::Selector::parse("figure img").unwrap();
    let img = news.select(&img).next().expect("the news shows its image");
    let srcset = img.value().attr("srcset").unwrap();
    for rendition in &renditions {
        assert!(
            srcset.contains(&format!("/media/{} {}w", rendition.key, rendition.width)),
            "{srcset}"
        );
    }
    assert!(img.value().attr("sizes").is_some());
    assert_eq!(img.value().attr("width"), Some("1600"));
    assert_eq!(img.value().attr("height"), Some("800"));
    assert_eq!(
        img.value().attr("alt"),
        Some("Il ponte sul Piave al tramonto")
    );
    let og = scraper::Selector::parse("meta[property='og:image']").unwrap();
    assert!(
        news.select(&og)
            .next()
            .unwrap()
            .value()
            .attr("content")
            .unwrap()
            .ends_with(&format!("/media/{}", file.key))
    );

    let cards = app.page("/treviso/notizie", StatusCode::OK).await;
    let card = scraper::Selector::parse(".card img[srcset]").unwrap();
    assert_eq!(
        cards.select(&card).count(),
        1,
        "the card shows the image too"
    );

    let list = editor.page("/treviso/gestione/media", StatusCode::OK).await;
    assert!(texts(&list, "tbody tr")[0].contains("1 contenuto"));
}

#[tokio::test]
async fn documents_are_kept_as_they_are_and_office_files_download() {
    let app = app().await;
    let editor = staff(&app, Role::Editor, "treviso").await;
    let pdf = uploaded(&app, &editor, "treviso", ("bando.pdf", PDF.to_vec()), "").await;
    let response = app.get(&format!("/media/{}", pdf.key)).await;
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["content-disposition"], "inline");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    let word = uploaded(&app, &editor, "treviso", ("verbale.docx", docx()), "").await;
    assert_eq!(word.kind, "document");
    let response = app.get(&format!("/media/{}", word.key)).await;
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(response.headers()["content-disposition"], "attachment");

    let again = upload(&editor, "treviso", ("copia.pdf", PDF.to_vec()), "").await;
    assert!(
        refusal(again.unwrap(), StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .contains("è già nella libreria, con il nome «bando.pdf»")
    );
}

#[tokio::test]
async fn refused_uploads_say_why_in_italian_and_store_nothing() {
    let app = app().await;
    let editor = staff(&app, Role::Editor, "treviso").await;

    let without_alt = upload(
        &editor,
        "treviso",
        ("foto.png", photo(300, 200, ImageFormat::Png)),
        "  ",
    )
    .await
    .unwrap();
    assert_eq!(
        refusal(without_alt, StatusCode::UNPROCESSABLE_ENTITY).await,
        "Descrivi l'immagine per chi non la vede (testo alternativo)."
    );

    let page = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let html = upload(&editor, "treviso", ("bando.pdf", page), "").await;
    assert!(
        refusal(html.unwrap(), StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .starts_with("Il file «bando.pdf» non è di un tipo ammesso")
    );
    let mut program = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    program.resize(4096, 0);
    let exe = upload(
        &editor,
        "treviso",
        ("C:\\Documenti\\avviso.pdf", program),
        "",
    )
    .await;
    assert!(
        refusal(exe.unwrap(), StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .starts_with("Il file «avviso.pdf» non è di un tipo ammesso")
    );

    let mut big = PDF.to_vec();
    big.resize(pico_media::MAX_BYTES + 1, b' ');
    let too_big = upload(&editor, "treviso", ("atti.pdf", big), "").await;
    assert!(
        refusal(too_big.unwrap(), StatusCode::PAYLOAD_TOO_LARGE)
            .await
            .contains("supera i 20 MB")
    );
    // Past the body limit the server answers before reading everything and closes the
    // connection, so the client may see the 413 page or only the closed connection.
    let mut huge = PDF.to_vec();
    huge.resize(pico_media::MAX_BYTES + 2 * 1024 * 1024, b' ');
    if let Ok(response) = upload(&editor, "treviso", ("archivio.pdf", huge), "").await {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        if let Ok(body) = response.text().await {
            assert!(body.contains("supera i 20 MB"), "{body}");
        }
    }

    assert_eq!(media::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(stored_files(&app), 0);
}

#[tokio::test]
async fn a_file_in_use_is_kept_until_no_content_shows_it() {
    let app = app().await;
    let editor = staff(&app, Role::Editor, "treviso").await;
    let file = uploaded(
        &app,
        &editor,
        "treviso",
        ("sala.png", photo(600, 400, ImageFormat::Png)),
        "La sala consiliare",
    )
    .await;
    assert_eq!(stored_files(&app), 2, "480 pixels and the image itself");
    let item = publish_news(&editor, "Consiglio provinciale", &file.key, "La sala").await;

    let edit = format!("/treviso/gestione/media/{}", file.id);
    let csrf = editor.csrf(&edit).await;
    let refused = editor
        .post_form(&format!("{edit}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(texts(&page, ".alert-danger")[0].contains("è usato dai contenuti"));
    assert_eq!(texts(&page, "aside li"), ["Consiglio provinciale"]);

    // The item lets the image go; then the file can leave the library.
    let form = editor.page(&item, StatusCode::OK).await;
    let saved = editor
        .post_form(
            &item,
            &[
                ("csrf", &csrf),
                ("title", &field_value(&form, "title")),
                ("summary", "Il nuovo ponte è aperto."),
                ("image", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let deleted = editor
        .post_form(&format!("{edit}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(media::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(
        media_rendition::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(stored_files(&app), 0);
    assert_eq!(
        app.get(&format!("/media/{}", file.key)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_image_keeps_a_description_and_a_file_a_title() {
    let app = app().await;
    let editor = staff(&app, Role::Editor, "treviso").await;
    let file = uploaded(
        &app,
        &editor,
        "treviso",
        ("img_2041.jpg", photo(500, 500, ImageFormat::Jpeg)),
        "Una scuola",
    )
    .await;
    let edit = format!("/treviso/gestione/media/{}", file.id);
    let csrf = editor.csrf(&edit).await;
    let emptied = editor
        .post_form(&edit, &[("csrf", &csrf), ("alt", ""), ("title", "Scuola")])
        .await;
    assert_eq!(emptied.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&emptied.text().await.unwrap());
    assert_eq!(
        texts(&page, "#alt-help"),
        ["Descrivi l'immagine per chi non la vede (testo alternativo)."]
    );

    let saved = editor
        .post_form(
            &edit,
            &[
                ("csrf", &csrf),
                ("alt", "L'istituto Canova visto dal cortile"),
                ("title", "Istituto Canova"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let list = editor.page("/treviso/gestione/media", StatusCode::OK).await;
    assert_eq!(texts(&list, "tbody a"), ["Istituto Canova"]);
    assert_eq!(texts(&list, "tbody small")[0], "img_2041.jpg");
    let form = editor
        .page("/treviso/gestione/contenuti/nuovo/news", StatusCode::OK)
        .await;
    assert!(
        texts(&form, "fieldset label")
            .iter()
            .any(|label| label == "Istituto Canova"),
        "the content form offers the image"
    );
}

/// What the text editor's image and attachment dialogs offer, and why a text that shows a
/// smaller copy of an image keeps the file in the library.
#[tokio::test]
async fn the_text_editor_offers_the_library_and_a_copy_in_a_text_keeps_the_file() {
    let app = app().await;
    let editor = staff(&app, Role::Editor, "treviso").await;
    let photo = uploaded(
        &app,
        &editor,
        "treviso",
        ("ponte.jpg", photo(1200, 800, ImageFormat::Jpeg)),
        "Il ponte sul Piave",
    )
    .await;
    let pdf = uploaded(&app, &editor, "treviso", ("bando.pdf", PDF.to_vec()), "").await;

    let offered: serde_json::Value = editor
        .client
        .get(editor.url("/treviso/gestione/media/scelta"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let copies = library::renditions_of(&app.state.db, [photo.id])
        .await
        .unwrap()
        .remove(&photo.id)
        .unwrap();
    assert_eq!(
        offered["images"],
        serde_json::json!([{
            "name": "ponte.jpg",
            "src": format!("/media/{}", photo.key),
            "thumbnail": format!("/media/{}", copies[0].key),
            "alt": "Il ponte sul Piave",
        }])
    );
    assert_eq!(
        offered["files"],
        serde_json::json!([{
            "href": format!("/media/{}", pdf.key),
            "text": "bando.pdf (PDF, 1 KB)",
        }])
    );

    // A text showing the 960-pixel copy, as a clerk might paste it, still uses the photo.
    let path = "/treviso/gestione/contenuti/nuovo/news";
    let csrf = editor.csrf(path).await;
    let body = format!(
        r#"<p><img src="/media/{}" alt="Il ponte"></p>"#,
        copies[1].key
    );
    let created = editor
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("title", "Il ponte riapre"),
                ("summary", "Lavori finiti."),
                ("body", &body),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let edit = format!("/treviso/gestione/media/{}", photo.id);
    let refused = editor
        .post_form(&format!("{edit}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert_eq!(texts(&page, "aside li"), ["Il ponte riapre"]);
}

#[tokio::test]
async fn only_the_space_editors_reach_its_library() {
    let app = app().await;
    let treviso = staff(&app, Role::Editor, "treviso").await;
    let file = uploaded(&app, &treviso, "treviso", ("bando.pdf", PDF.to_vec()), "").await;
    let admin = staff(&app, Role::SpaceAdmin, "treviso").await;
    admin.page("/treviso/gestione/media", StatusCode::OK).await;

    let brescia = staff(&app, Role::Editor, "brescia").await;
    brescia
        .page("/brescia/gestione/media", StatusCode::OK)
        .await;
    let edit = format!("/gestione/media/{}", file.id);
    assert_eq!(
        brescia.get("/treviso/gestione/media").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        brescia.get(&format!("/treviso{edit}")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        brescia.get(&format!("/brescia{edit}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let csrf = brescia.csrf("/brescia/gestione/media/carica").await;
    let deleted = brescia
        .post_form(&format!("/brescia{edit}/elimina"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status(), StatusCode::NOT_FOUND);
    let stolen = upload(&brescia, "treviso", ("x.pdf", PDF.to_vec()), "").await;
    assert_eq!(stolen.unwrap().status(), StatusCode::FORBIDDEN);

    // Brescia's content cannot show an image of Treviso's library either.
    let path = "/brescia/gestione/contenuti/nuovo/page";
    let response = brescia
        .post_form(
            path,
            &[("csrf", &csrf), ("title", "Bandi"), ("image", &file.key)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let reader = app.browser();
    let to_login = reader.get("/treviso/gestione/media").await;
    assert!(
        to_login.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/accedi")
    );
    assert_eq!(media::Entity::find().count(&app.state.db).await.unwrap(), 1);
}

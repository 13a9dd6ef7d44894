//! A platform administrator and a Province's administrator manage a space: name, colour,
//! logo, modules. Everybody else is kept out.

use pico_kernel::identity::Role;
use pico_kernel::test_support::{PASSWORD, TestApp, field_value, texts};
use pico_kernel::{AppState, MenuItem, Module, ModuleKind, Registry, spaces};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use std::sync::Arc;

/// A vertical module that exists only in these tests, to exercise the on/off switch.
struct Prova;

#[async_trait::async_trait]
impl Module for Prova {
    fn key(&self) -> &'static str {
        "prova"
    }
    fn label(&self) -> &'static str {
        "Modulo di prova"
    }
    fn kind(&self) -> ModuleKind {
        ModuleKind::Vertical
    }
    fn routes(&self) -> axum::Router<AppState> {
        axum::Router::new().route(
            "/",
            axum::routing::get(|| async { "Pagina del modulo di prova" }),
        )
    }
    async fn menu(
        &self,
        _: &AppState,
        space: &spaces::Space,
    ) -> Result<Vec<MenuItem>, sea_orm::DbErr> {
        Ok(vec![MenuItem {
            label: "Prova".into(),
            href: space.path_to("/prova"),
        }])
    }
}

/// The Treviso space as stored, to check what a request did or did not change.
async fn treviso(app: &TestApp) -> spaces::Space {
    spaces::by_slug(&app.state.db, "treviso")
        .await
        .unwrap()
        .expect("seeded")
}

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![Arc::new(Prova)])).await
}

const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn png() -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap()
}

async fn upload(app: &TestApp, space: &str, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let csrf = app.csrf(&format!("/{space}/gestione")).await;
    let form = Form::new()
        .text("csrf", csrf)
        .part("logo", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/{space}/gestione/logo")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_first_administrator_is_created_once() {
    let app = app().await;
    // Preparing the platform again finds the administrator and creates no other.
    let again = pico_kernel::identity::ensure_first_admin(&app.state.db, "admin@pico.localhost")
        .await
        .unwrap();
    assert!(again.is_none());
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    let app = app().await;
    let response = app.get("/treviso/gestione").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/accedi?next=/treviso/gestione"
    );
}

#[tokio::test]
async fn wrong_credentials_get_the_same_message_whether_the_account_exists_or_not() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    let wrong_password = app.login("admin@treviso.it", "sbagliata").await;
    assert_eq!(wrong_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong_password = wrong_password.text().await.unwrap();
    let no_account = app
        .login("nessuno@treviso.it", "sbagliata")
        .await
        .text()
        .await
        .unwrap();
    let alert = |html: &str| texts(&scraper::Html::parse_document(html), ".alert-danger");
    assert_eq!(alert(&wrong_password), ["E-mail o password non corretti."]);
    assert_eq!(alert(&wrong_password), alert(&no_account));
}

#[tokio::test]
async fn a_login_form_without_its_token_is_refused() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    let response = app
        .post_form(
            "/accedi",
            &[
                ("email", "admin@treviso.it"),
                ("password", PASSWORD),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Il modulo è scaduto")
    );
}

#[tokio::test]
async fn a_province_administrator_renames_and_colours_the_space() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    assert_eq!(
        app.login("admin@treviso.it", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    let csrf = app.csrf("/treviso/gestione").await;
    let response = app
        .post_form(
            "/treviso/gestione",
            &[
                ("csrf", csrf.as_str()),
                ("name", "Provincia di Treviso – SUA"),
                ("tagline", "La Marca"),
                ("colour", "#8A1C1C"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let page = app.page("/treviso/gestione", StatusCode::OK).await;
    assert_eq!(
        texts(&page, ".it-brand-title")[0],
        "Provincia di Treviso – SUA"
    );
    assert_eq!(texts(&page, ".it-brand-tagline")[0], "La Marca");
    let theme = scraper::Selector::parse("link[href^='/treviso/tema.css']").unwrap();
    let href = page
        .select(&theme)
        .next()
        .expect("theme stylesheet linked")
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    let css = app.get(&href).await.text().await.unwrap();
    assert!(css.contains(".it-header-center-wrapper{background:#8a1c1c}"));
}

#[tokio::test]
async fn colours_too_light_for_white_text_are_refused_and_nothing_changes() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;
    let csrf = app.csrf("/treviso/gestione").await;
    let response = app
        .post_form(
            "/treviso/gestione",
            &[
                ("csrf", csrf.as_str()),
                ("name", "Nuovo nome"),
                ("colour", "#ffee00"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&page, ".alert-danger")[0].contains("contrasto sufficiente"));
    assert_eq!(
        field_value(&page, "colour"),
        "#ffee00",
        "the form keeps what was typed"
    );
    let space = treviso(&app).await;
    assert_eq!(space.name, "Provincia di Treviso");
    assert_eq!(space.primary_colour, None);
}

#[tokio::test]
async fn a_logo_is_uploaded_and_shown_in_the_header() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;
    assert_eq!(
        upload(&app, "treviso", png(), "logo.png").await.status(),
        StatusCode::SEE_OTHER
    );
    let page = app.page("/treviso/gestione", StatusCode::OK).await;
    let img = scraper::Selector::parse(".it-brand-wrapper img").unwrap();
    let src = page
        .select(&img)
        .next()
        .expect("logo in header")
        .value()
        .attr("src")
        .unwrap()
        .to_owned();
    let logo = app.get(&src).await;
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().to_vec(), png());
}

/// `/media/` serves the libraries and logos, never the private files kept beside them.
#[tokio::test]
async fn private_files_are_not_served_as_media() {
    let app = app().await;
    let private = app
        .state
        .storage
        .put("agreements/1", "pdf", b"%PDF-1.4 convenzione".to_vec())
        .await
        .unwrap();
    assert_eq!(
        app.get(&format!("/media/{private}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let public = app
        .state
        .storage
        .put("library/1", "pdf", b"%PDF-1.4 bando".to_vec())
        .await
        .unwrap();
    assert_eq!(
        app.get(&format!("/media/{public}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_bad_logo_is_refused_with_an_italian_message_and_the_old_one_kept() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;
    upload(&app, "treviso", png(), "logo.png").await;
    let before = treviso(&app).await.logo_key;
    assert!(before.is_some());

    let not_an_image = upload(
        &app,
        "treviso",
        b"<svg onload='alert(1)'/>".to_vec(),
        "logo.png",
    )
    .await;
    assert_eq!(not_an_image.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&not_an_image.text().await.unwrap());
    assert_eq!(
        texts(&page, ".alert-danger"),
        ["Il file non è un'immagine PNG, JPEG o WebP valida."]
    );

    let mut big = png();
    big.resize(1024 * 1024 + 1, 0);
    let too_big = upload(&app, "treviso", big, "logo.png").await;
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = scraper::Html::parse_document(&too_big.text().await.unwrap());
    assert!(texts(&page, ".alert-danger")[0].starts_with("Il file è troppo grande"));

    // Past the hard limit the server answers before reading the whole body and closes the
    // connection, so the client may see the 413 page or only the closed connection.
    let csrf = app.csrf("/treviso/gestione").await;
    let form = Form::new().text("csrf", csrf).part(
        "logo",
        Part::bytes(vec![0u8; 9 * 1024 * 1024]).file_name("logo.png"),
    );
    let huge = app
        .client
        .post(app.url("/treviso/gestione/logo"))
        .multipart(form)
        .send()
        .await;
    if let Ok(huge) = huge {
        assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
        if let Ok(body) = huge.text().await {
            assert!(body.contains("Il file è troppo grande"));
        }
    }

    let after = treviso(&app).await.logo_key;
    assert_eq!(before, after);
}

#[tokio::test]
async fn administrators_of_other_spaces_and_editors_are_refused() {
    let app = app().await;
    app.person_with_role("admin@brescia.it", Role::SpaceAdmin, Some("brescia"))
        .await;
    app.person_with_role("redattore@treviso.it", Role::Editor, Some("treviso"))
        .await;
    app.person_with_role("admin@veneto.it", Role::SpaceAdmin, Some("upi-veneto"))
        .await;

    app.login("admin@brescia.it", PASSWORD).await;
    assert_eq!(app.get("/brescia/gestione").await.status(), StatusCode::OK);
    let page = app.page("/treviso/gestione", StatusCode::FORBIDDEN).await;
    assert_eq!(texts(&page, "h1"), ["Accesso negato"]);
    let csrf = app.csrf("/brescia/gestione").await;
    let response = app
        .post_form(
            "/treviso/gestione",
            &[("csrf", csrf.as_str()), ("name", "Presa")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let editor = app.browser();
    assert_eq!(
        editor
            .login("redattore@treviso.it", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        editor.get("/treviso/gestione").await.status(),
        StatusCode::FORBIDDEN
    );

    let regional = app.browser();
    regional.login("admin@veneto.it", PASSWORD).await;
    assert_eq!(
        regional.get("/treviso/gestione").await.status(),
        StatusCode::OK,
        "a regional admin manages the region's provinces"
    );
    assert_eq!(
        regional.get("/brescia/gestione").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(treviso(&app).await.name, "Provincia di Treviso");
}

#[tokio::test]
async fn a_switched_off_module_answers_404_and_leaves_the_menu() {
    let app = app().await;
    assert_eq!(
        app.get("/treviso/prova").await.status(),
        StatusCode::NOT_FOUND,
        "vertical modules start off"
    );
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;

    let csrf = app.csrf("/treviso/gestione").await;
    let on = app
        .post_form(
            "/treviso/gestione/moduli",
            &[("csrf", csrf.as_str()), ("module", "prova")],
        )
        .await;
    assert_eq!(on.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/treviso/prova").await.text().await.unwrap(),
        "Pagina del modulo di prova"
    );
    assert_eq!(
        app.get("/brescia/prova").await.status(),
        StatusCode::NOT_FOUND,
        "only in the space that switched it on"
    );
    let page = app.page("/treviso/gestione", StatusCode::OK).await;
    assert!(texts(&page, "[data-element=main-navigation] a").contains(&"Prova".to_owned()));

    let off = app
        .post_form("/treviso/gestione/moduli", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/treviso/prova").await.status(),
        StatusCode::NOT_FOUND
    );
    let page = app.page("/treviso/gestione", StatusCode::OK).await;
    assert!(!texts(&page, "[data-element=main-navigation] a").contains(&"Prova".to_owned()));

    let unknown = app
        .post_form(
            "/treviso/gestione/moduli",
            &[("csrf", csrf.as_str()), ("module", "sua")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn forms_without_the_session_token_change_nothing() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;
    let response = app
        .post_form(
            "/treviso/gestione",
            &[("csrf", "forged"), ("name", "Presa")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(treviso(&app).await.name, "Provincia di Treviso");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = app().await;
    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;
    let csrf = app.csrf("/treviso/gestione").await;
    let out = app.post_form("/esci", &[("csrf", csrf.as_str())]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/treviso/gestione").await.status(),
        StatusCode::SEE_OTHER
    );
}

//! The portal's pages over HTTP, as a visitor and a Province's staff see them.

use pico_kernel::Registry;
use pico_kernel::identity::Role;
use pico_kernel::test_support::{PASSWORD, TestApp, texts};
use reqwest::StatusCode;
use std::sync::Arc;

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![Arc::new(pico_portal::Portal)])).await
}

#[tokio::test]
async fn the_national_home_is_in_italian_in_the_bootstrap_italia_frame() {
    let app = app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers().contains_key("x-request-id"));
    let page = scraper::Html::parse_document(&response.text().await.unwrap());

    assert_eq!(texts(&page, "html[lang=it]").len(), 1);
    assert_eq!(texts(&page, "h1").len(), 1, "exactly one h1");
    for frame in [
        ".it-header-slim-wrapper",
        ".it-header-center-wrapper",
        ".it-header-navbar-wrapper",
        "footer.it-footer",
        "nav.breadcrumb-container",
    ] {
        assert_eq!(texts(&page, frame).len(), 1, "{frame}");
    }
    assert_eq!(
        texts(&page, ".it-brand-title")[0],
        "UPI – Unione delle Province d'Italia"
    );
    for element in [
        "main-navigation",
        "accessibility-link",
        "privacy-policy-link",
        "personal-area-login",
    ] {
        assert_eq!(
            texts(&page, &format!("[data-element={element}]")).len(),
            1,
            "data-element={element}"
        );
    }
    // Every regional space is linked from the national home.
    assert_eq!(texts(&page, "a[href^='/upi-']").len(), 20);
}

#[tokio::test]
async fn every_icon_the_layout_uses_exists_in_the_sprite() {
    let app = app().await;
    let html = app.get("/treviso").await.text().await.unwrap();
    let symbols = pico_assets::sprite_symbols();
    let page = scraper::Html::parse_document(&html);
    let uses = scraper::Selector::parse("use").unwrap();
    let mut seen = 0;
    for element in page.select(&uses) {
        let href = element.value().attr("href").unwrap();
        let (file, icon) = href.split_once('#').unwrap();
        assert!(file.ends_with("/bi/svg/sprites.svg"), "{href}");
        assert!(
            symbols.iter().any(|s| s == icon),
            "icon {icon} missing from the sprite"
        );
        assert_eq!(app.get(file).await.status(), StatusCode::OK);
        seen += 1;
    }
    assert!(seen >= 3);
}

#[tokio::test]
async fn static_assets_are_served_from_the_binary_with_long_cache_lifetimes() {
    let app = app().await;
    let v = pico_assets::VERSION;
    for (path, content_type) in [
        ("bi/css/bootstrap-italia.min.css", "text/css; charset=utf-8"),
        (
            "bi/js/bootstrap-italia.bundle.min.js",
            "text/javascript; charset=utf-8",
        ),
        ("bi/svg/sprites.svg", "image/svg+xml"),
        (
            "bi/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2",
            "font/woff2",
        ),
        ("pico/pico.css", "text/css; charset=utf-8"),
    ] {
        let response = app.get(&format!("/static/{v}/{path}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    let css = app
        .get(&format!("/static/{v}/bi/css/bootstrap-italia.min.css"))
        .await
        .text()
        .await
        .unwrap();
    assert!(css.contains("--bootstrap-italia-version:") && css.contains("2.18"));
    assert_eq!(
        app.get(&format!("/static/{v}/bi/nothing.css"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_are_compressed_when_the_browser_asks() {
    let app = app().await;
    // A client that leaves decompression to the test.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let response = raw
        .get(app.url("/spazi"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let plain = raw.get(app.url("/spazi")).send().await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
}

#[tokio::test]
async fn the_directory_lists_every_space_grouped_by_region() {
    let app = app().await;
    let page = app.page("/spazi", StatusCode::OK).await;
    let regions = texts(&page, "main h2");
    assert_eq!(regions.len(), 20, "{regions:?}");
    assert!(regions.contains(&"Veneto".to_owned()));
    let provinces = texts(&page, "main tbody tr");
    assert_eq!(provinces.len(), 107);
    assert!(
        provinces.contains(&"Provincia di Treviso 026 TV".to_owned()),
        "{provinces:?}"
    );
    assert!(provinces.contains(&"Città metropolitana di Roma 258 RM".to_owned()));
    assert!(provinces.contains(&"Libero consorzio comunale di Enna 086 EN".to_owned()));
    assert!(provinces.contains(&"Ex provincia di Udine 030 UD".to_owned()));
}

#[tokio::test]
async fn the_directory_filters_by_name_ignoring_accents_and_by_plate() {
    let app = app().await;
    let page = app.page("/spazi?q=forli", StatusCode::OK).await;
    assert_eq!(texts(&page, "main tbody th"), ["Provincia di Forlì-Cesena"]);
    let page = app.page("/spazi?q=TV", StatusCode::OK).await;
    assert_eq!(texts(&page, "main tbody th"), ["Provincia di Treviso"]);
    let page = app.page("/spazi?q=nessun+posto", StatusCode::OK).await;
    assert!(texts(&page, "main tbody th").is_empty());
    assert!(texts(&page, "[role=status]")[0].contains("0 spazi"));
}

#[tokio::test]
async fn a_province_has_its_home_at_a_readable_path() {
    let app = app().await;
    let page = app.page("/treviso", StatusCode::OK).await;
    assert_eq!(texts(&page, "h1"), ["Provincia di Treviso"]);
    assert_eq!(texts(&page, ".it-brand-title")[0], "Provincia di Treviso");
    let facts = texts(&page, "dd");
    assert!(
        facts.contains(&"026".to_owned())
            && facts.contains(&"TV".to_owned())
            && facts.contains(&"Veneto".to_owned())
    );
    assert!(
        facts.contains(&"94".to_owned()),
        "Treviso has 94 comuni: {facts:?}"
    );
    assert_eq!(
        texts(&page, ".breadcrumb-item"),
        ["Home/", "UPI Veneto/", "Provincia di Treviso"]
    );
    let nav = texts(&page, "[data-element=main-navigation] a");
    assert_eq!(
        nav,
        [
            "Home",
            "Notizie",
            "Eventi",
            "Comuni del territorio",
            "Spazi della rete"
        ]
    );
    assert!(page.html().contains("Fonte: ISTAT"));

    let page = app.page("/upi-veneto", StatusCode::OK).await;
    assert_eq!(
        texts(&page, "main .link-list a").len(),
        7,
        "the 7 provinces of Veneto"
    );
}

#[tokio::test]
async fn the_comuni_page_lists_the_territory_with_istat_codes_and_population() {
    let app = app().await;
    let page = app.page("/treviso/comuni", StatusCode::OK).await;
    let rows = texts(&page, "tbody tr");
    assert_eq!(rows.len(), 94);
    assert!(
        rows.contains(&"Castelfranco Veneto 026012 32.935".to_owned()),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Treviso Capoluogo 026086")),
        "{rows:?}"
    );
    assert!(page.html().contains("Fonte: ISTAT"));

    let page = app.page("/bolzano/comuni", StatusCode::OK).await;
    assert!(
        texts(&page, "tbody th")
            .iter()
            .any(|n| n == "Bolzano (Bozen) Capoluogo"),
        "bilingual names shown"
    );
}

#[tokio::test]
async fn unknown_spaces_answer_an_italian_404_page_in_the_layout() {
    let app = app().await;
    let page = app.page("/atlantide", StatusCode::NOT_FOUND).await;
    assert_eq!(texts(&page, "h1"), ["Pagina non trovata"]);
    assert_eq!(texts(&page, ".it-header-center-wrapper").len(), 1);
    app.page("/atlantide/comuni", StatusCode::NOT_FOUND).await;
    app.page("/upi-veneto/comuni", StatusCode::NOT_FOUND).await;
    app.page("/treviso/comuni/altro", StatusCode::NOT_FOUND)
        .await;
}

#[tokio::test]
async fn the_national_space_slug_leads_home() {
    let app = app().await;
    let response = app.get("/upi").await;
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn footer_pages_exist() {
    let app = app().await;
    for (path, title) in [
        ("/accessibilita", "Dichiarazione di accessibilità"),
        ("/privacy", "Informativa privacy"),
        ("/note-legali", "Note legali"),
    ] {
        assert_eq!(texts(&app.page(path, StatusCode::OK).await, "h1"), [title]);
    }
}

#[tokio::test]
async fn visitors_see_a_change_as_soon_as_it_is_saved() {
    let app = app().await;
    let visitor = app.browser();
    let title = |page: &scraper::Html| texts(page, ".it-brand-title")[0].clone();
    assert_eq!(
        title(&visitor.page("/treviso", StatusCode::OK).await),
        "Provincia di Treviso"
    );
    // Served again, now from the cache of anonymous pages, compressed or not.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let cached = raw
        .get(app.url("/treviso"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(cached.headers()["content-encoding"], "gzip");
    assert!(cached.headers().contains_key("content-security-policy"));
    assert_eq!(
        title(&visitor.page("/treviso", StatusCode::OK).await),
        "Provincia di Treviso"
    );

    app.person_with_role("admin@treviso.it", Role::SpaceAdmin, Some("treviso"))
        .await;
    app.login("admin@treviso.it", PASSWORD).await;
    let csrf = app.csrf("/treviso/gestione").await;
    let saved = app
        .post_form(
            "/treviso/gestione",
            &[("csrf", &csrf), ("name", "Provincia di Treviso – Marca")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        title(&visitor.page("/treviso", StatusCode::OK).await),
        "Provincia di Treviso – Marca"
    );
}

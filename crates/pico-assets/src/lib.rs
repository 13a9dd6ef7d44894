//! Static assets embedded in the binary: Bootstrap Italia and the Quill editor (installed from
//! npm by `build.rs`, never committed) and Pi.Co.'s own stylesheet and scripts. Every URL carries [`VERSION`], a hash of all
//! the files, so browsers may cache them for a year; a new build changes every URL at once and
//! relative references inside the CSS keep working.

use rust_embed::Embed;
use std::borrow::Cow;

/// Content hash of every embedded file, set by `build.rs`.
pub const VERSION: &str = env!("PICO_ASSET_VERSION");

#[derive(Embed)]
#[folder = "web/node_modules/bootstrap-italia/dist/"]
#[include = "css/bootstrap-italia.min.css"]
#[include = "js/bootstrap-italia.bundle.min.js"]
#[include = "svg/sprites.svg"]
#[include = "fonts/*/*.woff2"]
struct BootstrapItalia;

/// The rich-text editor (decision 0009); its licence notice sits beside it.
#[derive(Embed)]
#[folder = "web/node_modules/quill/dist/"]
#[include = "quill.js"]
#[include = "quill.js.LICENSE.txt"]
#[include = "quill.core.css"]
struct Quill;

#[derive(Embed)]
#[folder = "static/"]
struct Own;

/// The files one front-end feature adds to a page, as paths under the static root.
#[derive(Debug)]
pub struct Bundle {
    pub stylesheets: &'static [&'static str],
    /// Loaded in this order, after Bootstrap Italia.
    pub scripts: &'static [&'static str],
}

/// The rich-text editor that takes over every `<textarea data-editor>`.
pub const EDITOR: Bundle = Bundle {
    stylesheets: &["quill/quill.core.css", "pico/editor.css"],
    scripts: &["quill/quill.js", "pico/editor.js"],
};

/// The CPV picker of the SUA's request form, on every `<input data-cpv-search>`.
pub const CPV_PICKER: Bundle = Bundle {
    stylesheets: &[],
    scripts: &["pico/cpv-picker.js"],
};

/// FAQ suggestions under the subject of a help request, on every `<input data-faq-suggest>`.
pub const FAQ_SUGGEST: Bundle = Bundle {
    stylesheets: &[],
    scripts: &["pico/faq-suggest.js"],
};

/// On the ticket forms, shows only the extra fields of the chosen category: every
/// `<fieldset data-category-fields="<category id>">` but the one of `#categoria`'s value is hidden.
pub const CATEGORY_FIELDS: Bundle = Bundle {
    stylesheets: &[],
    scripts: &["pico/category-fields.js"],
};

/// One embedded file.
pub struct Asset {
    pub bytes: Cow<'static, [u8]>,
    pub content_type: &'static str,
}

/// Looks up a file by its path under the versioned static root: `bi/…` for Bootstrap Italia,
/// `quill/…` for the editor, `pico/…` for our own files.
pub fn get(path: &str) -> Option<Asset> {
    let file = if let Some(rest) = path.strip_prefix("bi/") {
        BootstrapItalia::get(rest)?
    } else if let Some(rest) = path.strip_prefix("quill/") {
        Quill::get(rest)?
    } else if let Some(rest) = path.strip_prefix("pico/") {
        Own::get(rest)?
    } else {
        return None;
    };
    Some(Asset {
        bytes: file.data,
        content_type: content_type(path),
    })
}

/// The icon names (`it-…`) that the Bootstrap Italia sprite defines.
pub fn sprite_symbols() -> Vec<String> {
    let sprite = BootstrapItalia::get("svg/sprites.svg").expect("the sprite is embedded");
    let text = String::from_utf8_lossy(&sprite.data);
    text.split("id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|id| id.starts_with("it-"))
        .map(str::to_owned)
        .collect()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

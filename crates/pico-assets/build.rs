//! Installs the front-end packages from the npm registry (pinned by `web/package-lock.json`) and
//! computes the content hash that versions every static URL.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files under `web/node_modules` that the platform serves. Keep in step with `src/lib.rs`.
const PACKAGE_FILES: &[&str] = &[
    "bootstrap-italia/dist/css/bootstrap-italia.min.css",
    "bootstrap-italia/dist/js/bootstrap-italia.bundle.min.js",
    "bootstrap-italia/dist/svg/sprites.svg",
    "quill/dist/quill.js",
    "quill/dist/quill.js.LICENSE.txt",
    "quill/dist/quill.core.css",
];
const FONT_DIRS: &[&str] = &[
    "bootstrap-italia/dist/fonts/Titillium_Web",
    "bootstrap-italia/dist/fonts/Lora",
    "bootstrap-italia/dist/fonts/Roboto_Mono",
];

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let web = crate_dir.join("web");
    let modules = web.join("node_modules");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    println!("cargo:rerun-if-changed=static");

    // A missing file also means a package added to the lock file since the last install.
    if PACKAGE_FILES.iter().any(|f| !modules.join(f).exists()) {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&web)
            .status()
            .expect("npm is needed to install the front-end packages (see README)");
        assert!(status.success(), "npm ci failed in {}", web.display());
    }

    let mut files: Vec<PathBuf> = PACKAGE_FILES.iter().map(|f| modules.join(f)).collect();
    for dir in FONT_DIRS {
        files.extend(woff2_files(&modules.join(dir)));
    }
    files.extend(all_files(&crate_dir.join("static")));
    files.sort();

    let mut hasher = Sha256::new();
    for file in &files {
        hasher.update(std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
    }
    let hash = hex::encode(hasher.finalize());
    println!("cargo:rustc-env=PICO_ASSET_VERSION={}", &hash[..12]);
}

fn woff2_files(dir: &Path) -> Vec<PathBuf> {
    all_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "woff2"))
        .collect()
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect()
}

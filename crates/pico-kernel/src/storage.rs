//! Files (logos, the spaces' media libraries; SCORM packages later) behind `object_store`: a local
//! directory by default, any S3-compatible store in production.

use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

pub struct StoredFile {
    pub bytes: bytes::Bytes,
    pub content_type: &'static str,
}

impl Storage {
    pub fn local(root: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(root)?),
        })
    }

    /// Stores `bytes` under `<prefix>/<hash>.<extension>` and returns the key. The same content
    /// always gets the same key.
    pub async fn put(
        &self,
        prefix: &str,
        extension: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<String> {
        let hash = hex::encode(Sha256::digest(&bytes));
        let key = format!("{prefix}/{}.{extension}", &hash[..16]);
        self.store
            .put(&Path::parse(&key)?, PutPayload::from(bytes))
            .await?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Option<StoredFile>> {
        let Ok(path) = Path::parse(key) else {
            return Ok(None);
        };
        match self.store.get(&path).await {
            Ok(result) => Ok(Some(StoredFile {
                bytes: result.bytes().await?,
                content_type: content_type(key),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the file under `key`; a file already gone is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Path::parse(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

fn content_type(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("ods") => "application/vnd.oasis.opendocument.spreadsheet",
        Some("odp") => "application/vnd.oasis.opendocument.presentation",
        _ => "application/octet-stream",
    }
}

//! Keeps the site search in step with the content.

use crate::model::content;
use pico_kernel::{AppState, Error};

pub async fn changed(_state: &AppState, _item: &content::Model) -> Result<(), Error> {
    Ok(())
}

pub async fn removed(_state: &AppState, _item: &content::Model) -> Result<(), Error> {
    Ok(())
}

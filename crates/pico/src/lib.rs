//! The composition of Pi.Co.: which modules this binary carries, in registration order, and
//! the demo content they add.

use pico_kernel::Registry;
use std::sync::Arc;

pub fn registry() -> Registry {
    Registry::new(vec![
        Arc::new(pico_portal::Portal),
        Arc::new(pico_newsletter::Newsletter),
        Arc::new(pico_sua::Sua),
        Arc::new(pico_helpdesk::Helpdesk),
    ])
}

/// The demo users and branding, then each module's demo content (which it records in the
/// search change log, so that every node's index finds it).
pub async fn seed_demo(state: &pico_kernel::AppState) -> anyhow::Result<()> {
    pico_kernel::seed::demo(&state.db).await?;
    pico_portal::demo::seed(&state.db).await?;
    pico_newsletter::demo::seed(&state.db).await?;
    pico_sua::demo::seed(state).await?;
    pico_helpdesk::demo::seed(&state.db).await?;
    pico_kernel::search::catch_up(state).await?;
    Ok(())
}

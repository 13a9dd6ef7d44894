//! The composition of Pi.Co.: which modules this binary carries, in registration order.

use pico_kernel::Registry;
use std::sync::Arc;

pub fn registry() -> Registry {
    Registry::new(vec![Arc::new(pico_portal::Portal)])
}

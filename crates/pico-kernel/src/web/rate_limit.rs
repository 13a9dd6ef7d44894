//! Rate limits on login, registration, password recovery and public forms, per client address
//! and per account. They live in each node's memory: with several nodes behind a balancer the
//! effective limit is at most the number of nodes times these, still far below what guessing
//! passwords needs.

use super::{AppState, Error};
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Sign-in attempts from one address.
    Login,
    /// Registrations, password recovery and other forms anyone can post.
    PublicForm,
}

#[derive(Clone)]
pub struct RateLimits {
    addresses: Arc<DefaultKeyedRateLimiter<(IpAddr, Bucket)>>,
    accounts: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            // 20 at once, then one every 6 seconds.
            addresses: Arc::new(RateLimiter::keyed(per(Duration::from_secs(6), 20))),
            // 5 failed sign-ins at once on one account, then one a minute.
            accounts: Arc::new(RateLimiter::keyed(per(Duration::from_secs(60), 5))),
        }
    }
}

fn per(period: Duration, burst: u32) -> Quota {
    Quota::with_period(period)
        .expect("non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("non-zero burst"))
}

impl RateLimits {
    pub fn check_address(&self, ip: IpAddr, bucket: Bucket) -> Result<(), Error> {
        if self.addresses.len() > 100_000 {
            self.addresses.retain_recent();
        }
        self.addresses
            .check_key(&(ip, bucket))
            .map_err(|_| Error::TooManyRequests)
    }

    /// Counts a failed sign-in on an account (identified by the e-mail typed, whether or not
    /// it exists, so the answer reveals nothing).
    pub fn check_account(&self, email: &str) -> Result<(), Error> {
        if self.accounts.len() > 100_000 {
            self.accounts.retain_recent();
        }
        self.accounts
            .check_key(&email.trim().to_lowercase())
            .map_err(|_| Error::TooManyRequests)
    }
}

/// The client's address: the peer, or the last `X-Forwarded-For` hop when the platform runs
/// behind a trusted proxy (which appends the address it saw).
pub fn client_ip(state: &AppState, headers: &HeaderMap, peer: &ConnectInfo<SocketAddr>) -> IpAddr {
    if state.config.trust_proxy
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .next_back()
    {
        return ip;
    }
    peer.0.ip()
}

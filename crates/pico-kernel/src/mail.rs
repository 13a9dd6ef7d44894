//! Outgoing e-mail: over SMTP when `smtp_url` is set, otherwise written as `.eml` files under
//! `<data_dir>/outbox`, so that a development machine needs no mail server. Pages queue their
//! messages as jobs ([`queue`]): a slow or absent mail server never slows a page down, and a
//! message that cannot be delivered is retried.

use crate::config::Config;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// One plain-text message to one person.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            anyhow::anyhow!("mail_from {:?} is not an address: {e}", config.mail_from)
        })?;
        let transport = if config.smtp_url.0.is_empty() {
            let dir = config.data_dir.join("outbox");
            std::fs::create_dir_all(&dir)?;
            Transport::Files(AsyncFileTransport::new(&dir), dir)
        } else {
            // The URL may carry a password: the error must not quote it.
            let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url.0)
                .map_err(|_| anyhow::anyhow!("smtp_url is not a valid SMTP URL"))?
                .build();
            Transport::Smtp(smtp)
        };
        Ok(Self { from, transport })
    }

    /// Where messages are written when there is no SMTP server.
    pub fn outbox(&self) -> Option<&std::path::Path> {
        match &self.transport {
            Transport::Files(_, dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let to: Mailbox = mail.to.parse()?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Files(files, _) => {
                files.send(message).await?;
            }
        }
        Ok(())
    }
}

/// The job kind that delivers one message.
pub const JOB: &str = "mail.send";

/// Queues a message; a worker delivers it.
pub async fn queue(db: &impl sea_orm::ConnectionTrait, mail: Mail) -> Result<(), sea_orm::DbErr> {
    let payload = serde_json::to_value(mail).expect("a Mail is plain data");
    crate::jobs::enqueue(db, JOB, payload).await
}

/// Delivers queued messages.
pub struct Delivery;

#[async_trait::async_trait]
impl crate::jobs::Handler for Delivery {
    fn kind(&self) -> &'static str {
        JOB
    }

    async fn run(
        &self,
        state: &crate::web::AppState,
        payload: serde_json::Value,
    ) -> anyhow::Result<()> {
        let mail: Mail = serde_json::from_value(payload)?;
        state.mailer.send(mail).await
    }
}

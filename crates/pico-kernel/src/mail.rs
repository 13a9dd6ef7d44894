//! Outgoing e-mail: over SMTP when `smtp_url` is set, otherwise written as `.eml` files under
//! `<data_dir>/outbox`, so that a development machine needs no mail server. Pages queue their
//! messages as jobs ([`queue`]): a slow or absent mail server never slows a page down, and a
//! message that cannot be delivered is retried.

use crate::config::Config;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
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

/// One message to one person: plain text, with an HTML alternative when `html` is set.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub html: Option<String>,
    /// For mailing lists: the address that unsubscribes with one POST (RFC 8058), sent as
    /// `List-Unsubscribe` and `List-Unsubscribe-Post`.
    #[serde(default)]
    pub unsubscribe: Option<String>,
    /// A stable `Message-ID` (without angle brackets), so that a message sent twice after a
    /// crash is recognised by mail programs as the same one.
    #[serde(default)]
    pub message_id: Option<String>,
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
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(mail.message_id.map(|id| format!("<{id}>")));
        if let Some(url) = mail.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let message = match mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.body, html))?,
            None => builder.header(ContentType::TEXT_PLAIN).body(mail.body)?,
        };
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

/// Whether a sending error means the message will never be accepted (an address the server
/// refuses for good, or no address at all), so that trying again is pointless.
pub fn is_permanent(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<lettre::transport::smtp::Error>()
        .is_some_and(|e| e.is_permanent())
        || error
            .downcast_ref::<lettre::address::AddressError>()
            .is_some()
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
    ) -> anyhow::Result<crate::jobs::Outcome> {
        let mail: Mail = serde_json::from_value(payload)?;
        state.mailer.send(mail).await?;
        Ok(crate::jobs::Outcome::Done)
    }
}

//! The message of a campaign, and the job that sends it to every recipient: throttled, in
//! slices, one recipient at a time, with what happened to each written down before the next.

use crate::model::{self, Delivery, campaign};
use askama::Template;
use pico_kernel::jobs::{Handler, Outcome};
use pico_kernel::mail::{self, Mail};
use pico_kernel::spaces::{self, Space};
use pico_kernel::{AppState, Config};
use pico_portal::model::{content, kind_of};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::time::{Duration, Instant};

pub const JOB: &str = "newsletter.send";

/// Stands for the recipient's own token in the fixed message.
const TOKEN: &str = "__PICO_TOKEN__";

/// A job sends this many messages, or for this long, then gives way to the other jobs of its
/// node (a password reset should not wait for a whole campaign).
const SLICE: (usize, Duration) = (50, Duration::from_secs(20));

/// A published item as the message presents it.
pub struct Item {
    pub kind: &'static str,
    pub title: String,
    pub summary: String,
    pub url: String,
}

/// The items `ids` that readers of `space` see now, in that order, with their addresses.
pub async fn items(
    db: &impl ConnectionTrait,
    config: &Config,
    space: &Space,
    ids: &[i32],
) -> Result<Vec<Item>, DbErr> {
    let now = chrono::Utc::now();
    let found = content::Entity::find()
        .filter(content::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|item| item.id == *id))
        .filter(|item| pico_portal::model::is_visible(item, now))
        .map(|item| {
            let kind = kind_of(item);
            Item {
                kind: kind.label(),
                title: item.title.clone(),
                summary: item.summary.clone(),
                url: config.url(&space.path_to(&format!("/{}/{}", kind.segment(), item.slug))),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "mail.html")]
struct HtmlMessage<'a> {
    space_name: &'a str,
    subject: &'a str,
    paragraphs: Vec<&'a str>,
    items: &'a [Item],
    list_url: &'a str,
    unsubscribe_url: &'a str,
}

/// The message's plain text and HTML, with [`TOKEN`] where each recipient's token goes.
pub fn compose(
    config: &Config,
    space: &Space,
    subject: &str,
    intro: &str,
    items: &[Item],
) -> Result<(String, String), askama::Error> {
    let list_url = config.url(&space.path_to("/newsletter"));
    let unsubscribe_url = unsubscribe_url(config, space, TOKEN);
    let mut text = String::new();
    if !intro.trim().is_empty() {
        text.push_str(intro.trim());
        text.push_str("\n\n");
    }
    for item in items {
        text.push_str(&format!("{}: {}\n", item.kind, item.title));
        if !item.summary.is_empty() {
            text.push_str(&format!("{}\n", item.summary));
        }
        text.push_str(&format!("{}\n\n", item.url));
    }
    text.push_str(&format!(
        "-- \nRicevi questo messaggio perché ti sei iscritto alla newsletter di {}.\n\
         Per annullare l'iscrizione: {unsubscribe_url}\n",
        space.name
    ));
    let html = HtmlMessage {
        space_name: &space.name,
        subject,
        paragraphs: intro
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect(),
        items,
        list_url: &list_url,
        unsubscribe_url: &unsubscribe_url,
    }
    .render()?;
    Ok((text, html))
}

pub fn unsubscribe_url(config: &Config, space: &Space, token: &str) -> String {
    config.url(&space.path_to(&format!("/newsletter/disiscrizione/{token}")))
}

/// One recipient's copy of a message fixed by [`compose`].
pub fn personal(
    config: &Config,
    space: &Space,
    to: &str,
    subject: &str,
    (text, html): (&str, &str),
    token: &str,
) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: text.replace(TOKEN, token),
        html: Some(html.replace(TOKEN, token)),
        unsubscribe: Some(unsubscribe_url(config, space, token)),
        message_id: None,
    }
}

/// Sends a campaign's messages.
pub struct Send;

#[async_trait::async_trait]
impl Handler for Send {
    fn kind(&self) -> &'static str {
        JOB
    }

    async fn run(&self, state: &AppState, payload: serde_json::Value) -> anyhow::Result<Outcome> {
        let id = payload["campaign_id"]
            .as_i64()
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| anyhow::anyhow!("payload without campaign_id"))?;
        let Some(campaign) = campaign::Entity::find_by_id(id).one(&state.db).await? else {
            return Ok(Outcome::Done);
        };
        let Some(space) = spaces::by_id(&state.db, campaign.space_id).await? else {
            return Ok(Outcome::Done);
        };
        if campaign.status != model::SENDING {
            return Ok(Outcome::Done);
        }
        send_slice(state, &space, &campaign).await
    }
}

async fn send_slice(
    state: &AppState,
    space: &Space,
    campaign: &campaign::Model,
) -> anyhow::Result<Outcome> {
    let message = (
        campaign.text_body.as_deref().unwrap_or_default(),
        campaign.html_body.as_deref().unwrap_or_default(),
    );
    let pause = Duration::from_secs(60) / state.config.bulk_mail_per_minute.max(1);
    let until = Instant::now() + SLICE.1;
    for _ in 0..SLICE.0 {
        let Some(delivery) = model::next_delivery(&state.db, campaign.id).await? else {
            model::finish(&state.db, campaign.id).await?;
            return Ok(Outcome::Done);
        };
        let subscriber = model::subscriber::Entity::find_by_id(delivery.subscriber_id)
            .one(&state.db)
            .await?;
        let Some(subscriber) = subscriber.filter(|s| s.status == model::CONFIRMED) else {
            model::set_delivery(&state.db, delivery.id, Delivery::Cancelled, None).await?;
            continue;
        };
        model::set_delivery(&state.db, delivery.id, Delivery::Sending, None).await?;
        let mut mail = personal(
            &state.config,
            space,
            &delivery.email,
            &campaign.subject,
            message,
            &subscriber.token,
        );
        mail.message_id = Some(format!(
            "newsletter.{}.{}@{}",
            campaign.id,
            subscriber.id,
            host(&state.config)
        ));
        match state.mailer.send(mail).await {
            Ok(()) => model::set_delivery(&state.db, delivery.id, Delivery::Sent, None).await?,
            Err(e) if mail::is_permanent(&e) => {
                let error = format!("{e:#}");
                model::set_delivery(&state.db, delivery.id, Delivery::Failed, Some(error)).await?
            }
            // The server is unreachable or busy: the job runs again later and this message
            // goes out then.
            Err(e) => return Err(e),
        }
        if Instant::now() >= until {
            break;
        }
        tokio::time::sleep(pause).await;
    }
    Ok(Outcome::Again)
}

fn host(config: &Config) -> String {
    url::Url::parse(&config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "pico.localhost".into())
}
